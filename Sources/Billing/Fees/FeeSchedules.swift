import Core
import Ledger
import Postgres

/// Whom a schedule applies to. For one student and fee type the most specific schedule wins:
/// class, then category, then grade, then the whole school.
public enum FeeScheduleScope: Hashable, Sendable, Codable, CustomStringConvertible {
    case school
    case grade(Int)
    case category(String)
    case classroom(String)

    /// `school`, `grade 6`, `category poor_household`, `class 6A1`.
    public var description: String { self == .school ? "school" : "\(kind) \(value)" }

    /// Higher wins.
    public var specificity: Int {
        switch self {
        case .school: return 0
        case .grade: return 1
        case .category: return 2
        case .classroom: return 3
        }
    }

    var kind: String {
        switch self {
        case .school: return "school"
        case .grade: return "grade"
        case .category: return "category"
        case .classroom: return "class"
        }
    }

    var value: String {
        switch self {
        case .school: return ""
        case .grade(let grade): return String(grade)
        case .category(let category): return category
        case .classroom(let name): return name
        }
    }

    init?(kind: String, value: String) {
        switch kind {
        case "school": self = .school
        case "grade": guard let grade = Int(value) else { return nil }; self = .grade(grade)
        case "category": self = .category(value)
        case "class": self = .classroom(value)
        default: return nil
        }
    }

    /// True when the schedule applies to a student of this grade, category and class.
    public func matches(grade: Int, category: String, className: String) -> Bool {
        switch self {
        case .school: return true
        case .grade(let wanted): return wanted == grade
        case .category(let wanted): return wanted == category
        case .classroom(let wanted): return wanted == className
        }
    }
}

/// What a schedule's amount is per: a month, or a school day (meals, after-hours care: billed days × rate).
public enum RateUnit: String, Hashable, Sendable, Codable, CaseIterable {
    case month
    case day
}

/// What a fee costs per month in a school year for the students of a scope.
public struct FeeSchedule: Hashable, Sendable, Codable {
    public var id: Int64
    public var feeTypeID: Int64
    /// Named by the year it starts: 2026 is September 2026 to August 2027.
    public var schoolYear: Int
    public var scope: FeeScheduleScope
    /// Per month; 0 means this scope is not billed the fee (and still wins over less specific scopes).
    public var monthlyAmount: Money
    /// Calendar month numbers billed (9 = September), in school-year order.
    public var billableMonths: [Int]
    /// Day of the month the invoice is due (1–28).
    public var dueDay: Int
    /// The catalogue resolution the amount was checked against, when one was.
    public var catalogueResolution: String?
    /// Why the fee is charged outside the provincial catalogue, when it is.
    public var outsideCatalogueReason: String?
    /// `.day`: `monthlyAmount` is the rate per school day, billed for the days of the month less earlier absences.
    public var rateUnit: RateUnit
    /// The share the state budget pays, in basis points (`PayerSplit`); nil when the family pays it all.
    public var stateShareBasisPoints: Int?
    /// Or a fixed amount the state pays per pupil per month (the province's support), in đồng.
    public var stateShareDong: Int64?

    /// What the state budget pays of each line, if anything.
    public var stateShare: StateShare? { StateShare(basisPoints: stateShareBasisPoints, fixedDong: stateShareDong) }

    public init(id: Int64, feeTypeID: Int64, schoolYear: Int, scope: FeeScheduleScope, monthlyAmount: Money, billableMonths: [Int], dueDay: Int,
                catalogueResolution: String? = nil, outsideCatalogueReason: String? = nil, rateUnit: RateUnit = .month,
                stateShareBasisPoints: Int? = nil, stateShareDong: Int64? = nil) {
        self.id = id
        self.feeTypeID = feeTypeID
        self.schoolYear = schoolYear
        self.scope = scope
        self.monthlyAmount = monthlyAmount
        self.billableMonths = billableMonths
        self.dueDay = dueDay
        self.catalogueResolution = catalogueResolution
        self.outsideCatalogueReason = outsideCatalogueReason
        self.rateUnit = rateUnit
        self.stateShareBasisPoints = stateShareBasisPoints
        self.stateShareDong = stateShareDong
    }

    /// How the schedule stands against the provincial catalogue, in the words reports print.
    public var catalogueNote: String {
        if let reason = outsideCatalogueReason { return "OUTSIDE CATALOGUE: \(reason)" }
        if let resolution = catalogueResolution { return "within catalogue \(resolution)" }
        return "no catalogue"
    }

    /// The billed months as calendar months of the school year.
    public var periods: [CalendarMonth] { billableMonths.map { FeeSchedules.month($0, ofSchoolYear: schoolYear) } }

    public func bills(_ period: CalendarMonth) -> Bool {
        period.schoolYear == schoolYear && billableMonths.contains(period.month)
    }
}

/// A schedule to create or replace (the key is fee type, school year and scope).
public struct FeeScheduleInput: Hashable, Sendable, Codable {
    public var feeTypeID: Int64
    public var schoolYear: Int
    public var scope: FeeScheduleScope
    public var monthlyAmount: Money
    public var billableMonths: [Int]
    public var dueDay: Int
    /// Set to charge a fee the provincial catalogue does not list for the school: the reason is recorded and reported.
    public var outsideCatalogueReason: String?
    /// `.day` for a rate per school day.
    public var rateUnit: RateUnit
    /// The state budget's share in basis points (1–9,999), e.g. 3,000 for BHYT's 30 %.
    public var stateShareBasisPoints: Int?
    /// Or the fixed amount the budget pays per pupil per month, in đồng (not both).
    public var stateShareDong: Int64?

    public var stateShare: StateShare? { StateShare(basisPoints: stateShareBasisPoints, fixedDong: stateShareDong) }

    public init(feeTypeID: Int64, schoolYear: Int, scope: FeeScheduleScope, monthlyAmount: Money, billableMonths: [Int], dueDay: Int,
                outsideCatalogueReason: String? = nil, rateUnit: RateUnit = .month, stateShareBasisPoints: Int? = nil,
                stateShareDong: Int64? = nil) {
        self.feeTypeID = feeTypeID
        self.schoolYear = schoolYear
        self.scope = scope
        self.monthlyAmount = monthlyAmount
        self.billableMonths = billableMonths
        self.dueDay = dueDay
        self.outsideCatalogueReason = outsideCatalogueReason
        self.rateUnit = rateUnit
        self.stateShareBasisPoints = stateShareBasisPoints
        self.stateShareDong = stateShareDong
    }

    /// The nine months of a general-education school year, September to May.
    public static let septemberToMay = [9, 10, 11, 12, 1, 2, 3, 4, 5]
}

/// Fee schedules of a school. Every function runs inside the caller's transaction.
public enum FeeSchedules {
    public static let dueDayMax = 28
    public static let schoolYears = 2000...2998

    /// Creates the schedule, or replaces the one with the same fee type, school year and scope.
    /// Already issued invoices keep their lines; the schedule applies to what is issued next.
    /// Refused: tuition at a public school from 2025–26, an amount above the catalogue's cap for the school's
    /// level and area class, and a fee the catalogue does not list unless a reason for charging it is given.
    @discardableResult
    public static func set(schoolID: Int64, _ input: FeeScheduleInput, on connection: PostgresConnection) throws(BillingError) -> FeeSchedule {
        let school = try BillingSchool.load(schoolID, on: connection)
        let feeType = try BillingError.wrapping { try FeeTypes.find(schoolID: schoolID, id: input.feeTypeID, on: connection) }
        guard let feeType else { throw .unknownFeeType("id \(input.feeTypeID)") }
        let months = try validate(input, school: school, kind: feeType.kind)
        let catalogue = try BillingError.wrapping { try FeeCatalogues.inForce(schoolYear: input.schoolYear, on: connection) }
        let placement = try CatalogueCheck.place(input, months: months.count, fee: feeType, school: school, catalogue: catalogue)
        var resolution: String?, reason: String?
        switch placement {
        case .withinCatalogue(let checked): resolution = checked
        case .outsideCatalogue(let given): reason = given
        case .noCatalogue: break
        }
        return try BillingError.wrapping {
            let row = try connection.query("""
                INSERT INTO fee_schedules (school_id, fee_type_id, school_year, scope, scope_value, monthly_amount, billable_months, due_day,
                                           catalogue_resolution, outside_catalogue_reason, rate_unit, state_share_basis_points,
                                           state_share_dong)
                VALUES (\(schoolID), \(input.feeTypeID), \(input.schoolYear), \(input.scope.kind), \(input.scope.value),
                        \(input.monthlyAmount), \(PostgresInt64Array(months.map(Int64.init)))::smallint[], \(input.dueDay), \(resolution), \(reason),
                        \(input.rateUnit.rawValue), \(input.stateShareBasisPoints), \(input.stateShareDong))
                ON CONFLICT (school_id, fee_type_id, school_year, scope, scope_value) DO UPDATE
                    SET monthly_amount = EXCLUDED.monthly_amount, billable_months = EXCLUDED.billable_months,
                        due_day = EXCLUDED.due_day, catalogue_resolution = EXCLUDED.catalogue_resolution,
                        outside_catalogue_reason = EXCLUDED.outside_catalogue_reason, rate_unit = EXCLUDED.rate_unit,
                        state_share_basis_points = EXCLUDED.state_share_basis_points,
                        state_share_dong = EXCLUDED.state_share_dong, updated_at = now()
                RETURNING schedule_id
                """).singleRow()!
            return FeeSchedule(id: try row.decode(column: 0, as: Int64.self), feeTypeID: input.feeTypeID, schoolYear: input.schoolYear,
                               scope: input.scope, monthlyAmount: input.monthlyAmount, billableMonths: months, dueDay: input.dueDay,
                               catalogueResolution: resolution, outsideCatalogueReason: reason, rateUnit: input.rateUnit,
                               stateShareBasisPoints: input.stateShareBasisPoints, stateShareDong: input.stateShareDong)
        }
    }

    /// The schedules of a school year, by fee type and scope.
    public static func list(schoolID: Int64, schoolYear: Int, on connection: PostgresConnection) throws -> [FeeSchedule] {
        try connection.query("""
            SELECT schedule_id, fee_type_id, school_year, scope, scope_value, monthly_amount, billable_months::int8[], due_day,
                   catalogue_resolution, outside_catalogue_reason, rate_unit, state_share_basis_points, state_share_dong
            FROM fee_schedules WHERE school_id = \(schoolID) AND school_year = \(schoolYear)
            ORDER BY fee_type_id, scope, scope_value
            """).map { row in
            let (id, feeType, year, scope, value, amount, months, dueDay, resolution, reason, unit, stateShare, stateDong) =
                try row.decode((Int64, Int64, Int, String, String, Money, PostgresInt64Array, Int, String?, String?, String, Int?, Int64?).self)
            guard let decodedScope = FeeScheduleScope(kind: scope, value: value), let rateUnit = RateUnit(rawValue: unit) else {
                throw PostgresError(code: .decoding)
            }
            return FeeSchedule(id: id, feeTypeID: feeType, schoolYear: year, scope: decodedScope, monthlyAmount: amount,
                               billableMonths: months.values.map { Int($0) }, dueDay: dueDay,
                               catalogueResolution: resolution, outsideCatalogueReason: reason, rateUnit: rateUnit,
                               stateShareBasisPoints: stateShare, stateShareDong: stateDong)
        }
    }

    /// Calendar month `month` (1–12) of school year `schoolYear`: September–December of that year, January–August of the next.
    public static func month(_ month: Int, ofSchoolYear schoolYear: Int) -> CalendarMonth {
        try! CalendarMonth(year: month >= 9 ? schoolYear : schoolYear + 1, month: month)
    }

    /// Checks the input; returns the months in school-year order (September first).
    static func validate(_ input: FeeScheduleInput, school: School, kind: FeeKind) throws(BillingError) -> [Int] {
        let level = school.level
        guard schoolYears.contains(input.schoolYear) else {
            throw .invalidField(field: "school_year", problem: "\(input.schoolYear) is not a school year (\(schoolYears.lowerBound)–\(schoolYears.upperBound))")
        }
        guard (0...BillingLimits.monthlyAmountDongMax).contains(input.monthlyAmount.dong) else {
            throw .invalidField(field: "monthly_amount", problem: "must be 0 to \(BillingLimits.monthlyAmountDongMax) đồng")
        }
        guard (1...dueDayMax).contains(input.dueDay) else {
            throw .invalidField(field: "due_day", problem: "\(input.dueDay) must be a day from 1 to \(dueDayMax)")
        }
        let months = Set(input.billableMonths)
        guard !months.isEmpty, months.count == input.billableMonths.count, months.allSatisfy({ (1...12).contains($0) }) else {
            throw .invalidField(field: "billable_months", problem: "must be distinct month numbers 1 to 12, at least one")
        }
        if let points = input.stateShareBasisPoints, !(1...PayerSplit.basisPointsMax).contains(points) {
            throw .invalidField(field: "state_share_basis_points", problem: "\(points) must be 1 to \(PayerSplit.basisPointsMax) (the family pays the rest)")
        }
        if let fixed = input.stateShareDong {
            guard input.stateShareBasisPoints == nil else {
                throw .invalidField(field: "state_share_dong", problem: "a schedule has a state share in basis points or a fixed one, not both")
            }
            guard (1...BillingLimits.monthlyAmountDongMax).contains(fixed) else {
                throw .invalidField(field: "state_share_dong", problem: "\(fixed) must be 1 to \(BillingLimits.monthlyAmountDongMax) đồng per month")
            }
        }
        if kind == .tuition && input.rateUnit == .day {
            throw .invalidField(field: "rate_unit", problem: "tuition is billed by the month, not by the day")
        }
        if kind == .tuition && !TuitionRegime.billsTuition(school.ownership, schoolYear: input.schoolYear) {
            throw .tuitionFreeAtPublicSchool(schoolYear: input.schoolYear)
        }
        // The 9-month cap governs tuition only; agreed collections (e.g. summer meals at a preschool) are not tuition.
        let cap = level.billableMonthsPerYearMax
        if kind == .tuition && months.count > cap {
            throw .billableMonthsCap(months: months.count, max: cap, level: level, schoolYear: input.schoolYear)
        }
        try validateScope(input.scope, level: level)
        return months.sorted { ($0 + 3) % 12 < ($1 + 3) % 12 }
    }

    static func validateScope(_ scope: FeeScheduleScope, level: SchoolLevel) throws(BillingError) {
        switch scope {
        case .school: return
        case .grade(let grade):
            guard level.grades.contains(grade) else {
                throw .invalidField(field: "grade", problem: "\(grade) is not a grade of a \(level.rawValue) school")
            }
        case .category(let category):
            guard StudentRules.isCategory(category) else {
                throw .invalidField(field: "category", problem: "'\(category)' must be lower-case letters, digits or _")
            }
        case .classroom(let name):
            guard !name.isEmpty, name.count <= StudentRules.classCharactersMax, StudentRules.collapse(name) == name else {
                throw .invalidField(field: "class", problem: "1 to \(StudentRules.classCharactersMax) characters, trimmed")
            }
        }
    }
}

/// Picks, for each fee type, the schedule that applies to a student: the most specific scope wins.
public enum ScheduleSelection {
    public static func select(_ schedules: [FeeSchedule], grade: Int, category: String, className: String) -> [Int64: FeeSchedule] {
        var chosen: [Int64: FeeSchedule] = [:]
        for schedule in schedules where schedule.scope.matches(grade: grade, category: category, className: className) {
            if let current = chosen[schedule.feeTypeID], current.scope.specificity >= schedule.scope.specificity { continue }
            chosen[schedule.feeTypeID] = schedule
        }
        return chosen
    }
}
