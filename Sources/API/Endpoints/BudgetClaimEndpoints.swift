import Billing
import Core
import Foundation
import HTTP
import Postgres

/// `GET /v1/schools/{school}/budget-claims`: what the state budget owes the school for a term (tuition support at a
/// non-public school, BHYT's state part), by pupil and fee, as JSON, CSV or HTML (docs/billing.md).
enum BudgetClaimEndpoints {
    static let yearParameter = QueryParameterSpec("year", APIParameterSchemas.reportYear, "the school year starting in September of this year, e.g. 2026", required: true)
    static let termParameter = QueryParameterSpec("term", .string(enumeration: ["1", "2"]), "1 (September–December) or 2 (January–August)", required: true)

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.get, BillingEndpoints.base + "/budget-claims",
                    summary: "The term's claim on the state budget: state-paid shares of live invoices by pupil and fee, less the state part of leaving credits",
                    tag: "fees", roles: BillingEndpoints.readers,
                    query: [yearParameter, termParameter, ReconciliationEndpoints.formatParameter], response: nil) { request in
            guard let year = try request.query("year", { text -> Int in
                guard let year = APIParameterSchemas.parseReportYear(text) else { throw APIError.invalidParameter("year", "yyyy") }
                return year
            }) else { throw APIError.invalidParameter("year", "required, e.g. 2026") }
            guard let term = try request.query("term", { text -> Int in
                guard text == "1" || text == "2" else { throw APIError.invalidParameter("term", "1 or 2") }
                return Int(text)!
            }) else { throw APIError.invalidParameter("term", "required, 1 or 2") }
            let report = try BillingRequest.read(context) { connection in
                try BudgetClaims.report(schoolID: request.scopedSchool.id, schoolYear: year, term: term, on: connection)
            }
            return try ReconciliationEndpoints.document(request, name: "de-nghi-ngan-sach-\(report.schoolCode)-\(year)-hk\(term)",
                                                        json: try APIJSON.response(report).body,
                                                        csv: { _ in Array(BudgetClaimRendering.csv(report).utf8) },
                                                        html: { BudgetClaimRendering.html(report) })
        }
    }
}
