import Core
import Ledger
import Postgres

/// How much a discount takes off.
public enum DiscountValue: Hashable, Sendable, Codable {
    /// A share in basis points: 5,000 is 50 %, 10,000 is a full exemption.
    case percentage(basisPoints: Int)
    /// A fixed amount per month.
    case fixed(Money)
}

/// A discount or exemption of one student.
public struct StudentDiscount: Hashable, Sendable, Codable {
    public var id: Int64
    public var studentID: Int64
    /// nil: every fee of the invoice.
    public var feeTypeID: Int64?
    public var value: DiscountValue
    /// The policy it applies, e.g. "Miễn 100% học phí: hộ nghèo (NĐ 81/2021 Điều 15)".
    public var reason: String
    public var validFrom: CalendarMonth
    /// nil: open-ended.
    public var validThrough: CalendarMonth?

    public init(id: Int64, studentID: Int64, feeTypeID: Int64?, value: DiscountValue, reason: String,
                validFrom: CalendarMonth, validThrough: CalendarMonth?) {
        self.id = id
        self.studentID = studentID
        self.feeTypeID = feeTypeID
        self.value = value
        self.reason = reason
        self.validFrom = validFrom
        self.validThrough = validThrough
    }

    public func isValid(in period: CalendarMonth) -> Bool {
        validFrom <= period && (validThrough.map { period <= $0 } ?? true)
    }
}

/// A discount to record.
public struct DiscountInput: Hashable, Sendable, Codable {
    public var studentID: Int64
    public var feeTypeID: Int64?
    public var value: DiscountValue
    public var reason: String
    public var validFrom: CalendarMonth
    public var validThrough: CalendarMonth?

    public init(studentID: Int64, feeTypeID: Int64?, value: DiscountValue, reason: String, validFrom: CalendarMonth, validThrough: CalendarMonth?) {
        self.studentID = studentID
        self.feeTypeID = feeTypeID
        self.value = value
        self.reason = reason
        self.validFrom = validFrom
        self.validThrough = validThrough
    }
}

/// Discounts of a school's students. Every function runs inside the caller's transaction.
public enum Discounts {
    public static let basisPointsMax = 10_000
    /// The longest discount given by its length (`months`), in months: ten school years.
    public static let lengthMonthsMax = 120
    /// The months a discount given by its length may start in: any length up to `lengthMonthsMax` then ends within
    /// `CalendarDate.yearRange`, so the start and the length are two independent fields a client can check alone.
    public static let lengthStartYears = CalendarDate.yearRange.lowerBound...(CalendarDate.yearRange.upperBound - lengthMonthsMax / 12)
    /// `lengthStartYears` as an anchored ECMA-262 pattern for the API's document (months 01–12);
    /// `OpenAPIBodyContractTests` holds it against `through(from:months:)` on every month of the calendar.
    public static let lengthStartPattern = "^(19[0-9]{2}|2[0-8][0-9]{2}|29[0-8][0-9])-(0[1-9]|1[0-2])$"

    /// The last month of a discount starting in `from` and lasting `months` (nil: open-ended). The API takes a
    /// discount's length rather than its end, so a range that ends before it starts cannot be written.
    public static func through(from: CalendarMonth, months: Int?) throws(BillingError) -> CalendarMonth? {
        guard lengthStartYears.contains(from.year) else {
            throw .invalidField(field: "valid_from", problem: "\(from.iso) must be in \(lengthStartYears.lowerBound) to \(lengthStartYears.upperBound)")
        }
        guard let months else { return nil }
        guard (1...lengthMonthsMax).contains(months) else {
            throw .invalidField(field: "months", problem: "\(months) must be 1 to \(lengthMonthsMax)")
        }
        return from.adding(months: months - 1)
    }

    public static func add(schoolID: Int64, _ input: DiscountInput, on connection: PostgresConnection) throws(BillingError) -> StudentDiscount {
        guard let reason = RecordedReason.normalized(input.reason) else { throw .invalidField(field: "reason", problem: RecordedReason.problem) }
        var basisPoints: Int?
        var fixed: Money?
        switch input.value {
        case .percentage(let points):
            guard (1...basisPointsMax).contains(points) else {
                throw .invalidField(field: "basis_points", problem: "\(points) must be 1 to \(basisPointsMax) (10000 = 100 %)")
            }
            basisPoints = points
        case .fixed(let amount):
            guard (1...BillingLimits.monthlyAmountDongMax).contains(amount.dong) else {
                throw .invalidField(field: "fixed_amount", problem: "must be 1 to \(BillingLimits.monthlyAmountDongMax) đồng")
            }
            fixed = amount
        }
        if let through = input.validThrough, through < input.validFrom {
            throw .invalidField(field: "valid_through", problem: "\(through) is before \(input.validFrom)")
        }
        return try BillingError.wrapping {
            guard try Students.find(schoolID: schoolID, id: input.studentID, on: connection) != nil else {
                throw BillingError.unknownStudent("id \(input.studentID)")
            }
            if let feeTypeID = input.feeTypeID, try FeeTypes.find(schoolID: schoolID, id: feeTypeID, on: connection) == nil {
                throw BillingError.unknownFeeType("id \(feeTypeID)")
            }
            let count = try connection.query("""
                SELECT count(*) FROM student_discounts WHERE school_id = \(schoolID) AND student_id = \(input.studentID)
                """).singleRow()!.decode(column: 0, as: Int.self)
            guard count < BillingLimits.discountsPerStudentMax else {
                throw BillingError.limitExceeded("a student has at most \(BillingLimits.discountsPerStudentMax) discounts")
            }
            let row = try connection.query("""
                INSERT INTO student_discounts (school_id, student_id, fee_type_id, basis_points, fixed_amount, reason, valid_from, valid_through)
                VALUES (\(schoolID), \(input.studentID), \(input.feeTypeID), \(basisPoints), \(fixed), \(reason),
                        \(input.validFrom), \(input.validThrough))
                RETURNING discount_id
                """).singleRow()!
            return StudentDiscount(id: try row.decode(column: 0, as: Int64.self), studentID: input.studentID, feeTypeID: input.feeTypeID,
                                   value: input.value, reason: reason, validFrom: input.validFrom, validThrough: input.validThrough)
        }
    }

    /// Discounts of one student, or of every student when `studentID` is nil, valid in `period` if given.
    public static func list(schoolID: Int64, studentID: Int64? = nil, validIn period: CalendarMonth? = nil,
                            on connection: PostgresConnection) throws -> [StudentDiscount] {
        try connection.query("""
            SELECT discount_id, student_id, fee_type_id, basis_points, fixed_amount, reason, valid_from, valid_through
            FROM student_discounts
            WHERE school_id = \(schoolID) AND (\(studentID)::int8 IS NULL OR student_id = \(studentID))
              AND (\(period)::date IS NULL OR (valid_from <= \(period) AND (valid_through IS NULL OR valid_through >= \(period))))
            ORDER BY student_id, discount_id
            """).map { row in
            let (id, student, feeType, points, fixed, reason, from, through) =
                try row.decode((Int64, Int64, Int64?, Int?, Money?, String, CalendarMonth, CalendarMonth?).self)
            let value: DiscountValue = points.map { .percentage(basisPoints: $0) } ?? .fixed(fixed ?? .zero)
            return StudentDiscount(id: id, studentID: student, feeTypeID: feeType, value: value, reason: reason,
                                   validFrom: from, validThrough: through)
        }
    }
}
