import Billing
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres

/// The accountants' suspense queue: money the bank received (or paid) that no invoice or decision
/// accounts for yet, with the matcher's proposals; applying it, undoing, refunds and money that is
/// not tuition. Scoped by school; the authority office may only read.
enum SuspenseEndpoints {
    static let readers = RoleSets.schoolReaders
    static let actors = RoleSets.bookkeepers
    static let transactionTemplate = "/v1/schools/{school}/suspense/{transaction}"

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.get, "/v1/schools/{school}/suspense", summary: "The suspense queue: unapplied bank transactions with ranked proposals",
                    tag: "suspense", roles: readers, response: SuspenseListView.self) { request in
            let school = request.scopedSchool
            let listing = try translating { try context.pool.withConnection { try Suspense.list(school: school, on: $0) } }
            return try APIJSON.response(SuspenseListView(listing))
        }
        builder.add(.post, transactionTemplate + "/apply", summary: "Apply a transaction's money to invoices (and credit), in one step of several",
                    tag: "suspense", roles: actors, request: SuspenseApplyRequest.self, response: SuspensePaymentView.self) { request in
            let body = try request.decode(SuspenseApplyRequest.self)
            let result = try act(request, context) { school, transaction, connection in
                try Suspense.apply(schoolID: school, transactionID: transaction, body.model, recordedBy: request.caller.actor.name, on: connection)
            }
            return try APIJSON.response(SuspensePaymentView(result), status: result.replayed ? .ok : .created)
        }
        builder.add(.post, transactionTemplate + "/unapply", summary: "Undo one application of the transaction's money (a reversal)",
                    tag: "suspense", roles: actors, request: SuspenseUnapplyRequest.self, response: SuspenseUnappliedView.self) { request in
            let body = try request.decode(SuspenseUnapplyRequest.self)
            let undone = try act(request, context) { school, transaction, connection in
                try Suspense.unapply(schoolID: school, transactionID: transaction, applicationID: body.applicationId, reason: body.reason,
                                     on: connection)
            }
            return try APIJSON.response(SuspenseUnappliedView(applicationId: undone.applicationID, reversalEntryId: undone.reversalEntryID,
                                                              amount: undone.amount))
        }
        registerDispositions(&builder, context: context)
    }

    static func registerDispositions(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.post, transactionTemplate + "/refund", summary: "Mark what is left of money in as due back to its sender",
                    tag: "suspense", roles: actors, request: SuspenseReasonRequest.self, response: SuspenseDispositionView.self,
                    status: .created) { request in
            let body = try request.decode(SuspenseReasonRequest.self)
            let done = try act(request, context) { school, transaction, connection in
                try Suspense.markRefundDue(schoolID: school, transactionID: transaction, reason: body.reason,
                                           decidedBy: request.caller.actor.name, on: connection)
            }
            return try APIJSON.response(SuspenseDispositionView(done), status: .created)
        }
        builder.add(.post, transactionTemplate + "/refund-paid", summary: "Record that this outgoing line paid a refund due",
                    tag: "suspense", roles: actors, request: SuspenseRefundPaidRequest.self, response: SuspenseDispositionView.self,
                    status: .created) { request in
            let body = try request.decode(SuspenseRefundPaidRequest.self)
            let done = try act(request, context) { school, transaction, connection in
                try Suspense.recordRefundPaid(schoolID: school, refundedTransactionID: body.refundedTransactionId, outgoingTransactionID: transaction,
                                              reason: body.reason, decidedBy: request.caller.actor.name, on: connection)
            }
            return try APIJSON.response(SuspenseDispositionView(done), status: .created)
        }
        builder.add(.post, transactionTemplate + "/not-tuition", summary: "Mark what is left as not tuition, to an account of purpose other or collection",
                    tag: "suspense", roles: actors, request: SuspenseNotTuitionRequest.self, response: SuspenseDispositionView.self,
                    status: .created) { request in
            let body = try request.decode(SuspenseNotTuitionRequest.self)
            let choice = try accountChoice(body)
            let done = try act(request, context) { school, transaction, connection in
                try Suspense.markNotTuition(schoolID: school, transactionID: transaction, account: choice, reason: body.reason,
                                            decidedBy: request.caller.actor.name, on: connection)
            }
            return try APIJSON.response(SuspenseDispositionView(done), status: .created)
        }
        builder.add(.post, transactionTemplate + "/reverse", summary: "Reverse the transaction's refund or not-tuition decision",
                    tag: "suspense", roles: actors, request: SuspenseReasonRequest.self, response: SuspenseDispositionView.self) { request in
            let body = try request.decode(SuspenseReasonRequest.self)
            let done = try act(request, context) { school, transaction, connection in
                try Suspense.reverseDisposition(schoolID: school, transactionID: transaction, reason: body.reason, on: connection)
            }
            return try APIJSON.response(SuspenseDispositionView(done))
        }
    }

    /// Runs a suspense operation on the path's transaction in a READ COMMITTED transaction.
    static func act<T>(_ request: APIRequest, _ context: APIContext,
                       _ body: @escaping (Int64, Int64, PostgresConnection) throws -> T) throws -> T {
        let school = request.scopedSchool.id
        let transaction = try request.id("transaction", notFound: "transaction_not_found")
        return try translating {
            try context.pool.transaction(isolation: .readCommitted) { connection in try body(school, transaction, connection) }
        }
    }

    static func accountChoice(_ body: SuspenseNotTuitionRequest) throws -> SuspenseAccountChoice {
        if let code = body.accountCode { return .code(code) }
        guard let text = body.purpose, let purpose = AccountPurpose(rawValue: text) else {
            throw APIError.validation("account_code or purpose (other, collection) is required")
        }
        return .purpose(purpose)
    }

    /// Suspense and billing refusals as problems: 404 for what does not exist in the school, 409
    /// for a state that forbids the operation, 422 for a request that cannot be right.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SuspenseError {
            throw problem(error)
        } catch let error as BillingError {
            throw APIError.translate(error)
        }
    }

    static func problem(_ error: SuspenseError) -> any Error {
        switch error {
        case .unknownTransaction, .unknownApplication: return APIError.notFound(error.code, error.description)
        case .nothingInSuspense, .alreadyDisposed, .noDisposition, .refundAlreadyPaid:
            return APIError.conflict(error.code, error.description)
        case .ledger(let inner): return APIError.translate(inner)
        case .database(let inner): return APIError.translate(inner)
        // Billing's refusals mean the same here as on the billing routes: one mapping (`APIError`).
        case .billing(let inner): return APIError.translate(inner)
        default: return HTTPError(status: .unprocessableContent, code: error.code, detail: error.description)
        }
    }
}

// The JSON of the suspense queue. Property names avoid acronyms in capitals (`studentIds`, not
// `studentIDs`) so the snake_case keys read `student_ids` in both the JSON and the OpenAPI schema.

struct SuspenseAllocationView: Codable, Hashable {
    var invoiceId: Int64
    var amount: Money

    var model: PaymentAllocation { PaymentAllocation(invoiceID: invoiceId, amount: amount) }
}

struct SuspenseProposalView: Codable {
    var rule: String
    var score: Int
    var studentIds: [Int64]
    var allocations: [SuspenseAllocationView]
    var credit: Money
    var creditStudentId: Int64?
    var amountFit: String?
    var explanation: String
}

extension SuspenseProposalView {
    init(_ proposal: SuspenseProposal) {
        rule = proposal.rule
        score = proposal.score
        studentIds = proposal.studentIDs
        allocations = proposal.allocations.map { SuspenseAllocationView(invoiceId: $0.invoiceID, amount: $0.amount) }
        credit = proposal.credit
        creditStudentId = proposal.creditStudentID
        amountFit = proposal.amountFit
        explanation = proposal.explanation
    }
}

struct SuspenseApplicationView: Codable {
    var applicationId: Int64
    var invoiceId: Int64?
    var studentId: Int64
    var amount: Money
    var receiptId: Int64?
    var rule: String
    var explanation: String
    var unapplied: Bool

    static let example = SuspenseApplicationView(
        applicationId: 77, invoiceId: 2207, studentId: 104, amount: Money(dong: 500_000), receiptId: 55, rule: "suspense_manual",
        explanation: "Phụ huynh xác nhận qua điện thoại", unapplied: false)
}

extension SuspenseApplicationView {
    init(_ application: AppliedPayment) {
        applicationId = application.applicationID
        invoiceId = application.invoiceID
        studentId = application.studentID
        amount = application.amount
        receiptId = application.receiptID
        rule = application.rule
        explanation = application.explanation
        unapplied = application.unappliedByEntryID != nil
    }
}

struct SuspenseEntryView: Codable {
    var transactionId: Int64
    var direction: String
    var origin: String
    var confirmed: Bool
    var amount: Money
    var remaining: Money
    var bookedOn: CalendarDate
    var ageDays: Int
    var memo: String
    var payerName: String?
    var virtualAccount: String?
    var bankReference: String?
    var certain: Bool
    var rule: String?
    var explanation: String
    var proposals: [SuspenseProposalView]
    var applications: [SuspenseApplicationView]
    var refundCandidateIds: [Int64]
}

extension SuspenseEntryView {
    init(_ entry: SuspenseEntry) {
        let transaction = entry.transaction
        transactionId = transaction.id
        direction = transaction.direction.rawValue
        origin = transaction.origin
        confirmed = transaction.isConfirmed
        amount = transaction.amount
        remaining = entry.remaining
        bookedOn = transaction.bookedOn
        ageDays = entry.ageDays
        memo = transaction.memo
        payerName = transaction.payerName
        virtualAccount = transaction.virtualAccount
        bankReference = transaction.bankReference
        certain = entry.isCertain
        rule = entry.rule
        explanation = entry.explanation
        proposals = entry.proposals.map(SuspenseProposalView.init)
        applications = entry.applications.map(SuspenseApplicationView.init)
        refundCandidateIds = entry.refundCandidateIDs
    }
}

struct SuspenseListView: Codable, APIExample {
    var incomingCount: Int
    var incomingTotal: Money
    var outgoingCount: Int
    var outgoingTotal: Money
    var truncated: Bool
    var items: [SuspenseEntryView]

    static let example = SuspenseListView(
        incomingCount: 1, incomingTotal: Money(dong: 1_000_000), outgoingCount: 0, outgoingTotal: .zero, truncated: false,
        items: [SuspenseEntryView(
            transactionId: 4812, direction: "in", origin: "callback", confirmed: false, amount: Money(dong: 1_500_000),
            remaining: Money(dong: 1_000_000), bookedOn: try! CalendarDate(iso: "2026-09-15"), ageDays: 15,
            memo: "NOP HOC PHI CHO LE HOANG DUNG LOP 6A1", payerName: "LE VAN HUNG", virtualAccount: "V2MSHS004",
            bankReference: "FT26272123456", certain: false, rule: "nameAndAmount",
            explanation: "A name of the school and an amount that fits one student's invoices.",
            proposals: [SuspenseProposalView(
                rule: "nameAndAmount", score: 720, studentIds: [104],
                allocations: [SuspenseAllocationView(invoiceId: 2207, amount: Money(dong: 1_000_000))], credit: .zero, creditStudentId: 104,
                amountFit: "exact", explanation: "The memo names Lê Hoàng Dũng (6A1); 1.000.000 đ is what his invoices still owe.")],
            applications: [SuspenseApplicationView.example], refundCandidateIds: [4790])])
}

extension SuspenseListView {
    init(_ listing: SuspenseListing) {
        incomingCount = listing.incomingCount
        incomingTotal = listing.incomingTotal
        outgoingCount = listing.outgoingCount
        outgoingTotal = listing.outgoingTotal
        truncated = listing.isTruncated
        items = listing.entries.map(SuspenseEntryView.init)
    }
}

/// `POST .../suspense/{transaction}/apply`: amounts the accountant chose.
struct SuspenseApplyRequest: Codable, APIExample {
    var allocations: [SuspenseAllocationView]
    var credit: Money?
    var creditStudentId: Int64?
    var explanation: String
    var step: Int?

    var model: SuspenseApplicationRequest {
        SuspenseApplicationRequest(allocations: allocations.map(\.model), credit: credit ?? .zero, creditStudentID: creditStudentId,
                                   explanation: explanation, step: step)
    }

    static let example = SuspenseApplyRequest(
        allocations: [SuspenseAllocationView(invoiceId: 2207, amount: Money(dong: 500_000)),
                      SuspenseAllocationView(invoiceId: 2208, amount: Money(dong: 500_000))],
        credit: Money(dong: 50_000), creditStudentId: 104, explanation: "Phụ huynh xác nhận qua điện thoại: học phí tháng 9 của hai con",
        step: 1)
}

struct SuspensePaymentView: Codable, APIExample {
    var paymentKey: String
    var replayed: Bool
    var applications: [SuspenseApplicationView]
    var receiptIds: [Int64]

    static let example = SuspensePaymentView(paymentKey: "suspense:4812:1", replayed: false, applications: [SuspenseApplicationView.example],
                                             receiptIds: [55])
}

extension SuspensePaymentView {
    init(_ result: PaymentApplicationResult) {
        paymentKey = result.paymentKey
        replayed = result.replayed
        applications = result.applications.map(SuspenseApplicationView.init)
        receiptIds = result.receiptIDs
    }
}

struct SuspenseUnapplyRequest: Codable, APIExample {
    var applicationId: Int64
    var reason: String
    static let example = SuspenseUnapplyRequest(applicationId: 77, reason: "Phụ huynh báo nhầm học sinh")
}

struct SuspenseUnappliedView: Codable, APIExample {
    var applicationId: Int64
    var reversalEntryId: Int64
    var amount: Money
    static let example = SuspenseUnappliedView(applicationId: 77, reversalEntryId: 9150, amount: Money(dong: 500_000))
}

/// `.../refund` and `.../reverse`: a reason.
struct SuspenseReasonRequest: Codable, APIExample {
    var reason: String
    static let example = SuspenseReasonRequest(reason: "Chuyển nhầm trường, hoàn lại cho người gửi")
}

/// `.../refund-paid` on the outgoing line: the incoming transaction whose refund it paid.
struct SuspenseRefundPaidRequest: Codable, APIExample {
    var refundedTransactionId: Int64
    var reason: String
    static let example = SuspenseRefundPaidRequest(refundedTransactionId: 4790, reason: "Ngân hàng đã chuyển hoàn")
}

/// `.../not-tuition`: the account by its code, or by its purpose (`other` or `collection`).
struct SuspenseNotTuitionRequest: Codable, APIExample {
    var reason: String
    var accountCode: String?
    var purpose: String?
    static let example = SuspenseNotTuitionRequest(reason: "Lãi tiền gửi tháng 9", accountCode: "3381", purpose: "collection")
}

struct SuspenseDispositionView: Codable, APIExample {
    var dispositionId: Int64
    var transactionId: Int64
    var kind: String
    var refundedTransactionId: Int64?
    var accountId: Int64?
    var amount: Money
    var entryId: Int64
    var effectiveDate: CalendarDate
    var reason: String
    var decidedBy: String
    var reversalEntryId: Int64?

    static let example = SuspenseDispositionView(
        dispositionId: 12, transactionId: 4812, kind: "refund_paid", refundedTransactionId: 4790, accountId: 9, amount: Money(dong: 700_000),
        entryId: 9200, effectiveDate: try! CalendarDate(iso: "2026-09-20"), reason: "Ngân hàng đã chuyển hoàn",
        decidedBy: "token 3 (kế toán)", reversalEntryId: 9250)
}

extension SuspenseDispositionView {
    init(_ disposition: SuspenseDisposition) {
        dispositionId = disposition.id
        transactionId = disposition.transactionID
        kind = disposition.kind.rawValue
        refundedTransactionId = disposition.refundedTransactionID
        accountId = disposition.accountID
        amount = disposition.amount
        entryId = disposition.entryID
        effectiveDate = disposition.effectiveDate
        reason = disposition.reason
        decidedBy = disposition.decidedBy
        reversalEntryId = disposition.reversalEntryID
    }
}

/// A reason is what `collapse` leaves non-empty, at most `BillingLimits.reasonCharactersMax` characters
/// (`SuspenseDispositionRecords.checkedReason`, `Applications.unapply`, `InvoiceVoiding.void`).
enum ReasonSchema {
    static let reason = JSONSchema.text(pattern: StudentRules.visiblePattern, minLength: 1, maxLength: BillingLimits.reasonCharactersMax)
}

extension SuspenseReasonRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] { ["reason": ReasonSchema.reason] }
}

extension SuspenseRefundPaidRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] { ["reason": ReasonSchema.reason] }
}

extension SuspenseUnapplyRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] { ["reason": ReasonSchema.reason] }
}

extension VoidRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] { ["reason": ReasonSchema.reason] }
}

/// `accountChoice`: an account code, or else a purpose of the chart.
extension SuspenseNotTuitionRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] { ["reason": ReasonSchema.reason] }

    static var crossFieldRules: [JSONSchema] {
        [.anyOf([.fields(properties: [("account_code", .string())], required: ["account_code"]),
                 .fields(properties: [("purpose", AccountPurpose.jsonSchema)], required: ["purpose"])])]
    }
}
