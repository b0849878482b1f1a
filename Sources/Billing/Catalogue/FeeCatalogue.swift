import Core

/// What a catalogue item is, as the provincial resolution classes it.
public enum CatalogueItemKind: String, Sendable, Codable, CaseIterable {
    /// A service the school provides (meals and semi-boarding care, boarding, drinking water, clean-up, extra classes).
    case service
    /// Collected for someone else and passed on (health insurance, uniforms, supplies).
    case passThrough = "pass_through"
    /// Only for pupils whose parents signed up (clubs).
    case voluntary
    /// Học phí: only non-public schools bill it from the 2025–26 school year.
    case tuition

    /// The fee kind a school's new fee type for this item takes: it decides the account the item credits
    /// (`FeeKind.accountPurpose`): a service is the school's revenue, a pass-through item a payable.
    public var feeKind: FeeKind {
        switch self {
        case .tuition: return .tuition
        case .service: return .service
        case .passThrough, .voluntary: return .agreedCollection
        }
    }

    /// The fee kinds a fee type scheduled as this item may have. A service item also takes `agreed_collection`,
    /// the kind every fee type had before service revenue had its own account (migration 0017), so such schools keep
    /// working; a voluntary item may be a service of the school (a club it runs) or collected for others.
    public var acceptedFeeKinds: Set<FeeKind> {
        switch self {
        case .tuition: return [.tuition]
        case .service, .voluntary: return [.service, .agreedCollection]
        case .passThrough: return [.agreedCollection]
        }
    }
}

/// The unit a catalogue cap is stated in.
public enum CatalogueUnit: String, Sendable, Codable, CaseIterable {
    case month, day, term, year, once

    public var vietnameseName: String {
        switch self {
        case .month: return "tháng"
        case .day: return "ngày"
        case .term: return "học kỳ"
        case .year: return "năm học"
        case .once: return "lần"
        }
    }
}

/// One item of a provincial catalogue: the most a school of a level in an area class may charge per unit.
public struct FeeCatalogueItem: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var kind: CatalogueItemKind
    public var unit: CatalogueUnit
    /// Cap in đồng per unit, by school level then area class. A level without caps does not offer the item.
    public var caps: [SchoolLevel: [AreaClass: Money]]

    public init(code: String, name: String, kind: CatalogueItemKind, unit: CatalogueUnit, caps: [SchoolLevel: [AreaClass: Money]]) {
        self.code = code
        self.name = name
        self.kind = kind
        self.unit = unit
        self.caps = caps
    }

    public func cap(level: SchoolLevel, area: AreaClass) -> Money? { caps[level]?[area] }
}

/// One provincial People's Council resolution adopting a fee catalogue with caps.
public struct FeeCatalogue: Hashable, Sendable, Codable {
    /// The resolution's number, e.g. `12/2025/NQ-HĐND`.
    public var resolution: String
    public var adoptedOn: CalendarDate
    public var province: String
    public var title: String
    /// School years (named by the year they start) the caps govern, in order.
    public var schoolYears: ClosedRange<Int>
    /// True when the figures are not the province's own (stated in the file).
    public var illustrative: Bool
    public var note: String
    public var items: [FeeCatalogueItem]

    public init(resolution: String, adoptedOn: CalendarDate, province: String, title: String, schoolYears: ClosedRange<Int>,
                illustrative: Bool, note: String, items: [FeeCatalogueItem]) {
        self.resolution = resolution
        self.adoptedOn = adoptedOn
        self.province = province
        self.title = title
        self.schoolYears = schoolYears
        self.illustrative = illustrative
        self.note = note
        self.items = items
    }

    public func item(_ code: String) -> FeeCatalogueItem? { items.first { $0.code == code } }
}

/// The pure rule comparing a schedule with its catalogue cap.
///
/// A schedule bills `monthlyAmount` in each of its months; a cap is per unit of the item. They are compared
/// over what the unit covers: a month item per month; a term item over the year against two terms' caps; a
/// year or once item over the year against one cap. A day item is best scheduled per day (its rate against the
/// day cap); scheduled monthly, its amount is compared with the cap × `schoolDaysPerMonthMax`.
public enum CatalogueCapRule {
    /// The most school days a month can hold (23 weekdays).
    public static let schoolDaysPerMonthMax: Int64 = 23
    public static let termsPerYear: Int64 = 2

    /// What the schedule charges and what the cap allows, in the same measure; nil when within the cap.
    public static func excess(monthlyAmount: Money, months: Int, unit: CatalogueUnit, cap: Money,
                              rateUnit: RateUnit = .month) throws(MoneyError) -> (charged: Money, allowed: Money)? {
        // A per-day schedule states the day rate itself: compared with the day cap as it is.
        if rateUnit == .day { return monthlyAmount > cap ? (monthlyAmount, cap) : nil }
        let (charged, allowed): (Money, Money)
        switch unit {
        case .month: (charged, allowed) = (monthlyAmount, cap)
        case .day: (charged, allowed) = (monthlyAmount, try cap.multiplied(by: schoolDaysPerMonthMax))
        case .term: (charged, allowed) = (try monthlyAmount.multiplied(by: Int64(months)), try cap.multiplied(by: termsPerYear))
        case .year, .once: (charged, allowed) = (try monthlyAmount.multiplied(by: Int64(months)), cap)
        }
        return charged > allowed ? (charged, allowed) : nil
    }
}
