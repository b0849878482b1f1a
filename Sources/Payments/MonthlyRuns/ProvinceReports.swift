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
        let rows = try connection.query("""
            SELECT s.school_id, s.code, s.name, (SELECT a.name FROM authorities a WHERE a.authority_code = s.authority_code), s.level, s.closed_through >= \(month.lastDay) AS closed, r.state
            FROM schools s
            LEFT JOIN LATERAL (SELECT state FROM reconciliation_runs r WHERE r.month = \(month) AND r.school_id = s.school_id
                               ORDER BY r.run_id DESC LIMIT 1) r ON true
            WHERE s.authority_code = ANY(coalesce(\(authorities.map(PostgresTextArray.init)), ARRAY[s.authority_code]))
            ORDER BY s.school_id LIMIT \(ReportLimits.provinceSchoolsMax + 1)
            """)
        guard rows.count <= ReportLimits.provinceSchoolsMax else {
            throw ReportError.tooManyItems(field: "schools", count: rows.count, max: ReportLimits.provinceSchoolsMax)
        }
        return try rows.map { row in
            let (id, code, name, authority, level, closed, state) = try row.decode((Int64, String, String, String, String, Bool?, String?).self)
            let status: ProvinceReconciliationStatus
            if closed == true {
                status = .closed
            } else {
                // A run that closed the month, reopened since, counts as reconciled and open.
                let runState = state.flatMap(MonthlyReconciliationState.init(rawValue:))
                status = runState == .closed ? .open : ProvinceReconciliationStatus(runState)
            }
            return SchoolRow(id: id, code: code, name: name, authority: authority, level: SchoolLevel(rawValue: level) ?? .primary, status: status)
        }
    }
}
