import Core

/// What to generate: sizes, the month, and the mix of payment behaviours. Shares are per thousand.
public struct SimulationParameters: Hashable, Sendable, Codable {
    /// Schools, students and districts allowed in one province simulation.
    public static let schoolCountMax = 10_000
    public static let studentCountMax = 5_000_000
    public static let districtCountMax = 1_000

    public var seed: UInt64
    public var districtCount: Int
    public var schoolCount: Int
    public var studentCount: Int
    /// The billing month; transfers are booked in it.
    public var month: CalendarMonth
    /// Families with two children in the same school, and with three, per thousand families.
    public var twoChildFamilyPerMille = 120
    public var threeChildFamilyPerMille = 20
    /// Schools whose bank issues a virtual account per student.
    public var virtualAccountSchoolPerMille = 300
    /// Students without an invoice this month (fee exemption, "miễn học phí").
    public var exemptPerMille = 20
    /// Students who also still owe (part of) last month's invoice.
    public var arrearsPerMille = 25
    /// Students (or families) who pay nothing this month.
    public var unpaidPerMille = 40
    /// Families of several children who pay all of them with one transfer.
    public var siblingsTogetherPerMille = 350
    /// Transfers that are not tuition, per thousand tuition transfers.
    public var noisePerMille = 200
    /// How a student's payment is made, by weight; see `TransferScenario`.
    public var scenarioWeights: [TransferScenario: Int] = SimulationParameters.defaultScenarioWeights

    public init(seed: UInt64, districtCount: Int, schoolCount: Int, studentCount: Int, month: CalendarMonth) {
        precondition((1...SimulationParameters.districtCountMax).contains(districtCount), "district count out of range")
        precondition((districtCount...SimulationParameters.schoolCountMax).contains(schoolCount), "school count out of range")
        precondition((schoolCount...SimulationParameters.studentCountMax).contains(studentCount), "student count out of range")
        self.seed = seed
        self.districtCount = districtCount
        self.schoolCount = schoolCount
        self.studentCount = studentCount
        self.month = month
    }

    public static let defaultMonth = try! CalendarMonth(year: 2026, month: 10)

    /// Several schools in two districts, a few hundred students.
    public static func demo(seed: UInt64 = 2026) -> SimulationParameters {
        SimulationParameters(seed: seed, districtCount: 2, schoolCount: 6, studentCount: 360, month: defaultMonth)
    }

    /// Enough schools and students for accuracy figures to mean something, small enough for a test.
    public static func accuracy(seed: UInt64 = 2026) -> SimulationParameters {
        SimulationParameters(seed: seed, districtCount: 6, schoolCount: 40, studentCount: 16_000, month: defaultMonth)
    }

    /// A province: 700 schools, 300,000 students, about 300,000 invoices and 330,000 bank lines.
    public static func scale(seed: UInt64 = 2026) -> SimulationParameters {
        SimulationParameters(seed: seed, districtCount: 30, schoolCount: 700, studentCount: 300_000, month: defaultMonth)
    }

    public static let defaultScenarioWeights: [TransferScenario: Int] = [
        .invoiceCode: 300, .studentCode: 90, .codeLowercaseDiacritics: 60, .codeSplit: 50, .codeTruncatedAfter: 50,
        .partial: 30, .partialThenRest: 20, .over: 30, .virtualAccount: 120, .duplicate: 15,
        .typoSubstitution: 25, .typoTransposition: 20, .nameOnlyStudent: 60, .nameOnlyGuardian: 50, .anonymous: 10,
    ]
}

/// How a transfer came about; the ground truth the matcher is measured against.
public enum TransferScenario: String, Sendable, Codable, CaseIterable {
    /// The invoice's code in a bank-wrapped memo, exact amount.
    case invoiceCode
    /// The student's standing code; pays all the student's open invoices.
    case studentCode
    /// Code and memo in lower case with diacritics.
    case codeLowercaseDiacritics
    /// Code split by dots or spaces.
    case codeSplit
    /// Memo cut right after the code.
    case codeTruncatedAfter
    /// Code, less than owed.
    case partial
    /// Code, two transfers that together pay the invoice.
    case partialThenRest
    /// Code, more than owed: the excess is credit.
    case over
    /// Sent to the student's virtual account.
    case virtualAccount
    /// The same coded transfer sent a second time: all credit.
    case duplicate
    /// Code with one character mistyped.
    case typoSubstitution
    /// Code with two adjacent characters swapped.
    case typoTransposition
    /// No code; the student's name in the memo.
    case nameOnlyStudent
    /// No code; the guardian as payer or in the memo.
    case nameOnlyGuardian
    /// No code, no known name: only the amount.
    case anonymous
    /// One transfer for siblings, each sibling's code in the memo.
    case siblingsCodes
    /// One transfer for siblings by the guardian's name, the family total.
    case siblingsByName
    /// Not tuition: bank interest, cash deposits, refunds, donations.
    case notTuition

    /// The transfer carries a valid code or a virtual account: it must be applied automatically.
    public var carriesValidReference: Bool {
        switch self {
        case .invoiceCode, .studentCode, .codeLowercaseDiacritics, .codeSplit, .codeTruncatedAfter, .partial,
             .partialThenRest, .over, .virtualAccount, .duplicate, .siblingsCodes:
            return true
        case .typoSubstitution, .typoTransposition, .nameOnlyStudent, .nameOnlyGuardian, .anonymous, .siblingsByName,
             .notTuition:
            return false
        }
    }

    /// Scenarios a single student's payment is drawn from, in a fixed order.
    static let perStudent: [TransferScenario] = [
        .invoiceCode, .studentCode, .codeLowercaseDiacritics, .codeSplit, .codeTruncatedAfter, .partial, .partialThenRest,
        .over, .virtualAccount, .duplicate, .typoSubstitution, .typoTransposition, .nameOnlyStudent, .nameOnlyGuardian,
        .anonymous,
    ]
}
