import Core

/// A pupil's enrolment in an opt-in fee, from a date through a date (open-ended when `through` is nil).
public struct Enrolment: Hashable, Sendable, Codable {
    public var studentID: Int64
    public var feeTypeID: Int64
    public var from: CalendarDate
    public var through: CalendarDate?

    public init(studentID: Int64, feeTypeID: Int64, from: CalendarDate, through: CalendarDate?) {
        self.studentID = studentID
        self.feeTypeID = feeTypeID
        self.from = from
        self.through = through
    }

    /// Calendar days of `period` the enrolment covers (0 … days in the month).
    public func daysCovered(in period: CalendarMonth) -> Int {
        let monthDays = CalendarMonth.daysIn(year: period.year, month: period.month)
        let first = period.firstDay, last = try! CalendarDate(year: period.year, month: period.month, day: monthDays)
        let start = max(from, first), end = min(through ?? last, last)
        guard start <= end else { return 0 }
        return end.day - start.day + 1
    }
}

/// The pro-rata rule for a month an enrolment covers only in part: the monthly amount × days covered / days in
/// the month, rounded half up to a whole đồng. A month fully covered is billed in full; a month not covered not at all.
public enum EnrolmentProRata {
    public static func amount(monthly: Money, daysCovered: Int, daysInMonth: Int) -> Money {
        precondition((0...daysInMonth).contains(daysCovered) && monthly.dong >= 0 && monthly.dong <= BillingLimits.monthlyAmountDongMax)
        return Money(dong: (monthly.dong * Int64(daysCovered) * 2 + Int64(daysInMonth)) / (2 * Int64(daysInMonth)))
    }
}
