import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// The accountant's month: students, fees, invoices, cash, receipts and the printed
/// documents, all under `/v1/schools/{school}`. Accountants (own school), the administrator and the finance
/// office write; the authority office reads; bank tokens see none of it.
enum BillingEndpoints {
    static let writers = RoleSets.bookkeepers
    static let readers = RoleSets.schoolReaders
    static let base = "/v1/schools/{school}"

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        BillingStudentEndpoints.register(&builder, context: context)
        BillingFeeEndpoints.register(&builder, context: context)
        BillingAttendanceEndpoints.register(&builder, context: context)
        BillingInvoiceEndpoints.register(&builder, context: context)
        BillingPaymentEndpoints.register(&builder, context: context)
        DocumentEndpoints.register(&builder, context: context)
    }
}

/// What the billing handlers share: the recorded actor, transactions, and the path of a resource.
enum BillingRequest {
    /// Who the billing records name (`issued_by`, `changed_by`, `recorded_by` hold at most this many characters).
    static func actor(_ request: APIRequest) -> String {
        String(request.caller.actor.name.prefix(BillingLimits.nameCharactersMax))
    }

    /// Every billing write runs at READ COMMITTED: the issuer and the payment application rely on it.
    static func write<T>(_ context: APIContext, _ body: (PostgresConnection) throws -> T) throws -> T {
        try context.pool.transaction(isolation: .readCommitted, body)
    }

    static func read<T>(_ context: APIContext, _ body: (PostgresConnection) throws -> T) throws -> T {
        try context.pool.withConnection(body)
    }

    /// `/v1/schools/TH-OWN/students/HS001`: the address of a resource, with its key percent-encoded.
    static func path(_ school: School, _ parts: String...) -> String {
        "/v1/schools/" + encoded(school.code) + "/" + parts.map(encoded).joined(separator: "/")
    }

    static func encoded(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    /// A JSON body field that does not fit its rule: 422 naming the field.
    static func invalid(_ field: String, _ problem: String) -> HTTPError {
        HTTPError(status: .unprocessableContent, code: "invalid_field", detail: "\(field): \(problem)")
    }
}
