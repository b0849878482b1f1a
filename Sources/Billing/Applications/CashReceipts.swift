import Foundation
import Core
import Ledger
import Postgres

/// Allocation by the oldest due date: pure, so the cash desk, callbacks and tests share it.
public enum PaymentAllocator {
    /// Spreads `amount` over `invoices` in the order given (callers pass them oldest due first),
    /// each taking at most its outstanding; what is left is kept as credit.
    public static func oldestDueFirst(amount: Money, invoices: [Invoice]) -> (allocations: [PaymentAllocation], credit: Money) {
        precondition(!amount.isNegative)
        var left = amount.dong
        var allocations: [PaymentAllocation] = []
        for invoice in invoices where left > 0 && invoice.status != .void && invoice.outstanding.isPositive {
            let taken = min(left, invoice.outstanding.dong)
            allocations.append(PaymentAllocation(invoiceID: invoice.id, amount: Money(dong: taken)))
            left -= taken
        }
        return (allocations, Money(dong: left))
    }
}

/// A cash payment at the school's counter.
public struct CashPayment: Hashable, Sendable, Codable {
    public var schoolID: Int64
    /// One student, or siblings paid together (all of one family).
    public var studentIDs: [Int64]
    public var amount: Money
    public var payerName: String
    public var receivedOn: CalendarDate
    /// Explicit allocations; nil allocates oldest due first over the students' unpaid invoices.
    public var allocations: [PaymentAllocation]?
    public var recordedBy: String
    /// The idempotency key of this payment (e.g. the desk's slip number); a new one when nil.
    public var paymentKey: String?

    public init(schoolID: Int64, studentIDs: [Int64], amount: Money, payerName: String, receivedOn: CalendarDate,
                allocations: [PaymentAllocation]? = nil, recordedBy: String, paymentKey: String? = nil) {
        self.schoolID = schoolID
        self.studentIDs = studentIDs
        self.amount = amount
        self.payerName = payerName
        self.receivedOn = receivedOn
        self.allocations = allocations
        self.recordedBy = recordedBy
        self.paymentKey = paymentKey
    }
}

/// Cash received at the counter, applied to invoices (Dr cash / Cr receivable) with a receipt per student.
public enum CashReceipts {
    public static let oldestDueFirstRule = "cash_oldest_due_first"
    public static let explicitRule = "cash_explicit_allocation"

    /// Records and applies the payment inside the caller's READ COMMITTED transaction. What the invoices
    /// do not take is kept as the family's credit.
    public static func record(_ payment: CashPayment, on connection: PostgresConnection) throws(BillingError) -> PaymentApplicationResult {
        guard payment.amount.isPositive, payment.amount.dong <= Money.absoluteDongMax else {
            throw .invalidField(field: "amount", problem: "a cash payment must be a positive amount")
        }
        return try BillingError.wrapping {
            // A retry is recognised by its key before allocating: oldest-due-first would allocate differently now.
            if let key = payment.paymentKey, let earlier = try replay(payment, key: key, on: connection) { return earlier }
            try checkOneFamily(payment, on: connection)
            let (allocations, credit, rule, explanation) = try allocate(payment, on: connection)
            let request = PaymentRequest(
                schoolID: payment.schoolID, source: .cash, paymentKey: payment.paymentKey ?? "cash:\(UUID().uuidString.lowercased())",
                receivedOn: payment.receivedOn, payerName: payment.payerName, studentIDs: payment.studentIDs, allocations: allocations,
                credit: credit, rule: rule, explanation: explanation, recordedBy: payment.recordedBy)
            return try PaymentApplication.apply(request, on: connection)
        }
    }

    /// The first result of a payment key used before, when it moved the same amount; a conflict otherwise.
    static func replay(_ payment: CashPayment, key: String, on connection: PostgresConnection) throws -> PaymentApplicationResult? {
        try connection.query("SELECT pg_advisory_xact_lock(\(PaymentApplication.keyLockClass), hashtext(\(key)))")
        let earlier = try Applications.list(schoolID: payment.schoolID, paymentKey: key, on: connection)
        guard !earlier.isEmpty else { return nil }
        guard earlier.reduce(Int64(0), { $0 + $1.amount.dong }) == payment.amount.dong else { throw BillingError.idempotencyConflict(key: key) }
        return PaymentApplicationResult(paymentKey: key, applications: earlier,
                                        receiptIDs: Array(Set(earlier.compactMap(\.receiptID))).sorted(), replayed: true)
    }

    static func allocate(_ payment: CashPayment, on connection: PostgresConnection) throws -> ([PaymentAllocation], Money, String, String) {
        if let given = payment.allocations {
            let allocated = try Money.sum(given.map(\.amount))
            guard allocated <= payment.amount else {
                throw BillingError.allocationInvalid("the allocations (\(allocated)) are more than the \(payment.amount) received")
            }
            let credit = try payment.amount.subtracting(allocated)
            return (given, credit, explicitRule, "allocated as the accountant entered it; \(credit) kept as credit")
        }
        // Lock the students' invoices before reading what they owe, so the plan is still true when applied.
        try connection.query("""
            SELECT 1 FROM invoices WHERE school_id = \(payment.schoolID) AND student_id = ANY(\(PostgresInt64Array(payment.studentIDs)))
              AND void_entry_id IS NULL ORDER BY invoice_id FOR UPDATE
            """)
        let unpaid = try InvoiceQueries.unpaid(schoolID: payment.schoolID, studentIDs: payment.studentIDs, on: connection)
        let (allocations, credit) = PaymentAllocator.oldestDueFirst(amount: payment.amount, invoices: unpaid)
        let explanation = "\(payment.amount) in cash applied to \(allocations.count) unpaid invoice(s), oldest due date first"
            + (credit.isPositive ? "; \(credit) more than owed kept as credit" : "")
        return (allocations, credit, oldestDueFirstRule, explanation)
    }

    /// Siblings paid together must be one family, so the credit has one holder.
    static func checkOneFamily(_ payment: CashPayment, on connection: PostgresConnection) throws {
        guard payment.studentIDs.count > 1 else { return }
        var families = Set<Int64?>()
        for id in payment.studentIDs {
            guard let student = try Students.find(schoolID: payment.schoolID, id: id, on: connection) else {
                throw BillingError.unknownStudent("id \(id)")
            }
            families.insert(student.familyID)
        }
        guard families.count == 1, families.first! != nil else {
            throw BillingError.allocationInvalid("students paid together must belong to one family")
        }
    }
}
