import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Which schools a province report covers.
public enum ProvinceScope: Hashable, Sendable {
    case province
    /// The schools of these managing authorities (what an authority office may see), under a printed name.
    case authorities([String], name: String)
}

/// The finance office's month over every school: built with a handful of set-based queries, each
/// over all the schools at once, so 700 schools cost the same number of round trips as one.
public enum ProvinceReports {
    public static let defaultProvinceName = "Sở Giáo dục và Đào tạo"

    public static func build(month: CalendarMonth, scope: ProvinceScope = .province, provinceName: String = defaultProvinceName,
                             generatedAt: Date = Date(), on connection: PostgresConnection) throws(ReconciliationError) -> ProvinceReport {
        try ReconciliationError.wrapping {
            let schools = try schoolRows(scope, month: month, on: connection)
            var set = SchoolSet.authorities(nil)
            if case .authorities(let codes, _) = scope { set = .authorities(codes) }
            let end = month.lastDay
            let invoiced = try CollectionQueries.invoiced(set, from: month, through: month, on: connection)
            let collected = try CollectionQueries.collected(set, from: month.firstDay, through: end, on: connection)
            let outstanding = try CollectionQueries.outstanding(set, asOf: end, on: connection)
            let unapplied = try CollectionQueries.unappliedCounts(set, asOf: end, on: connection)
            let rows = schools.map { school in
                ProvinceSchoolRow(
                    code: school.code, name: school.name, district: school.authority, level: school.level,
                    figures: CollectionQueries.figures(school: school.id, month: month, invoiced: invoiced, collected: collected,
                                                       outstanding: outstanding[school.id]?.amount ?? .zero),
                    reconciliation: school.status, unappliedCount: unapplied[school.id] ?? 0)
            }
            var name = provinceName
            if case .authorities(_, let authority) = scope { name += " — \(authority)" }
            return try ProvinceReport(provinceName: name, month: month, generatedAt: generatedAt, schools: rows)
        }
    }

    struct SchoolRow {
        var id: Int64
        var code: String
        var name: String
        /// The managing authority's name: the report groups schools by it (its `district` column of before 2025).
        var authority: String
        var level: SchoolLevel
        var status: ProvinceReconciliationStatus
    }

    /// The schools in scope with their reconciliation status for the month: closed when the month is
    /// closed; otherwise what the latest run of the month found (agrees → open); not run without one.
    static func schoolRows(_ scope: ProvinceScope, month: CalendarMonth, on connection: PostgresConnection) throws -> [SchoolRow] {
        var authorities: [String]?
        if case .authorities(let codes, _) = scope { authorities = codes }
        let schools = try Schools.list(authorities: authorities, limit: ReportLimits.provinceSchoolsMax + 1, on: connection)
        guard schools.count <= ReportLimits.provinceSchoolsMax else {
            throw ReportError.tooManyItems(field: "schools", count: schools.count, max: ReportLimits.provinceSchoolsMax)
        }
        let states = try ReconciliationRuns.latestStates(month: month, schoolIDs: schools.map(\.id), on: connection)
        return schools.sorted { $0.id < $1.id }.map { school in
            let status: ProvinceReconciliationStatus
            if let closed = school.closedThrough, closed >= month.lastDay {
                status = .closed
            } else {
                // A run that closed the month, reopened since, counts as reconciled and open.
                let runState = states[school.id].flatMap(MonthlyReconciliationState.init(rawValue:))
                status = runState == .closed ? .open : ProvinceReconciliationStatus(runState)
            }
            return SchoolRow(id: school.id, code: school.code, name: school.name, authority: school.authority.name, level: school.level,
                             status: status)
        }
    }
}
