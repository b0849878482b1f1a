import Core
import Foundation

/// Where a school's month stands.
public enum MonthlyReconciliationState: String, Sendable, Codable, CaseIterable {
    /// Every bank account's ledger balance agrees with its statement, or the difference is fully explained.
    case agrees
    /// Some difference is not explained: someone has to look.
    case differences
    /// The month was reconciled and closed: its postings are locked.
    case closed

    public var vietnameseName: String {
        switch self {
        case .agrees: return "Khớp"
        case .differences: return "Có chênh lệch"
        case .closed: return "Đã khóa sổ"
        }
    }

    /// The sentence under the state banner.
    var explanation: String {
        switch self {
        case .agrees: return "Số dư sổ sách khớp với sao kê ngân hàng (sau khi trừ các khoản giải thích). Có thể khóa sổ."
        case .differences: return "Còn chênh lệch chưa giải thích giữa sổ sách và sao kê ngân hàng. Cần kiểm tra trước khi khóa sổ."
        case .closed: return "Tháng đã được đối soát và khóa sổ; số liệu không còn thay đổi."
        }
    }
}

/// The school a report is about.
public struct ReportSchool: Hashable, Sendable, Codable {
    public var id: Int64
    public var code: String
    public var name: String
    /// Where the school is: its commune or ward, or its former district (`School.placeName`).
    public var district: String

    public init(id: Int64, code: String, name: String, district: String) {
        self.id = id
        self.code = code
        self.name = name
        self.district = district
    }
}

/// A school's monthly reconciliation report: does the money agree, what is open, what needs a person.
///
/// A value is always valid and canonical: the initialiser (and decoding) checks bounds, truncates `generatedAt` to
/// whole seconds and sorts every list into a fixed order, so the JSON rendering, and the hash of it, depends only on
/// the report's content, not on the order rows came from the database.
public struct MonthlyReconciliationReport: Hashable, Sendable, Codable {
    public let school: ReportSchool
    public let month: CalendarMonth
    /// When the report was generated, to the second.
    public let generatedAt: Date
    /// The reconciliation run the report belongs to, if any.
    public let runId: Int64?
    public let state: MonthlyReconciliationState
    public let totals: CollectionFigures
    /// Sorted by bank name, then account number.
    public let bankAccounts: [BankAccountAgreement]
    /// Sorted by booking date, then transaction id.
    public let unapplied: [UnappliedItem]
    public let outstandingAging: OutstandingAging
    /// Largest balance first, then family key.
    public let familyCredits: [FamilyCredit]
    public let exceptions: ReportExceptions
    /// Oldest month first, each month once.
    public let collectionByMonth: [MonthlyCollection]
    /// The month's bank-collection reconciliations (end-of-day files), by day then provider; empty for
    /// a school without collection connections.
    public let collectionDays: [CollectionDayResult]

    public init(
        school: ReportSchool, month: CalendarMonth, generatedAt: Date, runId: Int64?, state: MonthlyReconciliationState,
        totals: CollectionFigures, bankAccounts: [BankAccountAgreement], unapplied: [UnappliedItem],
        outstandingAging: OutstandingAging, familyCredits: [FamilyCredit], exceptions: ReportExceptions,
        collectionByMonth: [MonthlyCollection], collectionDays: [CollectionDayResult] = []
    ) throws(ReportError) {
        try MonthlyReconciliationReport.validate(school)
        try totals.validate("totals")
        self.school = school
        self.month = month
        self.generatedAt = Date(timeIntervalSince1970: generatedAt.timeIntervalSince1970.rounded(.down))
        self.runId = runId
        self.state = state
        self.totals = totals
        self.bankAccounts = try MonthlyReconciliationReport.canonical(bankAccounts)
        self.unapplied = try MonthlyReconciliationReport.canonical(unapplied, month: month)
        self.outstandingAging = try outstandingAging.validated()
        self.familyCredits = try MonthlyReconciliationReport.canonical(familyCredits)
        self.exceptions = try MonthlyReconciliationReport.canonical(exceptions)
        self.collectionByMonth = try MonthlyReconciliationReport.canonical(collectionByMonth)
        self.collectionDays = try MonthlyReconciliationReport.canonical(collectionDays, month: month)
    }

    /// The day ages are counted to: the month's last day, or the day the report was generated if earlier.
    public var asOfDate: CalendarDate { min(month.lastDay, VietnamTime.date(of: generatedAt)) }

    /// The sum of the unapplied items.
    public var unappliedTotal: Money { Money(dong: ReportSum.of(unapplied.map(\.amount))) }

    /// The sum of the family credits.
    public var familyCreditTotal: Money { Money(dong: ReportSum.of(familyCredits.map(\.balance))) }
}

extension MonthlyReconciliationReport {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            school: container.decode(ReportSchool.self, forKey: .school),
            month: container.decode(CalendarMonth.self, forKey: .month),
            generatedAt: container.decode(Date.self, forKey: .generatedAt),
            runId: container.decodeIfPresent(Int64.self, forKey: .runId),
            state: container.decode(MonthlyReconciliationState.self, forKey: .state),
            totals: container.decode(CollectionFigures.self, forKey: .totals),
            bankAccounts: container.decode([BankAccountAgreement].self, forKey: .bankAccounts),
            unapplied: container.decode([UnappliedItem].self, forKey: .unapplied),
            outstandingAging: container.decode(OutstandingAging.self, forKey: .outstandingAging),
            familyCredits: container.decode([FamilyCredit].self, forKey: .familyCredits),
            exceptions: container.decode(ReportExceptions.self, forKey: .exceptions),
            collectionByMonth: container.decode([MonthlyCollection].self, forKey: .collectionByMonth),
            collectionDays: container.decodeIfPresent([CollectionDayResult].self, forKey: .collectionDays) ?? [])
    }
}
