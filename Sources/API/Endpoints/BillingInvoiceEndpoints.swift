import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Invoices: issuing a month, voluntary prepayment, listing, one invoice, voiding. An invoice is named in
/// paths by its number `2026-000123` (as printed `2026/000123`) or by its payment code.
enum BillingInvoiceEndpoints {
    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let base = BillingEndpoints.base
        builder.add(.post, base + "/invoices/issue",
                    summary: "Issue a month's invoices for every active student (re-running issues only what is missing)",
                    tag: "invoices", roles: BillingEndpoints.writers, request: IssueRequest.self, response: IssueSummaryView.self,
                    options: RouteOptions(routeClass: .expensive)) { request in
            let body = try request.decode(IssueRequest.self)
            let summary = try BillingRequest.write(context) { connection in
                try InvoiceIssuer.issue(schoolID: request.scopedSchool.id, period: body.period, issuedOn: body.issuedOn ?? VietnamTime.today,
                                        issuedBy: BillingRequest.actor(request), on: connection)
            }
            return try APIJSON.response(IssueSummaryView(summary))
        }
        builder.add(.post, base + "/invoices/prepay",
                    summary: "Voluntary prepayment: issue several months for one student (Decree 81/2021 Art. 12)",
                    tag: "invoices", roles: BillingEndpoints.writers, request: PrepayRequest.self, response: IssueSummaryView.self) { request in
            try prepay(request, context: context)
        }
        builder.add(.get, base + "/invoices", summary: "List invoices by number, with what they still owe", tag: "invoices",
                    roles: BillingEndpoints.readers,
                    query: [QueryParameterSpec("period", APIParameterSchemas.month, "Only this month."),
                            QueryParameterSpec("class", APIParameterSchemas.queryText(characters: 1...StudentRules.classCharactersMax), "Only this class (as invoiced)."),
                            QueryParameterSpec("student", APIParameterSchemas.queryText, "Only this student (student code)."),
                            QueryParameterSpec("status", .string(enumeration: InvoiceStatus.allCases.map(\.rawValue)), "Only this status.")]
                        + BillingPage.queryParameters(after: .patterned(pattern: BillingLookup.invoiceNumberPattern)),
                    response: InvoiceList.self) { request in
            try list(request, context: context)
        }
        let path = base + "/invoices/{invoice}"
        builder.add(.get, path, summary: "Get an invoice (number 2026-000123 or payment code) with its lines", tag: "invoices",
                    roles: BillingEndpoints.readers, response: InvoiceView.self) { request in
            let invoice = try BillingRequest.read(context) { try BillingLookup.pathInvoice(request, on: $0) }
            return try APIJSON.response(InvoiceView(invoice, school: request.scopedSchool))
        }
        builder.add(.post, path + "/void", summary: "Void an invoice nothing has been paid on (its number stays used)", tag: "invoices",
                    roles: BillingEndpoints.writers, request: VoidRequest.self, response: VoidedInvoiceView.self) { request in
            let school = request.scopedSchool
            let voided = try BillingRequest.write(context) { connection -> VoidedInvoice in
                let invoice = try BillingLookup.pathInvoice(request, on: connection)
                let body = try request.decode(VoidRequest.self)
                return try InvoiceIssuer.void(schoolID: school.id, invoiceID: invoice.id, reason: body.reason, effectiveDate: body.effectiveDate,
                                              on: connection)
            }
            return try APIJSON.response(VoidedInvoiceView(number: voided.number.text, href: InvoiceSummaryView.href(voided.number, school: school),
                                                          status: InvoiceStatus.void.rawValue, reversalEntryId: voided.reversalEntryID))
        }
    }

    static func prepay(_ request: APIRequest, context: APIContext) throws -> Response {
        let body = try request.decode(PrepayRequest.self)
        guard (1...BillingLimits.prepaidPeriodsMax).contains(body.periods.count) else {
            throw BillingRequest.invalid("periods", "1 to \(BillingLimits.prepaidPeriodsMax) months")
        }
        let school = request.scopedSchool
        let summary = try BillingRequest.write(context) { connection -> IssueSummary in
            let student = try BillingLookup.bodyStudent(body.student, field: "student", school: school, on: connection)
            // The student's state, not the body's content: 409, as for a student the school does not have.
            guard student.status.isActive else { throw APIError.conflict("student_withdrawn", "student: \(student.code) is withdrawn") }
            return try InvoiceIssuer.prepay(schoolID: school.id, studentID: student.id, periods: body.periods,
                                            issuedOn: body.issuedOn ?? VietnamTime.today, issuedBy: BillingRequest.actor(request), on: connection)
        }
        return try APIJSON.response(IssueSummaryView(summary))
    }

    static func list(_ request: APIRequest, context: APIContext) throws -> Response {
        var filter = InvoiceFilter()
        filter.period = try request.query("period") { try CalendarMonth(iso: $0) }
        filter.className = try request.query("class") { text -> String in
            guard !text.isEmpty, text.unicodeScalars.count <= StudentRules.classCharactersMax else {
                throw BillingParameterError("1 to \(StudentRules.classCharactersMax) characters")
            }
            return text
        }
        filter.status = try request.query("status") { text -> InvoiceStatus in
            guard let status = InvoiceStatus(rawValue: text) else {
                throw BillingParameterError("one of " + InvoiceStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return status
        }
        let studentKey = try request.query("student") { $0 }
        let page = try BillingPage(request)
        let school = request.scopedSchool
        let list = try BillingRequest.read(context) { connection -> InvoiceList in
            if let studentKey {
                // An unknown student has no invoices: an empty page, not an error (the filter matched nothing).
                guard let student = try BillingLookup.student(studentKey, school: school, on: connection) else {
                    return InvoiceList(items: [], nextAfter: nil)
                }
                filter.studentID = student.id
            }
            return try BillingInvoiceListing.page(school: school, filter: filter, page: page, on: connection)
        }
        return try APIJSON.response(list)
    }
}
