import Core
import Postgres

/// The school days of a month, which per-day items (meals, after-hours care) are billed by.
public struct SchoolMonth: Hashable, Sendable, Codable {
    public var period: CalendarMonth
    /// Days the school serves in the month, weekends and holidays already left out.
    public var schoolDays: Int
    /// The holidays that fell on weekdays, as recorded (for the notice and the audit; `schoolDays` already excludes them).
    public var holidays: [CalendarDate]

    public init(period: CalendarMonth, schoolDays: Int, holidays: [CalendarDate] = []) {
        self.period = period
        self.schoolDays = schoolDays
        self.holidays = holidays
    }
}

/// A school's calendar: the one owner of `school_calendar`. Every function runs inside the caller's transaction.
public enum SchoolCalendar {
    public static let schoolDaysMax = 23
    /// A count of days 0 to `schoolDaysMax` in decimal without leading zeros, as an anchored ECMA-262 pattern (the API's
    /// attendance file); `CSVShapeTests` holds it against the range.
    public static let dayCountPattern = "^([0-9]|1[0-9]|2[0-3])$"
    public static let holidaysPerMonthMax = 31

    /// The holidays of `period` named by their days of the month (the API's form: a day of another month cannot be
    /// written); a day the month does not have is refused.
    public static func holidays(days: [Int], in period: CalendarMonth) throws(BillingError) -> [CalendarDate] {
        guard days.count <= holidaysPerMonthMax else {
            throw .invalidField(field: "holiday_days", problem: "at most \(holidaysPerMonthMax) days")
        }
        var dates: [CalendarDate] = []
        for day in days {
            guard let date = try? CalendarDate(year: period.year, month: period.month, day: day) else {
                throw .invalidField(field: "holiday_days", problem: "\(period.iso) has no day \(day)")
            }
            dates.append(date)
        }
        return dates
    }

    /// Records (or replaces) the school days of a month.
    public static func set(schoolID: Int64, _ month: SchoolMonth, updatedBy: String, on connection: PostgresConnection) throws(BillingError) {
        guard (0...schoolDaysMax).contains(month.schoolDays) else {
            throw .invalidField(field: "school_days", problem: "\(month.schoolDays) must be 0 to \(schoolDaysMax) days")
        }
        guard month.holidays.count <= holidaysPerMonthMax,
              month.holidays.allSatisfy({ $0.year == month.period.year && $0.month == month.period.month }) else {
            throw .invalidField(field: "holidays", problem: "holidays must be dates in \(month.period.iso)")
        }
        _ = try BillingError.wrapping {
            try connection.query("""
                INSERT INTO school_calendar (school_id, period, school_days, holidays, updated_by)
                VALUES (\(schoolID), \(month.period.firstDay), \(month.schoolDays), \(PostgresTextArray(month.holidays.map(\.iso)))::date[], \(updatedBy))
                ON CONFLICT (school_id, period) DO UPDATE SET school_days = EXCLUDED.school_days, holidays = EXCLUDED.holidays,
                    updated_by = EXCLUDED.updated_by, updated_at = now()
                """)
        }
    }

    /// School days by month, for the months recorded among `periods`.
    public static func schoolDays(schoolID: Int64, periods: [CalendarMonth], on connection: PostgresConnection) throws -> [CalendarMonth: Int] {
        var days: [CalendarMonth: Int] = [:]
        for row in try connection.query("""
            SELECT period, school_days FROM school_calendar
            WHERE school_id = \(schoolID) AND period = ANY(\(PostgresTextArray(periods.map(\.firstDay.iso)))::date[])
            """) {
            let (period, count) = try row.decode((CalendarMonth, Int).self)
            days[period] = count
        }
        return days
    }
}
