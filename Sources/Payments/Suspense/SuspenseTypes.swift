import Billing
import Core
import Ledger
import Reconciliation

/// A way to apply a transaction's money the matcher offers the accountant.
public struct SuspenseProposal: Hashable, Sendable, Codable {
    /// The matcher's rule (`nameAndAmount`, `repairedCode`, ... or `paymentCode` when it is now certain).
    public var rule: String
    /// 0–1000, higher is more likely; a proposal the matcher is now certain of scores 1000.
    public var score: Int
    public var studentIDs: [Int64]
    public var allocations: [PaymentAllocation]
    /// What no invoice takes, kept as the credit of `creditStudentID`'s family when accepted.
    public var credit: Money
    public var creditStudentID: Int64?
    public var amountFit: String?
    public var explanation: String
}

/// A bank transaction with money still in suspense, as the accountant's queue shows it.
public struct SuspenseEntry: Hashable, Sendable, Codable {
    public var transaction: BankTransaction
    /// What is left to apply (money in) or to explain (money out); always positive.
    public var remaining: Money
    /// Days from the booking day to the day of the listing.
    public var ageDays: Int
    /// True when the matcher would now apply the money without a person (e.g. an invoice issued
    /// after the money arrived): the monthly run applies it; the accountant may accept it now.
    public var isCertain: Bool
    /// The matcher's rule and explanation for the money left, decided now against open invoices.
    public var rule: String?
    public var explanation: String
    /// Ranked, most likely first; the certain allocation first when there is one.
    public var proposals: [SuspenseProposal]
    /// Every application of this transaction's money so far (unapplied ones included).
    public var applications: [AppliedPayment]
    /// For money out: incoming transactions marked refund due whose refund this could be (same amount owed).
    public var refundCandidateIDs: [Int64]
}

/// The school's suspense queue at a moment.
public struct SuspenseListing: Hashable, Sendable, Codable {
    /// Money in: certain ones first, then by the matcher's best proposal; money out last.
    public var entries: [SuspenseEntry]
    public var incomingCount: Int
    public var incomingTotal: Money
    public var outgoingCount: Int
    public var outgoingTotal: Money
    /// True when the queue holds more than `Suspense.entriesMax` transactions and only the oldest are listed.
    public var isTruncated: Bool
}

/// An accountant's application of a transaction's money to invoices (and credit).
public struct SuspenseApplicationRequest: Hashable, Sendable, Codable {
    public var allocations: [PaymentAllocation]
    public var credit: Money
    /// Whose family keeps the credit; required when credit is kept and no invoice is paid.
    public var creditStudentID: Int64?
    /// Why, in words (kept with the application).
    public var explanation: String
    /// The step of this transaction's applications this request is (1 for the first): a retry with the
    /// same step returns the first result instead of applying twice. Nil takes the next step.
    public var step: Int?

    public init(allocations: [PaymentAllocation], credit: Money = .zero, creditStudentID: Int64? = nil, explanation: String,
                step: Int? = nil) {
        self.allocations = allocations
        self.credit = credit
        self.creditStudentID = creditStudentID
        self.explanation = explanation
        self.step = step
    }
}

/// What a disposition is: money to give back, the giving back, or money that is not tuition.
public enum SuspenseDispositionKind: String, Hashable, Sendable, Codable, CaseIterable {
    case refundDue = "refund_due"
    case refundPaid = "refund_paid"
    case notTuition = "not_tuition"
}

/// Where money that is not tuition goes: an account by its code, or the first account of a purpose.
public enum SuspenseAccountChoice: Hashable, Sendable, Codable {
    case code(String)
    case purpose(AccountPurpose)
}

/// A recorded decision about a transaction's money, with its ledger entry.
public struct SuspenseDisposition: Hashable, Sendable, Codable {
    public var id: Int64
    public var transactionID: Int64
    public var kind: SuspenseDispositionKind
    /// For a refund paid: the incoming transaction refunded.
    public var refundedTransactionID: Int64?
    /// For money not tuition: the account credited (or debited, for money out).
    public var accountID: Int64?
    public var amount: Money
    public var entryID: Int64
    public var effectiveDate: CalendarDate
    public var reason: String
    public var decidedBy: String
    /// Set once the disposition was reversed.
    public var reversalEntryID: Int64?
}
