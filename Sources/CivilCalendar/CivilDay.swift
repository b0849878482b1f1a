/// A day of the proleptic Gregorian calendar and its number of days since 1970-01-01.
///
/// The one owner of the day ↔ date arithmetic: `Core` (calendar dates), `Postgres` (the `date` and
/// `timestamptz` text formats) and `HTTP` (log and `Date` header timestamps) all convert through it.
/// It sits below all three because `Postgres` and `HTTP` do not depend on `Core`. No Foundation, no
/// time zone: the caller shifts to local time first. Fields are not range-checked here; the callers
/// check the dates they accept.
///
/// The arithmetic is Howard Hinnant's "days from civil": years start on 1 March so the leap day is
/// the last day of a year, and 400-year eras of 146 097 days make the count exact for every year.
public struct CivilDay: Hashable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int

    @inlinable
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `days` after 1970-01-01 (before it when negative).
    @inlinable
    public init(daysSinceEpoch days: Int) {
        let shifted = days + CivilDay.epochShiftDays
        let era = (shifted >= 0 ? shifted : shifted - (CivilDay.eraDays - 1)) / CivilDay.eraDays
        let dayOfEra = shifted - era * CivilDay.eraDays
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / (CivilDay.eraDays - 1)) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March … 11 = February
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (negative before it).
    @inlinable
    public var daysSinceEpoch: Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * CivilDay.eraDays + dayOfEra - CivilDay.epochShiftDays
    }

    /// 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday.
    @inlinable
    public static func weekday(daysSinceEpoch days: Int) -> Int {
        ((days % 7) + 11) % 7
    }

    /// Days in a 400-year Gregorian era.
    public static let eraDays = 146_097
    /// Days from 0000-03-01 to 1970-01-01.
    public static let epochShiftDays = 719_468
}
