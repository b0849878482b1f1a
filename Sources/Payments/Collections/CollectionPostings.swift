import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Postgres

/// Payment notices: the money recorded once on the bank's transaction id, booked Dr bank /
/// Cr suspense and applied to exactly the items named — in one transaction, acknowledged after commit.
enum CollectionPostings {
    static func post(_ notice: CollectionPaymentNotice, context: CollectionContext, service: CollectionService) throws -> CollectionService.Result {
        let (payment, numbers) = try service.pool.transaction(isolation: .readCommitted) { connection in
            let payment = try record(notice, context: context, source: "notice", on: connection)
            return (payment, try Receipts.numbers(schoolID: context.schoolID, ids: payment.receiptIDs, on: connection))
        }
        return service.reply(context.description, .ok, replyFields(payment, receiptNumbers: numbers))
    }

    /// The same reply for the first notice and every retry: built from the recorded row.
    static func replyFields(_ payment: CollectionPayment, receiptNumbers: [Int64: String]) -> CollectionReplyFields {
        var fields = CollectionReplyFields()
        fields.set("transactionID", payment.bankReference)
        fields.set("applied", payment.applied.dong)
        fields.set("credited", payment.credited.dong)
        fields.set("receiptNumbers", .array(payment.receiptIDs.compactMap { receiptNumbers[$0] }.map { .string($0) }))
        fields.set("exception", payment.exception.map { JSONValue.string($0.rawValue) } ?? .null)
        return fields
    }

    /// Records a notice inside the caller's READ COMMITTED transaction, or returns the one recorded
    /// before under the same bank transaction id (concurrent duplicates meet at the unique index).
    static func record(_ notice: CollectionPaymentNotice, context: CollectionContext, source: String,
                       on connection: PostgresConnection) throws -> CollectionPayment {
        let description = context.description
        let transaction = NewBankTransaction(
            schoolID: context.schoolID, bankAccountID: context.route.bankAccountID,
            origin: .callback(provider: description.connectionProvider, transactionID: notice.transactionID), direction: .incoming,
            amount: Money(dong: notice.amount), bookedOn: VietnamTime.date(of: notice.paidAt), occurredAt: notice.paidAt,
            memo: "Thu hộ \(description.provider) \(notice.customerCode ?? notice.items.joined(separator: ","))",
            payerName: nil, bankReference: notice.transactionID)
        guard let id = try IncomingBatch.insert([transaction], status: "provisional", on: connection)[0] else {
            guard let earlier = try CollectionPayments.find(schoolID: context.schoolID, provider: description.provider,
                                                            bankReference: notice.transactionID, on: connection) else {
                throw CollectionPostingError.transactionWithoutNotice(notice.transactionID)
            }
            return earlier
        }
        let school = try Schools.find(id: context.schoolID, on: connection)!
        let facts = try IncomingBatch.SchoolFacts.load(school: school, on: connection)
        let booking = IncomingBatch.booking(transaction, id: id, facts: facts)
        let target = try CollectionTarget.resolve(notice, context: context, on: connection)
        var payment = CollectionPayment(
            paymentID: 0, connectionID: context.route.connectionID, provider: description.provider, bankReference: notice.transactionID,
            bankTransactionID: id, businessDate: transaction.bookedOn, paidAt: notice.paidAt, amount: transaction.amount,
            customerCode: String((notice.customerCode ?? "").prefix(CollectionLimits.customerCodeBytesMax)), studentID: target?.studentIDs.first,
            applied: .zero, credited: .zero, exception: source == "reconciliation_file" ? .bankOnly : nil, receiptIDs: [], source: source)
        var request: PaymentRequest?
        if let target {
            let invoices = try PaymentBatch.lockInvoices(schoolID: context.schoolID, ids: target.items.map(\.invoiceID), on: connection)
            let plan = CollectionAllocation.plan(amount: notice.amount, items: target.items.map { item in
                (item.invoiceID, item.inquired, invoices[item.invoiceID].map { $0.status == .void ? 0 : max(0, $0.outstanding.dong) } ?? 0)
            })
            payment.exception = payment.exception ?? plan.exception
            request = PaymentRequest(
                schoolID: context.schoolID, source: .bankTransaction(id: id, reference: notice.transactionID),
                paymentKey: DecisionApplication.paymentKey(bankTransactionID: id),
                receivedOn: BankTransactions.openDate(transaction.bookedOn, closedThrough: facts.closedThrough),
                payerName: "Ngân hàng thu hộ (\(description.provider))", studentIDs: target.studentIDs,
                allocations: plan.allocations.map { PaymentAllocation(invoiceID: $0.invoiceID, amount: Money(dong: $0.amount)) },
                credit: Money(dong: plan.credit), rule: "collection_notice",
                explanation: "Bank collection \(description.provider) transaction \(notice.transactionID)",
                recordedBy: "collection:\(description.provider)")
        } else {
            payment.exception = payment.exception ?? .unidentified
        }
        let (results, posted) = try PaymentBatch.apply(request.map { [$0] } ?? [], leadingEntries: [booking], on: connection)
        if let request, case .success = results[0] {
            payment.applied = Money(dong: request.allocations.reduce(0) { $0 + $1.amount.dong })
            payment.credited = request.credit
            payment.receiptIDs = Array(Set(try Applications.list(schoolID: context.schoolID, paymentKey: request.paymentKey, on: connection)
                .compactMap(\.receiptID))).sorted()
        } else if request != nil {
            payment.exception = .applicationRefused
        }
        try IncomingBatch.storeDecisions([id], decisions: [nil], entries: [posted[0].entryID], schoolID: context.schoolID, on: connection)
        payment.paymentID = try CollectionPayments.insert(payment, schoolID: context.schoolID, on: connection)
        return payment
    }
}

enum CollectionPostingError: Error, CustomStringConvertible {
    case transactionWithoutNotice(String)
    var description: String {
        switch self {
        case .transactionWithoutNotice(let id): return "bank transaction \(id) is recorded without its collection notice"
        }
    }
}

/// The pupil(s) and items a notice names: by the inquiry id (the items and amounts shown), by item
/// ids (invoice numbers), or by a customer code (its open items, oldest due first). nil when it names
/// nothing we know in this school: the money then waits in suspense.
struct CollectionTarget {
    struct Item {
        let invoiceID: Int64
        /// What the inquiry showed as owed; nil when the notice named the item without an inquiry.
        let inquired: Int64?
    }

    let studentIDs: [Int64]
    let items: [Item]

    static func resolve(_ notice: CollectionPaymentNotice, context: CollectionContext, on connection: PostgresConnection) throws -> CollectionTarget? {
        let schoolID = context.schoolID
        if let text = notice.inquiryID, let token = CollectionInquiryToken.decode(text, secrets: context.route.credentials.secrets),
           token.schoolID == schoolID, try Students.find(schoolID: schoolID, id: token.studentID, on: connection) != nil {
            return CollectionTarget(studentIDs: [token.studentID], items: token.items.map { Item(invoiceID: $0.invoiceID, inquired: $0.amount) })
        }
        if !notice.items.isEmpty {
            var invoices: [Invoice] = []
            for text in notice.items {
                guard let number = try? InvoiceNumber(parsing: text),
                      let invoice = try InvoiceQueries.invoice(schoolID: schoolID, number: number, on: connection) else { continue }
                invoices.append(invoice)
            }
            if !invoices.isEmpty {
                var students: [Int64] = []
                for invoice in invoices where !students.contains(invoice.studentID) { students.append(invoice.studentID) }
                return CollectionTarget(studentIDs: students, items: invoices.map { Item(invoiceID: $0.id, inquired: nil) })
            }
        }
        if let code = notice.customerCode, let (student, invoices) = try CollectionTargets.open(code: code, schoolID: schoolID, on: connection) {
            return CollectionTarget(studentIDs: [student.id], items: invoices.prefix(CollectionLimits.itemsMax).map { Item(invoiceID: $0.id, inquired: nil) })
        }
        return nil
    }
}

/// How a notice's amount is spread over the items it named (pure): each item in the order named gets
/// what it still owes while money lasts; what is left is the family's credit. The exception says why
/// the money did not exactly pay what was shown.
public enum CollectionAllocation {
    public struct Plan: Equatable, Sendable {
        public var allocations: [(invoiceID: Int64, amount: Int64)]
        public var credit: Int64
        public var exception: CollectionException?

        public static func == (lhs: Plan, rhs: Plan) -> Bool {
            lhs.allocations.map(\.invoiceID) == rhs.allocations.map(\.invoiceID) && lhs.allocations.map(\.amount) == rhs.allocations.map(\.amount)
                && lhs.credit == rhs.credit && lhs.exception == rhs.exception
        }
    }

    /// `items`: (invoice, what the inquiry showed if any, what it owes now), in the order named.
    public static func plan(amount: Int64, items: [(invoiceID: Int64, inquired: Int64?, outstanding: Int64)]) -> Plan {
        var remaining = amount
        var allocations: [(invoiceID: Int64, amount: Int64)] = []
        for item in items where remaining > 0 && item.outstanding > 0 {
            let take = min(remaining, item.outstanding)
            allocations.append((item.invoiceID, take))
            remaining -= take
        }
        let shown = items.reduce(Int64(0)) { $0 + ($1.inquired ?? $1.outstanding) }
        let paidElsewhere = items.contains { $0.outstanding < ($0.inquired ?? $0.outstanding) } || items.allSatisfy { $0.outstanding == 0 }
        let exception: CollectionException? = if paidElsewhere { .itemsPaidElsewhere }
            else if remaining > 0 { .overpaid }
            else if amount < shown { .underpaid }
            else { nil }
        return Plan(allocations: allocations, credit: remaining, exception: exception)
    }
}
