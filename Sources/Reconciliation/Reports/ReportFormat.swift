import Core
import Foundation

/// Vietnamese wording and the locale-free formats the report renderers share.
public enum ReportFormat {
    /// "Tháng 9/2026".
    static func monthTitle(_ month: CalendarMonth) -> String { "Tháng \(month.month)/\(month.year)" }

    /// "9/2026", for chart labels.
    static func monthShort(_ month: CalendarMonth) -> String { "\(month.month)/\(month.year)" }

    /// `1.500.000 đ` for any `Int64` (sums of many schools may pass the bound of a single `Money`).
    static func money(_ dong: Int64) -> String { MoneyFormat.vietnamese(Money(dong: dong)) }

    /// The account number with all but its last four characters hidden: `****4567`; a number of four characters
    /// or fewer is hidden entirely.
    static func maskedAccount(_ number: String) -> String {
        let visibleCount = 4
        guard number.count > visibleCount else { return "****" }
        return "****" + String(number.suffix(visibleCount))
    }

    /// Whole seconds since 1970 in Vietnam (UTC+7), rounded down: a timestamp written to seconds, so a value read back
    /// from the database with microseconds renders the same.
    static func vietnamSeconds(_ instant: Date) -> (date: CalendarDate, secondOfDay: Int) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + VietnamTime.utcOffsetSeconds
        let secondsPerDay = 86_400
        let day = seconds >= 0 ? seconds / secondsPerDay : (seconds - (secondsPerDay - 1)) / secondsPerDay
        return (CalendarDate(daysSinceEpoch: day), seconds - day * secondsPerDay)
    }

    /// `2026-10-01T08:30:00+07:00`: ISO 8601 in Vietnam time.
    static func isoTimestamp(_ instant: Date) -> String {
        let (date, second) = vietnamSeconds(instant)
        return date.iso + "T" + clock(second, withSeconds: true) + "+07:00"
    }

    /// `01/10/2026 08:30`: how the pages show when a report was made.
    public static func vietnameseTimestamp(_ instant: Date) -> String {
        let (date, second) = vietnamSeconds(instant)
        return date.vietnamese + " " + clock(second, withSeconds: false)
    }

    static func clock(_ secondOfDay: Int, withSeconds: Bool) -> String {
        let text = pad2(secondOfDay / 3600) + ":" + pad2(secondOfDay / 60 % 60)
        return withSeconds ? text + ":" + pad2(secondOfDay % 60) : text
    }

    static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// The JSON of a rate: basis points (null for no data) and the display text.
    static func rateJSON(_ rate: BasisPoints?) -> ReportJSON {
        .object([
            ReportJSONMember("basisPoints", .optional(rate?.value)),
            ReportJSONMember("display", .string(BasisPoints.vietnamesePercent(rate))),
        ])
    }

    /// The two CSV cells of a rate: basis points (empty for no data) and the display text.
    static func rateCSV(_ rate: BasisPoints?) -> [ReportCSVCell] {
        [.optional(rate?.value), .text(BasisPoints.vietnamesePercent(rate))]
    }
}
