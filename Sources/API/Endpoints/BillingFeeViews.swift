import Billing
import Core
import Ledger

struct FeeTypeView: Codable, APIExample {
    var code: String
    var name: String
    /// `tuition` (tuition revenue), `service` (the school's service revenue: meals, boarding, drinking water) or
    /// `agreed_collection` (collected for others and passed on: insurance, uniforms, supplies).
    var kind: String
    /// The ledger account each billed amount is credited to.
    var accountId: Int64
    /// Opt-in (clubs): billed only to pupils enrolled in it.
    var optIn: Bool

    static let example = FeeTypeView(code: "BANTRU", name: "Tiền ăn bán trú", kind: FeeKind.agreedCollection.rawValue, accountId: 41, optIn: false)

    init(code: String, name: String, kind: String, accountId: Int64, optIn: Bool) {
        self.code = code
        self.name = name
        self.kind = kind
        self.accountId = accountId
        self.optIn = optIn
    }

    init(_ fee: FeeType) {
        self.init(code: fee.code, name: fee.name, kind: fee.kind.rawValue, accountId: fee.accountID, optIn: fee.requiresEnrolment)
    }
}

struct FeeTypeList: Codable, APIExample {
    var items: [FeeTypeView]
    static let example = FeeTypeList(items: [FeeTypeView.example])
}

struct FeeTypeRequest: Codable, APIExample {
    var code: String
    var name: String
    var kind: String
    /// true: credit the school's default account of the kind (5111 or 3381) instead of an account of its own.
    var sharedAccount: Bool?
    /// true: an opt-in fee, billed only to enrolled pupils (`POST …/enrolments`).
    var optIn: Bool?

    static let example = FeeTypeRequest(code: "HP", name: "Học phí", kind: FeeKind.tuition.rawValue, sharedAccount: false, optIn: false)
}

struct FeeScheduleView: Codable, APIExample {
    var id: Int64
    var feeType: String
    /// Named by the year it starts: 2026 is September 2026 to August 2027.
    var schoolYear: Int
    /// `school`, `grade`, `category` or `class`: for one student and fee the most specific scope wins.
    var scope: String
    /// The grade, category or class; absent for the whole school.
    var scopeValue: String?
    var monthlyAmount: Money
    /// Calendar month numbers billed, in school-year order.
    var billableMonths: [Int]
    var periods: [CalendarMonth]
    var dueDay: Int
    /// The provincial catalogue resolution the amount was checked against (public schools), when one was.
    var catalogueResolution: String?
    /// Why the fee is charged outside the provincial catalogue, when it is: every finance report shows it.
    var outsideCatalogueReason: String?
    /// `month`, or `day`: `monthlyAmount` is then the rate per school day (meals).
    var rateUnit: String = RateUnit.month.rawValue
    /// The state budget's share of each line in basis points, when it pays one.
    var stateShareBasisPoints: Int? = 3_000
    /// Or the fixed amount in đồng the budget pays per pupil per month (a real schedule has at most one of the two).
    var stateShareDong: Int64? = 800_000

    /// Fills every optional field so the OpenAPI document lists them; a real schedule has at most one of the two catalogue fields.
    static let example = FeeScheduleView(
        id: 12, feeType: "NUOC_UONG", schoolYear: 2026, scope: "grade", scopeValue: "1", monthlyAmount: Money(dong: 12_000),
        billableMonths: FeeScheduleInput.septemberToMay, periods: [try! CalendarMonth(year: 2026, month: 9)], dueDay: 10,
        catalogueResolution: "MINH-HOA/2025/NQ-HĐND", outsideCatalogueReason: "Quỹ lớp do ban đại diện cha mẹ học sinh đề nghị")

    init(id: Int64, feeType: String, schoolYear: Int, scope: String, scopeValue: String?, monthlyAmount: Money, billableMonths: [Int],
         periods: [CalendarMonth], dueDay: Int, catalogueResolution: String? = nil, outsideCatalogueReason: String? = nil) {
        self.id = id
        self.feeType = feeType
        self.schoolYear = schoolYear
        self.scope = scope
        self.scopeValue = scopeValue
        self.monthlyAmount = monthlyAmount
        self.billableMonths = billableMonths
        self.periods = periods
        self.dueDay = dueDay
        self.catalogueResolution = catalogueResolution
        self.outsideCatalogueReason = outsideCatalogueReason
    }

    init(_ schedule: FeeSchedule, feeCode: String) {
        let (scope, value) = FeeScopeName.name(schedule.scope)
        self.init(id: schedule.id, feeType: feeCode, schoolYear: schedule.schoolYear, scope: scope, scopeValue: value,
                  monthlyAmount: schedule.monthlyAmount, billableMonths: schedule.billableMonths, periods: schedule.periods,
                  dueDay: schedule.dueDay, catalogueResolution: schedule.catalogueResolution,
                  outsideCatalogueReason: schedule.outsideCatalogueReason)
        rateUnit = schedule.rateUnit.rawValue
        stateShareBasisPoints = schedule.stateShareBasisPoints
        stateShareDong = schedule.stateShareDong
    }
}

struct FeeScheduleList: Codable, APIExample {
    var schoolYear: Int
    var items: [FeeScheduleView]
    /// True when the school year has more schedules than one response lists.
    var truncated: Bool
    static let example = FeeScheduleList(schoolYear: 2026, items: [FeeScheduleView.example], truncated: false)
}

/// A schedule to create, or to replace (the key is fee type, school year and scope).
struct FeeScheduleRequest: Codable, APIExample {
    var feeType: String
    var schoolYear: Int
    /// `school` when absent.
    var scope: String?
    var scopeValue: String?
    var monthlyAmount: Money
    /// September to May when absent. Tuition: at most 9 months; public schools bill none from 2025–26.
    var billableMonths: [Int]?
    /// 10 when absent.
    var dueDay: Int?
    /// Required, at a public school, for a fee the provincial catalogue does not list; recorded and reported.
    var outsideCatalogueReason: String?
    /// `month` when absent; `day` makes `monthlyAmount` the rate per school day.
    var rateUnit: String?
    /// The state budget's share of each line in basis points (BHYT: 3000); the family is billed the rest.
    var stateShareBasisPoints: Int?
    /// Or a fixed amount in đồng the budget pays per pupil per month (the province's tuition support); not both.
    var stateShareDong: Int64?

    static let example = FeeScheduleRequest(feeType: "HP", schoolYear: 2026, scope: "grade", scopeValue: "1",
                                           monthlyAmount: Money(dong: 1_500_000), billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10,
                                           outsideCatalogueReason: nil, rateUnit: RateUnit.month.rawValue, stateShareBasisPoints: nil,
                                           stateShareDong: nil)
}

/// Scopes by name, as the API writes them.
enum FeeScopeName {
    static let names = ["school", "grade", "category", "class"]
    static let dueDayDefault = 10

    static func name(_ scope: FeeScheduleScope) -> (String, String?) {
        switch scope {
        case .school: return ("school", nil)
        case .grade(let grade): return ("grade", String(grade))
        case .category(let category): return ("category", category)
        case .classroom(let name): return ("class", name)
        }
    }

    /// The scope of `name` and `value`; 422 naming the field otherwise.
    static func scope(_ name: String?, _ value: String?) throws -> FeeScheduleScope {
        switch name ?? "school" {
        case "school":
            guard value == nil || value == "" else { throw BillingRequest.invalid("scope_value", "the whole school takes no value") }
            return .school
        case "grade":
            guard let value, let grade = Int(value) else { throw BillingRequest.invalid("scope_value", "a grade number") }
            return .grade(grade)
        case "category":
            guard let value, !value.isEmpty else { throw BillingRequest.invalid("scope_value", "a student category") }
            return .category(value)
        case "class":
            guard let value, !value.isEmpty else { throw BillingRequest.invalid("scope_value", "a class name") }
            return .classroom(value)
        default:
            throw BillingRequest.invalid("scope", "one of " + names.joined(separator: ", "))
        }
    }
}

struct DiscountView: Codable, APIExample {
    var id: Int64
    /// Absent: every fee of the invoice.
    var feeType: String?
    /// A share: 5,000 is 50 %, 10,000 a full exemption. Exactly one of `basis_points` and `fixed_amount`.
    var basisPoints: Int?
    /// A fixed amount per month.
    var fixedAmount: Money?
    var reason: String
    var validFrom: CalendarMonth
    var validThrough: CalendarMonth?

    static let example = DiscountView(
        id: 7, feeType: "HP", basisPoints: 5_000, fixedAmount: Money(dong: 100_000),
        reason: "Giảm 50% học phí: con thương binh (NĐ 81/2021 Điều 16)", validFrom: try! CalendarMonth(year: 2026, month: 9),
        validThrough: try! CalendarMonth(year: 2027, month: 5))

    init(id: Int64, feeType: String?, basisPoints: Int?, fixedAmount: Money?, reason: String, validFrom: CalendarMonth,
         validThrough: CalendarMonth?) {
        self.id = id
        self.feeType = feeType
        self.basisPoints = basisPoints
        self.fixedAmount = fixedAmount
        self.reason = reason
        self.validFrom = validFrom
        self.validThrough = validThrough
    }

    init(_ discount: StudentDiscount, feeCodes: [Int64: String]) {
        var points: Int?, fixed: Money?
        switch discount.value {
        case .percentage(let value): points = value
        case .fixed(let amount): fixed = amount
        }
        self.init(id: discount.id, feeType: discount.feeTypeID.flatMap { feeCodes[$0] }, basisPoints: points, fixedAmount: fixed,
                  reason: discount.reason, validFrom: discount.validFrom, validThrough: discount.validThrough)
    }
}

struct DiscountList: Codable, APIExample {
    var items: [DiscountView]
    static let example = DiscountList(items: [DiscountView.example])
}

struct DiscountRequest: Codable, APIExample {
    var feeType: String?
    var basisPoints: Int?
    var fixedAmount: Money?
    var reason: String
    var validFrom: CalendarMonth
    /// How many months from `valid_from` it lasts (`Discounts.lengthMonthsMax` at most); open-ended when absent.
    var months: Int?

    static let example = DiscountRequest(
        feeType: "HP", basisPoints: 10_000, fixedAmount: Money(dong: 100_000), reason: "Miễn 100% học phí: hộ nghèo (NĐ 81/2021 Điều 15)",
        validFrom: try! CalendarMonth(year: 2026, month: 9), months: 9)
}

/// What `FeeTypes.check` and the route check.
extension FeeTypeRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] {
        ["code": .patterned(pattern: FeeTypes.codePattern),
         "name": .text(pattern: StudentRules.visibleNoControlPattern, minLength: 1, maxLength: BillingLimits.nameCharactersMax),
         "kind": FeeKind.jsonSchema]
    }
}

/// What `FeeScopeName.scope` and `FeeSchedules.validate` check of the body itself. What depends on the fee type or the
/// school (tuition by the day, a grade the school does not teach, the public-school and catalogue rules, the 9-month
/// cap) is their state: 409 (`BillingFeeEndpoints.setSchedule`, `APIError`).
extension FeeScheduleRequest: APIRequestBody {
    /// An integer `Int(_:)` reads, as a grade scope's value: a sign and up to 18 digits.
    static let gradeValuePattern = "^[+-]?[0-9]{1,18}$"

    static var fieldSchemas: [String: JSONSchema] {
        [
            "school_year": .integerRange(Int64(FeeSchedules.schoolYears.lowerBound)...Int64(FeeSchedules.schoolYears.upperBound)),
            "scope": .string(enumeration: FeeScopeName.names),
            "monthly_amount": .integerRange(0...BillingLimits.monthlyAmountDongMax),
            "billable_months": .distinctArray(.integerRange(1...12), items: 1...12),
            "due_day": .integerRange(1...Int64(FeeSchedules.dueDayMax)),
            "rate_unit": RateUnit.jsonSchema,
            "state_share_basis_points": .integerRange(1...Int64(PayerSplit.basisPointsMax)),
            "state_share_dong": .integerRange(1...BillingLimits.monthlyAmountDongMax),
        ]
    }

    static var crossFieldRules: [JSONSchema] {
        let absent = JSONSchema.null
        func scope(_ name: String, value: JSONSchema) -> JSONSchema {
            .fields(properties: [("scope", .string(enumeration: [name])), ("scope_value", value)], required: ["scope", "scope_value"])
        }
        return [
            // The scope's value goes with its name: none for the whole school.
            .anyOf([.fields(properties: [("scope", .anyOf([absent, .string(enumeration: ["school"])])),
                                         ("scope_value", .anyOf([absent, .string(enumeration: [""])]))], required: []),
                    scope("grade", value: .patterned(pattern: gradeValuePattern)),
                    scope("category", value: .patterned(pattern: StudentRules.exactCategoryPattern)),
                    scope("class", value: .text(pattern: StudentRules.collapsedPattern, minLength: 1, maxLength: StudentRules.classCharactersMax))]),
            // A state share in basis points or in đồng, not both.
            .anyOf([.fields(properties: [("state_share_basis_points", absent)], required: []),
                    .fields(properties: [("state_share_dong", absent)], required: [])]),
        ]
    }
}

/// What `addDiscount` and `Discounts.add` check of the body itself: exactly one of a percentage and a fixed amount,
/// their ranges, a reason, and the discount's months (`Discounts.through`): a start and a length, each checked alone, so
/// no end can precede the start.
extension DiscountRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] {
        ["basis_points": .integerRange(1...Int64(Discounts.basisPointsMax)),
         "fixed_amount": .integerRange(1...BillingLimits.monthlyAmountDongMax),
         "reason": ReasonSchema.reason,
         "valid_from": .patterned(pattern: Discounts.lengthStartPattern),
         "months": .integerRange(1...Int64(Discounts.lengthMonthsMax))]
    }

    static var crossFieldRules: [JSONSchema] {
        let given = JSONSchema.integer
        return [.oneOf([.fields(properties: [("basis_points", given), ("fixed_amount", .null)], required: ["basis_points"]),
                        .fields(properties: [("basis_points", .null), ("fixed_amount", given)], required: ["fixed_amount"])])]
    }
}
