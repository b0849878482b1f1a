import Core

/// The rule of the cascade that decided a transaction (docs/matching.md).
public enum MatchRule: String, Sendable, Codable, CaseIterable {
    /// 1. The virtual account belongs to a student: automatic.
    case virtualAccount
    /// 2. Valid existing codes of one student or one family: automatic.
    case paymentCode
    /// 2, abstained: valid codes of unrelated students; proposals only.
    case unrelatedCodes
    /// 3. A damaged code with exactly one existing code one edit away: proposal only.
    case repairedCode
    /// 3, abstained: a damaged code with several existing codes one edit away: proposals only.
    case repairTie
    /// 4. A name of the school and an amount that fits one student's invoices: proposal only.
    case nameAndAmount
    /// 5. A name of a family and the amount of all its siblings' open invoices: proposal only.
    case siblingsByFamily
    /// 6. Nothing certain or likely: the suspense queue, with weak proposals if any.
    case suspense
    /// Not money in (zero or negative amount): nothing to match.
    case notIncoming

    /// Only these rules may ever apply money without a person.
    public var mayApplyAutomatically: Bool { self == .virtualAccount || self == .paymentCode }
}

/// How the amount relates to what the chosen invoices owe.
public enum AmountFit: String, Sendable, Codable {
    case exact
    /// Differs from what is owed by at most `MatchScoring.amountToleranceDong` (e.g. a fee deducted).
    case withinTolerance
    /// Less than what is owed.
    case partial
    /// More than what is owed: the excess becomes credit.
    case over
}

/// Where in the transaction a code or a name was read.
public enum TextSource: String, Sendable, Codable {
    case memo
    case payerName
}

public struct Allocation: Hashable, Sendable, Codable {
    public var invoiceId: Int64
    public var amount: Money

    public init(invoiceId: Int64, amount: Money) {
        self.invoiceId = invoiceId
        self.amount = amount
    }
}

/// Who holds money that paid more than was owed.
public enum CreditHolder: Hashable, Sendable, Codable, CustomStringConvertible {
    case family(String)
    case student(Int64)

    public var description: String {
        switch self {
        case .family(let key): return "family \(key)"
        case .student(let id): return "student \(id)"
        }
    }
}

/// What happens to the part of the amount that no invoice takes.
public enum RemainderDisposition: Hashable, Sendable, Codable {
    /// Nothing remains.
    case none
    /// Applied automatically as credit of a family or student.
    case credit(CreditHolder)
    /// Not applied: waits in suspense for a person.
    case unapplied
}

/// A code-shaped text read from the transaction.
public struct CodeSignal: Hashable, Sendable, Codable {
    public var text: String
    public var kind: PaymentCodeKind
    public var source: TextSource
    /// The check character validated.
    public var checkValid: Bool
    public var isWordAligned: Bool
    /// The record the code names, nil when no open invoice or student of the school has it.
    public var studentId: Int64?
    public var invoiceId: Int64?
    /// False when set aside because it overlaps a stronger reading of the same characters.
    public var isUsed: Bool
}

public enum RepairEdit: String, Sendable, Codable {
    case substitution
    case adjacentTransposition
}

/// A damaged code and an existing code one edit away.
public struct RepairSignal: Hashable, Sendable, Codable {
    public var damagedText: String
    public var repairedCode: String
    /// Zero-based index in the code of the substituted character, or of the first of the two transposed ones.
    public var position: Int
    public var edit: RepairEdit
    public var studentId: Int64
    public var invoiceId: Int64?
}

public enum NameRole: String, Sendable, Codable {
    case student
    case guardian
}

public enum NameQuality: String, Sendable, Codable {
    /// Every token of the normalised name, in order.
    case fullName
    /// Family name and given name only (middle names skipped), in order.
    case familyAndGivenName
    /// The given name and the student's class, both written in the memo.
    case givenNameAndClass

    var strength: Int {
        switch self {
        case .fullName: return 3
        case .familyAndGivenName: return 2
        case .givenNameAndClass: return 1
        }
    }
}

public struct NameSignal: Hashable, Sendable, Codable {
    public var studentId: Int64
    public var matchedText: String
    public var role: NameRole
    public var quality: NameQuality
    public var source: TextSource
}

/// Everything read from a transaction that a rule used, for the audit trail and accuracy measurement.
public struct MatchSignals: Hashable, Sendable, Codable {
    /// The transaction's virtual account, normalised, when it had one.
    public var virtualAccount: String?
    /// The student the virtual account belongs to; nil when unknown or absent.
    public var virtualAccountStudentId: Int64?
    public var codes: [CodeSignal] = []
    public var repairs: [RepairSignal] = []
    public var names: [NameSignal] = []
    /// The fit of the applied allocation, or of the top proposal.
    public var amountFit: AmountFit?
    /// Booking date minus the due date of the first invoice paid or proposed (positive = late).
    public var dateGapDays: Int?

    public init() {}
}

/// A candidate allocation for a person to accept.
public struct MatchProposal: Hashable, Sendable, Codable {
    public var rule: MatchRule
    public var studentIds: [Int64]
    public var allocations: [Allocation]
    public var remainder: Money
    /// Who would hold the remainder as credit if the proposal is accepted.
    public var creditHolder: CreditHolder?
    public var amountFit: AmountFit
    public var dateGapDays: Int?
    /// 0...1000, higher is more likely; bands per rule in `MatchScoring`.
    public var score: Int
    public var explanation: String

    init(
        rule: MatchRule, studentIds: [Int64], plan: AllocationPlan, score: Int, explanation: String
    ) {
        precondition((0...MatchScoring.scoreMax).contains(score), "proposal score out of range")
        self.rule = rule
        self.studentIds = studentIds
        self.allocations = plan.allocations
        self.remainder = plan.remainder
        self.creditHolder = plan.remainder.isPositive ? plan.creditHolder : nil
        self.amountFit = plan.amountFit
        self.dateGapDays = plan.dateGapDays
        self.score = score
        self.explanation = explanation
    }

    /// Proposals by score, highest first; equal scores keep their given order.
    public static func ranked(_ proposals: [MatchProposal]) -> [MatchProposal] {
        proposals.enumerated()
            .sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
            .map(\.element)
    }
}

/// What the matcher decided for one transaction.
public struct MatchDecision: Hashable, Sendable, Codable {
    public var transactionId: Int64
    public var bookingDate: CalendarDate
    public var amount: Money
    public var rule: MatchRule
    public var signals: MatchSignals
    /// Applied automatically; empty unless `isAutomatic`.
    public var allocations: [Allocation]
    /// `amount` minus the allocations.
    public var remainder: Money
    public var remainderDisposition: RemainderDisposition
    public var isAutomatic: Bool
    /// Ranked candidates for the accountant; empty when applied automatically.
    public var proposals: [MatchProposal]
    public var explanation: String

    public var topProposal: MatchProposal? { proposals.first }

    /// A decision that applies `plan` without a person.
    static func automatic(
        _ transaction: MatchTransaction, rule: MatchRule, signals: MatchSignals, plan: AllocationPlan, explanation: String
    ) -> MatchDecision {
        precondition(rule.mayApplyAutomatically, "only a virtual account or a valid code may apply money automatically")
        precondition(plan.creditHolder != nil || plan.remainder.isZero, "automatic remainder needs a credit holder")
        var signals = signals
        signals.amountFit = plan.amountFit
        signals.dateGapDays = plan.dateGapDays
        let disposition: RemainderDisposition = plan.remainder.isZero ? .none : .credit(plan.creditHolder!)
        let decision = MatchDecision(
            transactionId: transaction.id, bookingDate: transaction.bookingDate, amount: transaction.amount, rule: rule,
            signals: signals, allocations: plan.allocations, remainder: plan.remainder,
            remainderDisposition: disposition, isAutomatic: true, proposals: [], explanation: explanation)
        decision.checkInvariants()
        return decision
    }

    /// A decision that applies nothing and offers `proposals` to a person.
    static func pending(
        _ transaction: MatchTransaction, rule: MatchRule, signals: MatchSignals, proposals: [MatchProposal],
        explanation: String
    ) -> MatchDecision {
        precondition(!rule.mayApplyAutomatically, "a pending decision cannot carry an automatic rule")
        let ranked = Array(MatchProposal.ranked(proposals).prefix(MatchScoring.proposalsMax))
        var signals = signals
        signals.amountFit = ranked.first?.amountFit
        signals.dateGapDays = ranked.first?.dateGapDays
        let decision = MatchDecision(
            transactionId: transaction.id, bookingDate: transaction.bookingDate, amount: transaction.amount, rule: rule,
            signals: signals, allocations: [], remainder: transaction.amount, remainderDisposition: .unapplied,
            isAutomatic: false, proposals: ranked, explanation: explanation)
        decision.checkInvariants()
        return decision
    }

    /// The hard rules, checked on every decision built.
    func checkInvariants() {
        precondition(!isAutomatic || rule.mayApplyAutomatically, "automatic decision by rule \(rule)")
        precondition(isAutomatic || allocations.isEmpty, "pending decision carries allocations")
        precondition(allocations.allSatisfy { $0.amount.isPositive }, "allocation must be positive")
        precondition(!isAutomatic || !remainder.isNegative, "automatic decision allocates more than the amount")
        precondition((try? Money.sum(allocations.map(\.amount)).adding(remainder)) == amount, "allocations + remainder ≠ amount")
        for proposal in proposals {
            precondition(proposal.allocations.allSatisfy { $0.amount.isPositive }, "proposal allocation must be positive")
            precondition(!proposal.remainder.isNegative, "proposal allocates more than the amount")
            precondition((try? Money.sum(proposal.allocations.map(\.amount)).adding(proposal.remainder)) == amount,
                          "proposal allocations + remainder ≠ amount")
        }
    }
}
