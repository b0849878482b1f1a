/// The school levels of Vietnamese education (docs/domain.md §1). Raw values are what the database stores.
public enum SchoolLevel: String, Sendable, Codable, CaseIterable {
    case preschool
    case primary
    case lowerSecondary = "lower_secondary"
    case upperSecondary = "upper_secondary"
    case continuing

    /// Tuition is billed for at most 9 months per school year in preschool and general education: Decree 81/2021
    /// Art. 12 until 2024–25, then Decree 238/2025, which replaced it (Billing.TuitionRegime cites the basis by year).
    public var billableMonthsPerYearMax: Int { self == .continuing ? 12 : 9 }

    /// The grades a school of this level teaches. Preschool: 0 nhà trẻ, 1 mầm, 2 chồi, 3 lá;
    /// continuing education teaches the lower and upper secondary programmes.
    public var grades: ClosedRange<Int> {
        switch self {
        case .preschool: return 0...3
        case .primary: return 1...5
        case .lowerSecondary: return 6...9
        case .upperSecondary: return 10...12
        case .continuing: return 6...12
        }
    }

    /// The short name reports use.
    public var vietnameseName: String {
        switch self {
        case .preschool: return "Mầm non"
        case .primary: return "Tiểu học"
        case .lowerSecondary: return "THCS"
        case .upperSecondary: return "THPT"
        case .continuing: return "GDTX"
        }
    }
}
