import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Reconciliation

/// `GET /v1/reports/kpi`: the plan's KPIs per managing authority and for the province (docs/reports.md),
/// as JSON, CSV or HTML like the other reports. An authority office gets its own authorities only.
enum KPIEndpoints {
    static let readers = RoleSets.provinceReaders
    /// `month=2026-09` or `year=2026` (the school year starting in September of that year), exactly one.
    static let periodParameter = QueryParameterSpec("period", .oneOf([
        .object(properties: [("month", APIParameterSchemas.month)], required: ["month"]),
        .object(properties: [("year", APIParameterSchemas.reportYear)], required: ["year"]),
    ]), "month=yyyy-mm, or year=yyyy for the school year starting in September of that year; exactly one", required: true, exploded: true)

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.get, "/v1/reports/kpi",
                    summary: "Schools collecting through banks against the 25 % and 80 % targets, cashless share by count and value, per authority",
                    tag: "reconciliation", roles: readers,
                    query: [periodParameter, ReconciliationEndpoints.formatParameter, ReconciliationEndpoints.separatorParameter],
                    response: nil) { request in
            let period = try self.period(request)
            let report = try ReconciliationEndpoints.translating {
                try context.pool.transaction(isolation: .repeatableRead) { connection in
                    try KPIReports.build(period: period, scope: try scope(of: request.caller, on: connection), on: connection)
                }
            }
            return try ReconciliationEndpoints.document(request, name: "chi-tieu-kdtm-\(period.iso)", json: KPIReportJSON.canonicalBytes(report),
                                                        csv: { KPIReportCSV.render(report, separator: $0) }, html: { KPIReportPage.html(report) })
        }
    }

    /// The whole province, or for an authority office its authorities, named by its own authority's name.
    static func scope(of caller: Caller, on connection: PostgresConnection) throws -> ProvinceScope {
        guard caller.role == .authorityOffice else { return .province }
        let name = try caller.authorities.first.flatMap { try Authorities.find(code: $0, on: connection)?.name } ?? caller.label
        return .authorities(caller.authorities, name: name)
    }

    /// `month=yyyy-mm` or `year=yyyy`, exactly one.
    static func period(_ request: APIRequest) throws -> KPIPeriod {
        let month = try request.query("month") { try CalendarMonth(iso: $0) }
        let year = try request.query("year") { text -> Int in
            guard let year = APIParameterSchemas.parseReportYear(text) else { throw APIError.invalidParameter("year", "yyyy") }
            return year
        }
        switch (month, year) {
        case (let month?, nil): return .month(month)
        case (nil, let year?): return .schoolYear(year)
        default: throw APIError.invalidParameter("month", "give month=yyyy-mm or year=yyyy, not both")
        }
    }
}
