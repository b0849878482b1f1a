import Core
import Ledger

/// Where the money applied comes from; it decides the account debited.
public enum PaymentSource: Hashable, Sendable, Codable {
    /// Cash at the school's counter: Dr cash.
    case cash
    /// A bank transaction already booked by its receiver as Dr bank / Cr suspense: Dr suspense
    /// (dimension bank_transaction), so the suspense balance of the transaction shows what is left to apply.
    case bankTransaction(id: Int64, reference: String?)
    /// Credit kept from an earlier overpayment: Dr family credit. No money arrives, so no receipt.
    case familyCredit

    var name: String {
        switch self {
        case .cash: return "cash"
        case .bankTransaction: return "bank_transaction"
        case .familyCredit: return "family_credit"
        }
    }

    var entryKind: EntryKind {
        switch self {
        case .cash: return .cashReceipt
        case .bankTransaction: return .paymentApplied
        case .familyCredit: return .creditApplied
        }
    }

    var bankTransactionID: Int64? {
        if case .bankTransaction(let id, _) = self { return id }
        return nil
    }
}

/// Money for one invoice.
public struct PaymentAllocation: Hashable, Sendable, Codable {
    public var invoiceID: Int64
    public var amount: Money

    public init(invoiceID: Int64, amount: Money) {
        self.invoiceID = invoiceID
        self.amount = amount
    }
}

/// A payment to apply: explicit allocations to invoices, and a remainder kept as credit.
public struct PaymentRequest: Hashable, Sendable, Codable {
    public var schoolID: Int64
    public var source: PaymentSource
    /// The caller's idempotency key for the whole payment (e.g. `bank:<transaction id>`): the same key
    /// with the same request returns the first result; with a different one it is refused.
    public var paymentKey: String
    /// The effective date of the entries and the receipts' date.
    public var receivedOn: CalendarDate
    public var payerName: String
    /// The students paid for; every allocated invoice must be one of theirs. The first holds the credit
    /// (through their family when they have one) and gets a receipt even when only credit is kept.
    public var studentIDs: [Int64]
    public var allocations: [PaymentAllocation]
    /// Kept as credit: the family credit account, dimension family (or student when there is no family).
    public var credit: Money
    /// The rule that decided the allocation (e.g. `cash_oldest_due_first`, `invoice_code`) and why, in words.
    public var rule: String
    public var explanation: String
    public var recordedBy: String

    public init(schoolID: Int64, source: PaymentSource, paymentKey: String, receivedOn: CalendarDate, payerName: String,
                studentIDs: [Int64], allocations: [PaymentAllocation], credit: Money, rule: String, explanation: String, recordedBy: String) {
        self.schoolID = schoolID
        self.source = source
        self.paymentKey = paymentKey
        self.receivedOn = receivedOn
        self.payerName = payerName
        self.studentIDs = studentIDs
        self.allocations = allocations
        self.credit = credit
        self.rule = rule
        self.explanation = explanation
        self.recordedBy = recordedBy
    }

    /// Everything the payment moves: allocations plus credit (within the money bound once validated).
    public var amount: Money { Money(dong: allocations.reduce(credit.dong) { $0 + $1.amount.dong }) }
}

/// One application as recorded.
public struct AppliedPayment: Hashable, Sendable, Codable {
    public var applicationID: Int64
    public var ordinal: Int
    /// nil for money kept as credit.
    public var invoiceID: Int64?
    public var studentID: Int64
    public var familyID: Int64?
    public var amount: Money
    public var entryID: Int64
    /// nil for applications of family credit.
    public var receiptID: Int64?
    public var rule: String
    public var explanation: String
    /// The reversal entry when the application was unapplied.
    public var unappliedByEntryID: Int64?
}

/// What applying a payment did.
public struct PaymentApplicationResult: Hashable, Sendable, Codable {
    public var paymentKey: String
    public var applications: [AppliedPayment]
    /// One per student paid (none for family credit).
    public var receiptIDs: [Int64]
    /// True when the key had been applied before with the same request: nothing was written now.
    public var replayed: Bool
}

/// The outcome of unapplying.
public struct UnappliedPayment: Hashable, Sendable, Codable {
    public var applicationID: Int64
    public var reversalEntryID: Int64
    public var amount: Money
}
