import CivilCalendar
import Foundation

/// A calendar day with no time zone: effective dates, due dates, booking dates.
///
/// Stored as year, month and day; converted to and from a day count by `CivilDay` (the one owner of
/// the proleptic Gregorian arithmetic), so no `Calendar` or time zone is involved.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public static let yearRange = 1900...2999
    /// The shape `init(iso:)` accepts, as an anchored ECMA-262 pattern for the API's document (`yearRange`, months
    /// 01–12, days 01–31; the day's fit to its month is the `date` format's). `CalendarPatternTests` holds the two together.
    public static let isoPattern = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    /// Exactly the texts `init(iso:)` reads, the day's fit to its month included (for a file with no `date` format to say
    /// it): 31 days in seven months, 30 in four, 28 in February and the 29th in leap years (divisible by 4, the centuries
    /// only by 400). `CSVUploadContractTests` holds it against `init(iso:)` on every day of `yearRange`.
    public static let fullISOPattern = "^((19[0-9]{2}|2[0-9]{3})-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
        + "|(19[0-9]{2}|2[0-9]{3})-(0[469]|11)-(0[1-9]|[12][0-9]|30)"
        + "|(19[0-9]{2}|2[0-9]{3})-02-(0[1-9]|1[0-9]|2[0-8])"
        + "|((19|2[0-9])(0[48]|[2468][048]|[13579][26])|2000|2400|2800)-02-29)$"

    public init(year: Int, month: Int, day: Int) throws(CalendarError) {
        guard CalendarDate.yearRange.contains(year), (1...12).contains(month),
              (1...CalendarMonth.daysIn(year: year, month: month)).contains(day)
        else { throw CalendarError.invalidDate("\(year)-\(month)-\(day)") }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init(iso text: String) throws(CalendarError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = ASCIIDigits.value(bytes[0..<4]), let month = ASCIIDigits.value(bytes[5..<7]),
              let day = ASCIIDigits.value(bytes[8..<10])
        else { throw CalendarError.invalidDate(text) }
        // The error names the text as given ("2026-02-29"), not the numbers read from it.
        do { try self.init(year: year, month: month, day: day) } catch { throw CalendarError.invalidDate(text) }
    }

    /// The day `days` after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        let civil = CivilDay(daysSinceEpoch: days)
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int { CivilDay(year: year, month: month, day: day).daysSinceEpoch }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    public func days(until other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    public var calendarMonth: CalendarMonth { CalendarMonth(uncheckedYear: year, month: month) }

    /// `YYYY-MM-DD`.
    public var iso: String {
        // Ten digits and dashes written at once (every ledger entry, receipt and transaction row of a batch
        // writes dates); `pad` for a year outside 0–9999, which only `init(daysSinceEpoch:)` can make.
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) else {
            return CalendarDate.pad(year, 4) + "-" + CalendarDate.pad(month, 2) + "-" + CalendarDate.pad(day, 2)
        }
        return String(unsafeUninitializedCapacity: 10) { text in
            let zero = UInt8(ascii: "0")
            text[0] = zero + UInt8(year / 1000)
            text[1] = zero + UInt8(year / 100 % 10)
            text[2] = zero + UInt8(year / 10 % 10)
            text[3] = zero + UInt8(year % 10)
            text[4] = UInt8(ascii: "-")
            text[5] = zero + UInt8(month / 10)
            text[6] = zero + UInt8(month % 10)
            text[7] = UInt8(ascii: "-")
            text[8] = zero + UInt8(day / 10)
            text[9] = zero + UInt8(day % 10)
            return 10
        }
    }

    /// `dd/MM/yyyy`, as Vietnamese documents write dates.
    public var vietnamese: String {
        CalendarDate.pad(day, 2) + "/" + CalendarDate.pad(month, 2) + "/" + CalendarDate.pad(year, 4)
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try CalendarDate(iso: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date (YYYY-MM-DD)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }


    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// A calendar month: billing periods, reconciliation months, closed periods.
public struct CalendarMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// The shape `init(iso:)` accepts (years of `CalendarDate.yearRange`, months 01–12), as an anchored ECMA-262
    /// pattern for the API's document; `CalendarPatternTests` holds the two together.
    public static let isoPattern = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"

    /// Months of `isoPattern` by how many days they have at least, as anchored ECMA-262 patterns, so a document can
    /// bound a day of the month by the month (`daysIn`): every month has 28, the leap years' February 29 (years of
    /// `CalendarDate.yearRange` divisible by 4, the centuries only when divisible by 400), all but February 30, and
    /// seven months 31. `OpenAPIContractTests` holds the table against `daysIn` on every month of the range.
    public static let isoPatternsByDaysAtLeast: [(days: Int, pattern: String)] = [
        (28, isoPattern),
        (29, "^(19[0-9]{2}|2[0-9]{3})-(0[13-9]|1[0-2])$|^((19|2[0-9])(0[48]|[2468][048]|[13579][26])|2000|2400|2800)-02$"),
        (30, "^(19[0-9]{2}|2[0-9]{3})-(0[13-9]|1[0-2])$"),
        (31, "^(19[0-9]{2}|2[0-9]{3})-(0[13578]|1[02])$"),
    ]

    public init(year: Int, month: Int) throws(CalendarError) {
        guard CalendarDate.yearRange.contains(year), (1...12).contains(month) else {
            throw CalendarError.invalidMonth("\(year)-\(month)")
        }
        self.year = year
        self.month = month
    }

    init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`.
    public init(iso text: String) throws(CalendarError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
              let year = ASCIIDigits.value(bytes[0..<4]), let month = ASCIIDigits.value(bytes[5..<7])
        else { throw CalendarError.invalidMonth(text) }
        do { try self.init(year: year, month: month) } catch { throw CalendarError.invalidMonth(text) }
    }

    public var firstDay: CalendarDate { try! CalendarDate(year: year, month: month, day: 1) }
    public var lastDay: CalendarDate {
        try! CalendarDate(year: year, month: month, day: CalendarMonth.daysIn(year: year, month: month))
    }

    public func adding(months: Int) -> CalendarMonth {
        let index = year * 12 + (month - 1) + months
        return CalendarMonth(uncheckedYear: index / 12, month: index % 12 + 1)
    }

    /// Months from `self` to `other` (positive when `other` is later).
    public func months(until other: CalendarMonth) -> Int {
        (other.year * 12 + other.month) - (year * 12 + month)
    }

    /// The school year a month belongs to, named by the year it starts in:
    /// September 2026 to August 2027 is school year 2026.
    public var schoolYear: Int { month >= 9 ? year : year - 1 }

    /// The September the month's school year starts with, or the calendar's first month when that September lies
    /// before it (January to August 1900, months the API accepts): an earlier month has no dates to query.
    public var schoolYearStart: CalendarMonth {
        let first = try! CalendarMonth(year: CalendarDate.yearRange.lowerBound, month: 1)
        guard schoolYear >= CalendarDate.yearRange.lowerBound else { return first }
        return try! CalendarMonth(year: schoolYear, month: 9)
    }

    public var iso: String { CalendarDate.pad(year, 4) + "-" + CalendarDate.pad(month, 2) }
    public var description: String { iso }

    public static func < (lhs: CalendarMonth, rhs: CalendarMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try CalendarMonth(iso: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a month (YYYY-MM)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

public enum CalendarError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidDate(String)
    case invalidMonth(String)

    public var description: String {
        switch self {
        case .invalidDate(let text): return "'\(text)' is not a valid date (YYYY-MM-DD)"
        case .invalidMonth(let text): return "'\(text)' is not a valid month (YYYY-MM)"
        }
    }
}

/// Vietnam's civil time: UTC+7 all year, no daylight saving.
public enum VietnamTime {
    public static let utcOffsetSeconds = 7 * 3600

    /// The calendar day in Vietnam at `instant`.
    public static func date(of instant: Date) -> CalendarDate {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        return CalendarDate(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// The instant of a local wall-clock time in Vietnam.
    public static func instant(_ date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Date {
        let seconds = date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - utcOffsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public static var today: CalendarDate { date(of: Date()) }
}
