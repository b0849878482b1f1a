/// Limits and score bands of the matcher, in one place so the ranking can be read and tuned.
///
/// Bands keep the cascade's order in the suspense queue: a repaired code always ranks above a name,
/// a name with a fitting amount above a name alone, and anything above an amount-only guess.
public enum MatchScoring {
    public static let scoreMax = 1000

    /// A repaired code with exactly one existing code one edit away.
    public static let repairedCodeBase = 900
    /// One of several existing codes equally close to a damaged code; above the best name proposal (725).
    public static let repairTieBase = 740
    /// Bonus inside the repair bands when the repaired student's (or guardian's) name is in the transaction.
    public static let repairNameBonus = 40
    /// Bonus inside the repair bands when the amount fits exactly.
    public static let repairExactAmountBonus = 40

    /// One of several valid codes of unrelated students, alone.
    public static let unrelatedCodeBase = 800
    /// All valid codes of unrelated students together.
    public static let unrelatedCodeCombinedScore = 780

    /// The family's siblings together owe exactly the amount.
    public static let familyTotalBase = 650
    /// A name and an amount that fits exactly one student's invoices.
    public static let nameExactAmountBase = 600
    /// A name and an amount within tolerance of what the student owes.
    public static let nameToleranceAmountBase = 500
    /// A name without a fitting amount (partial, over, or nothing open).
    public static let nameOnlyBase = 300
    /// Bonus by how the name matched.
    public static let studentFullNameBonus = 60
    public static let guardianFullNameBonus = 50
    public static let familyAndGivenNameBonus = 0
    /// Below zero: a given name is weak evidence, even with the class (which earns `classNameBonus`).
    public static let givenNameAndClassBonus = -30
    /// Bonus when the student's class is written in the memo (tells namesakes apart).
    public static let classNameBonus = 20
    /// Taken off each of several equally scored name proposals for different students.
    public static let ambiguityPenalty = 40
    public static let namedProposalFloor = 250

    /// Amount-only: an invoice owes exactly the amount, nothing else points to it.
    public static let amountOnlyBase = 120
    public static let amountOnlyPenaltyPerOtherCandidate = 10
    public static let amountOnlyFloor = 10

    /// The most proposals kept per transaction.
    public static let proposalsMax = 8
    /// The most amount-only proposals per transaction.
    public static let amountOnlyProposalsMax = 3
    /// The most students a name may point at before the rest are ignored (very common names).
    public static let nameCandidatesMax = 32

    /// A difference up to this many đồng between the amount and what is owed counts as "within tolerance":
    /// transfer fees deducted by the sender's bank, or rounding by a parent.
    public static let amountToleranceDong: Int64 = 5_000
}
