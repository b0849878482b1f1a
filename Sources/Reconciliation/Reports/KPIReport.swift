import Core
import Foundation

/// The plan's targets, counted in schools: 25 % of general-education schools collecting through banks by 2025,
/// 80 % cashless by 2030 (docs/reports.md, "KPI report").
public enum KPITargets {
    public static let bankSchools2025 = BasisPoints(2_500)
    public static let cashless2030 = BasisPoints(8_000)
}

/// The period a KPI report covers: one month, or a school year (September through August).
public enum KPIPeriod: Hashable, Sendable {
    case month(CalendarMonth)
    case schoolYear(Int)

    /// The months of the trend: the school year from September through the report's month (a month), or
    /// the whole school year (a year).
    public var trendMonths: [CalendarMonth] {
        let september: CalendarMonth
        let last: CalendarMonth
        switch self {
        case .month(let month):
            september = month.schoolYearStart
            last = month
        case .schoolYear(let year):
            september = try! CalendarMonth(year: year, month: 9)
            last = september.adding(months: 11)
        }
        return (0...september.months(until: last)).map { september.adding(months: $0) }
    }

    /// The months whose payments the period's figures count.
    public var months: [CalendarMonth] {
        switch self {
        case .month(let month): return [month]
        case .schoolYear: return trendMonths
        }
    }

    /// "2026-09" or "2026-2027".
    public var iso: String {
        switch self {
        case .month(let month): return month.iso
        case .schoolYear(let year): return "\(year)-\(year + 1)"
        }
    }

    public var vietnameseTitle: String {
        switch self {
        case .month(let month): return ReportFormat.monthTitle(month)
        case .schoolYear(let year): return "Năm học \(year)–\(year + 1)"
        }
    }
}

/// The KPI figures of a group of schools (an authority, the province, a month of the trend).
///
/// - generalSchools: general-education schools (primary, lower and upper secondary) in the group;
/// - bankSchools: of them, those with at least one bank payment applied in the period (and not unapplied by its end);
/// - payments and amounts: money collected from every school of the group in the period, by bank and in cash,
///   counted in payments (receipts) and summed in đồng, as the province report counts "collected".
public struct KPIFigures: Hashable, Sendable {
    public var generalSchools: Int
    public var bankSchools: Int
    public var bankPayments: Int
    public var cashPayments: Int
    public var bankAmount: Money
    public var cashAmount: Money

    public init(generalSchools: Int = 0, bankSchools: Int = 0, bankPayments: Int = 0, cashPayments: Int = 0,
                bankAmount: Money = .zero, cashAmount: Money = .zero) {
        self.generalSchools = generalSchools
        self.bankSchools = bankSchools
        self.bankPayments = bankPayments
        self.cashPayments = cashPayments
        self.bankAmount = bankAmount
        self.cashAmount = cashAmount
    }

    /// Schools collecting through banks / general-education schools; nil without general-education schools.
    public var bankSchoolShare: BasisPoints? { .ratio(Int64(bankSchools), of: Int64(generalSchools)) }
    /// Bank payments / all payments; nil without payments.
    public var cashlessShareByCount: BasisPoints? { .ratio(Int64(bankPayments), of: Int64(bankPayments) + Int64(cashPayments)) }
    /// Bank money / all money collected; nil when nothing was collected.
    public var cashlessShareByValue: BasisPoints? {
        .ratio(bankAmount.dong, of: ReportSum.of([bankAmount.dong, cashAmount.dong]))
    }

    /// The sum of two groups; within `Int64` by the report limits (`provinceSchoolsMax` schools, amounts ≤ 10¹⁵).
    public func adding(_ other: KPIFigures) -> KPIFigures {
        KPIFigures(generalSchools: generalSchools + other.generalSchools, bankSchools: bankSchools + other.bankSchools,
                   bankPayments: bankPayments + other.bankPayments, cashPayments: cashPayments + other.cashPayments,
                   bankAmount: Money(dong: ReportSum.of([bankAmount.dong, other.bankAmount.dong])),
                   cashAmount: Money(dong: ReportSum.of([cashAmount.dong, other.cashAmount.dong])))
    }

    func validate(_ field: String) throws(ReportError) {
        try ReportValidation.amount(bankAmount, field + ".bankAmount")
        try ReportValidation.amount(cashAmount, field + ".cashAmount")
        for (name, count) in [("generalSchools", generalSchools), ("bankSchools", bankSchools),
                              ("bankPayments", bankPayments), ("cashPayments", cashPayments)] {
            guard (0...ReportLimits.statedCountMax).contains(count) else {
                throw ReportError.tooManyItems(field: field + "." + name, count: count, max: ReportLimits.statedCountMax)
            }
        }
        guard bankSchools <= generalSchools else {
            throw ReportError.tooManyItems(field: field + ".bankSchools", count: bankSchools, max: generalSchools)
        }
    }
}

/// One managing authority's line of the KPI report.
public struct KPIAuthorityRow: Hashable, Sendable {
    public var code: String
    public var name: String
    public var kind: AuthorityKind
    public var figures: KPIFigures

    public init(code: String, name: String, kind: AuthorityKind, figures: KPIFigures) {
        self.code = code
        self.name = name
        self.kind = kind
        self.figures = figures
    }
}

/// The province's figures for one month of the trend.
public struct KPIMonthPoint: Hashable, Sendable {
    public var month: CalendarMonth
    public var figures: KPIFigures

    public init(month: CalendarMonth, figures: KPIFigures) {
        self.month = month
        self.figures = figures
    }
}

/// "How many of our general-education schools collect through banks, per managing authority, and are we on
/// track": the period's figures per authority and for the province, and the province's trend by month.
/// Authorities sort the department first, then by Vietnamese name; the province totals are the sum of the authorities.
public struct KPIReport: Hashable, Sendable {
    public var provinceName: String
    public var period: KPIPeriod
    public var generatedAt: Date
    public var authorities: [KPIAuthorityRow]
    public var trend: [KPIMonthPoint]

    /// What the report counts, stated in every rendering.
    public static let definition = "Trường thu qua ngân hàng: trường phổ thông (tiểu học, THCS, THPT) có ít nhất một khoản "
        + "thanh toán qua ngân hàng được ghi nhận trong kỳ. Tỷ lệ không dùng tiền mặt tính trên mọi khoản đã thu của mọi trường "
        + "trong kỳ, theo số khoản và theo giá trị. Chỉ tiêu: 25 % trường thu qua ngân hàng (2025), 80 % không dùng tiền mặt (2030)."

    public init(provinceName: String, period: KPIPeriod, generatedAt: Date, authorities: [KPIAuthorityRow],
                trend: [KPIMonthPoint]) throws(ReportError) {
        try ReportValidation.text(provinceName, "provinceName")
        guard authorities.count <= ReportLimits.provinceSchoolsMax else {
            throw ReportError.tooManyItems(field: "authorities", count: authorities.count, max: ReportLimits.provinceSchoolsMax)
        }
        guard trend.count <= ReportLimits.seriesMonthsMax else {
            throw ReportError.tooManyItems(field: "trend", count: trend.count, max: ReportLimits.seriesMonthsMax)
        }
        for (index, row) in authorities.enumerated() {
            try ReportValidation.text(row.name, "authorities[\(index)].name")
            try row.figures.validate("authorities[\(index)]")
        }
        for (index, point) in trend.enumerated() { try point.figures.validate("trend[\(index)]") }
        self.provinceName = provinceName
        self.period = period
        self.generatedAt = Date(timeIntervalSince1970: generatedAt.timeIntervalSince1970.rounded(.down))
        self.authorities = authorities.sorted { a, b in
            if (a.kind == .department) != (b.kind == .department) { return a.kind == .department }
            let (keyA, keyB) = (VietnameseText.normalized(a.name), VietnameseText.normalized(b.name))
            return keyA != keyB ? keyA < keyB : a.code < b.code
        }
        self.trend = trend
    }

    /// The province: the sum of every authority.
    public var province: KPIFigures { authorities.reduce(KPIFigures()) { $0.adding($1.figures) } }
}
