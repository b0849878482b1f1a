import Core
import Foundation
import Ledger
import Reconciliation

/// A school as the open data feed publishes it: identified by its official code, with where it is and who
/// manages it. Nothing about pupils, accounts or money.
struct FeedSchool: Codable, Hashable, APIExample {
    var officialCode: String
    var name: String
    var level: SchoolLevel
    var ownership: SchoolOwnership
    var areaClass: AreaClass
    var communeCode: String?
    var communeName: String?
    var authorityCode: String
    var authorityName: String
    var authorityKind: AuthorityKind

    static let example = FeedSchool(officialCode: "19000123", name: "Trường THCS Ba Đình", level: .lowerSecondary, ownership: .public,
                                    areaClass: .urban, communeCode: "05500", communeName: "Phường Phan Đình Phùng",
                                    authorityCode: "UBND-05500", authorityName: "UBND Phường Phan Đình Phùng", authorityKind: .commune)

    init(officialCode: String, name: String, level: SchoolLevel, ownership: SchoolOwnership, areaClass: AreaClass, communeCode: String?,
         communeName: String?, authorityCode: String, authorityName: String, authorityKind: AuthorityKind) {
        self.officialCode = officialCode
        self.name = name
        self.level = level
        self.ownership = ownership
        self.areaClass = areaClass
        self.communeCode = communeCode
        self.communeName = communeName
        self.authorityCode = authorityCode
        self.authorityName = authorityName
        self.authorityKind = authorityKind
    }

    init(_ school: School) {
        self.init(officialCode: school.officialCode ?? school.code, name: school.name, level: school.level, ownership: school.ownership,
                  areaClass: school.areaClass, communeCode: school.commune?.code, communeName: school.commune?.name,
                  authorityCode: school.authority.code, authorityName: school.authority.name, authorityKind: school.authority.kind)
    }
}

struct FeedSchoolPage: Codable, APIExample {
    /// The feed's format version; a change that breaks readers gets a new `/v2` path.
    var version: Int
    var items: [FeedSchool]
    /// Pass as `cursor` for the next page; absent on the last page.
    var nextCursor: String?
    static let example = FeedSchoolPage(version: FeedEndpoints.version, items: [FeedSchool.example], nextCursor: "MTkwMDAxMjM")
}

/// A rate as the feed states it: basis points (null: no data) beside the percentage text.
struct FeedRate: Codable, Hashable {
    var basisPoints: Int64?
    var display: String

    init(_ rate: BasisPoints?) {
        basisPoints = rate?.value
        display = BasisPoints.vietnamesePercent(rate)
    }
}

/// Aggregated KPI figures of a group of schools: counts and sums only.
struct FeedKPIFigures: Codable, Hashable {
    var generalEducationSchools: Int
    var schoolsCollectingThroughBanks: Int
    var bankSchoolShare: FeedRate
    var bankPayments: Int
    var cashPayments: Int
    var bankAmount: Money
    var cashAmount: Money
    var cashlessShareByCount: FeedRate
    var cashlessShareByValue: FeedRate

    init(_ figures: KPIFigures) {
        generalEducationSchools = figures.generalSchools
        schoolsCollectingThroughBanks = figures.bankSchools
        bankSchoolShare = FeedRate(figures.bankSchoolShare)
        bankPayments = figures.bankPayments
        cashPayments = figures.cashPayments
        bankAmount = figures.bankAmount
        cashAmount = figures.cashAmount
        cashlessShareByCount = FeedRate(figures.cashlessShareByCount)
        cashlessShareByValue = FeedRate(figures.cashlessShareByValue)
    }
}

struct FeedKPIAuthority: Codable, Hashable {
    var authorityCode: String
    var authorityName: String
    var authorityKind: AuthorityKind
    var figures: FeedKPIFigures
}

struct FeedKPIMonth: Codable, Hashable {
    var month: CalendarMonth
    var figures: FeedKPIFigures
}

struct FeedKPIPage: Codable, APIExample {
    var version: Int
    var month: CalendarMonth
    var definition: String
    var targetBankSchools2025: FeedRate
    var targetCashless2030: FeedRate
    var province: FeedKPIFigures
    /// The province by month, September through `month`.
    var trend: [FeedKPIMonth]
    /// Authorities in code order, one page of them.
    var items: [FeedKPIAuthority]
    var nextCursor: String?

    static let example: FeedKPIPage = {
        let figures = FeedKPIFigures(KPIFigures(generalSchools: 12, bankSchools: 4, bankPayments: 310, cashPayments: 95,
                                                bankAmount: Money(dong: 152_000_000), cashAmount: Money(dong: 41_500_000)))
        let month = try! CalendarMonth(year: 2026, month: 9)
        return FeedKPIPage(version: FeedEndpoints.version, month: month, definition: KPIReport.definition,
                           targetBankSchools2025: FeedRate(KPITargets.bankSchools2025), targetCashless2030: FeedRate(KPITargets.cashless2030),
                           province: figures, trend: [FeedKPIMonth(month: month, figures: figures)],
                           items: [FeedKPIAuthority(authorityCode: "UBND-05500", authorityName: "UBND Phường Phan Đình Phùng",
                                                    authorityKind: .commune, figures: figures)],
                           nextCursor: nil)
    }()
}
