import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Builds the KPI report (docs/reports.md, "KPI report") from the same definition of "collected" as the province
/// report (`CollectionQueries.payments`): one query for the schools, one per month of the trend, one for a year.
public enum KPIReports {
    public static func build(period: KPIPeriod, scope: ProvinceScope = .province, provinceName: String = ProvinceReports.defaultProvinceName,
                             generatedAt: Date = Date(), on connection: PostgresConnection) throws(ReconciliationError) -> KPIReport {
        try ReconciliationError.wrapping {
            var set = SchoolSet.authorities(nil)
            var name = provinceName
            var codes: [String]?
            if case .authorities(let scoped, let authority) = scope {
                set = .authorities(scoped)
                codes = scoped
                name += " — \(authority)"
            }
            let schools = try schoolRows(codes, on: connection)
            let trend = try period.trendMonths.map { month in
                let tallies = try CollectionQueries.payments(set, from: month.firstDay, through: month.lastDay, on: connection)
                return KPIMonthPoint(month: month, figures: try figures(schools, tallies).values.reduce(KPIFigures()) { $0.adding($1) })
            }
            let months = period.months
            let tallies = try CollectionQueries.payments(set, from: months.first!.firstDay, through: months.last!.lastDay, on: connection)
            let byAuthority = try figures(schools, tallies)
            let rows = Dictionary(grouping: schools, by: \.authority).keys.map { authority in
                KPIAuthorityRow(code: authority.code, name: authority.name, kind: authority.kind, figures: byAuthority[authority.code] ?? KPIFigures())
            }
            return try KPIReport(provinceName: name, period: period, generatedAt: generatedAt, authorities: rows, trend: trend)
        }
    }

    struct SchoolRow {
        var id: Int64
        var level: SchoolLevel
        var authority: Authority
    }

    /// Each authority's figures from the schools' payment tallies of a period (summed over its months).
    static func figures(_ schools: [SchoolRow], _ tallies: [Int64: [CalendarMonth: PaymentTally]]) throws -> [String: KPIFigures] {
        var result: [String: KPIFigures] = [:]
        for school in schools {
            var tally = PaymentTally()
            for month in (tallies[school.id] ?? [:]).values {
                tally.bank = try tally.bank.adding(month.bank)
                tally.cash = try tally.cash.adding(month.cash)
                tally.bankCount += month.bankCount
                tally.cashCount += month.cashCount
            }
            let general = school.level.isGeneralEducation
            let own = KPIFigures(generalSchools: general ? 1 : 0, bankSchools: general && tally.bankCount > 0 ? 1 : 0,
                                 bankPayments: tally.bankCount, cashPayments: tally.cashCount, bankAmount: tally.bank, cashAmount: tally.cash)
            result[school.authority.code] = (result[school.authority.code] ?? KPIFigures()).adding(own)
        }
        return result
    }

    static func schoolRows(_ authorities: [String]?, on connection: PostgresConnection) throws -> [SchoolRow] {
        let schools = try Schools.list(authorities: authorities, limit: ReportLimits.provinceSchoolsMax + 1, on: connection)
        guard schools.count <= ReportLimits.provinceSchoolsMax else {
            throw ReportError.tooManyItems(field: "schools", count: schools.count, max: ReportLimits.provinceSchoolsMax)
        }
        return schools.sorted { $0.id < $1.id }.map { SchoolRow(id: $0.id, level: $0.level, authority: $0.authority) }
    }
}
