import Core
import Ledger

/// Where a schedule stands against the provincial catalogue: recorded with it and shown in every finance report.
public enum CataloguePlacement: Hashable, Sendable {
    /// Checked against this resolution's cap for the school's level and area class.
    case withinCatalogue(resolution: String)
    /// Set outside the catalogue, for this recorded reason.
    case outsideCatalogue(reason: String)
    /// No catalogue applies: a non-public school, or no catalogue installed for the school year.
    case noCatalogue
}

/// The pure rule placing a schedule against the catalogue in force (docs/billing.md, "Fee catalogue").
public enum CatalogueCheck {
    public static let reasonCharactersMax = 500

    /// Checks a schedule of `fee` for `school`; `catalogue` is the one governing the schedule's school year.
    /// Provincial catalogues govern public schools: a non-public school's schedules are not placed.
    public static func place(_ input: FeeScheduleInput, months: Int, fee: FeeType, school: School,
                             catalogue: FeeCatalogue?) throws(BillingError) -> CataloguePlacement {
        let reason = try checkedReason(input.outsideCatalogueReason)
        guard school.ownership == .public, let catalogue else { return reason.map { .outsideCatalogue(reason: $0) } ?? .noCatalogue }
        let item = catalogue.item(fee.code)
        guard let item, let cap = item.cap(level: school.level, area: school.areaClass) else {
            guard let reason else {
                let why = item == nil ? "is not an item" : "has no cap for \(school.level.rawValue) schools in \(school.areaClass.rawValue) areas"
                throw .outsideCatalogue(fee: fee.code, resolution: catalogue.resolution, why: why)
            }
            return .outsideCatalogue(reason: reason)
        }
        guard reason == nil else {
            throw .invalidField(field: "outside_catalogue_reason", problem: "\(fee.code) is item '\(item.name)' of resolution "
                                + "\(catalogue.resolution), whose cap applies; a reason is only for fees the catalogue does not list")
        }
        guard input.rateUnit == .month || item.unit == .day else {
            throw .invalidField(field: "rate_unit", problem: "catalogue item '\(item.name)' is priced per \(item.unit.rawValue), not per day")
        }
        guard item.kind.acceptedFeeKinds.contains(fee.kind) else {
            throw .invalidField(field: "kind", problem: "\(fee.code) is a \(fee.kind.rawValue) fee but catalogue item '\(item.name)' is "
                                + "\(item.kind.rawValue) (a \(item.kind.feeKind.rawValue) fee)")
        }
        // A cap limits what parents pay: with a state-paid share, the family's part is compared. A fixed monthly
        // share on a day rate is not taken off the day rate (how many days it spreads over is not known yet).
        var familyAmount = input.monthlyAmount
        let fixedOnDayRate = input.rateUnit == .day && input.stateShareDong != nil
        if let share = input.stateShare, input.monthlyAmount.dong >= 1, !fixedOnDayRate {
            familyAmount = Money(dong: share.split(whole: input.monthlyAmount.dong, fullMonth: input.monthlyAmount.dong).family)
        }
        let excess = try BillingError.wrapping {
            try CatalogueCapRule.excess(monthlyAmount: familyAmount, months: months, unit: item.unit, cap: cap, rateUnit: input.rateUnit)
        }
        if let excess {
            throw .aboveCatalogueCap(fee: fee.code, item: item.name, charged: excess.charged, cap: excess.allowed,
                                     measure: input.rateUnit == .day ? "per day" : measure(item.unit, months: months),
                                     resolution: catalogue.resolution)
        }
        return .withinCatalogue(resolution: catalogue.resolution)
    }

    /// What the compared amounts measure, for the refusal.
    static func measure(_ unit: CatalogueUnit, months: Int) -> String {
        switch unit {
        case .month: return "per month"
        case .day: return "per month (the day cap × \(CatalogueCapRule.schoolDaysPerMonthMax) school days)"
        case .term: return "over \(months) months (\(CatalogueCapRule.termsPerYear) terms' caps)"
        case .year, .once: return "over \(months) months (one \(unit.rawValue) cap)"
        }
    }

    static func checkedReason(_ reason: String?) throws(BillingError) -> String? {
        guard let reason else { return nil }
        let trimmed = StudentRules.collapse(reason)
        guard !trimmed.isEmpty, trimmed.count <= reasonCharactersMax, !StudentRules.hasControl(reason) else {
            throw .invalidField(field: "outside_catalogue_reason", problem: "1 to \(reasonCharactersMax) characters")
        }
        return trimmed
    }
}
