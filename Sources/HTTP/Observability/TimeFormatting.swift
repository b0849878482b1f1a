import CivilCalendar

/// Calendar arithmetic for log and header timestamps, without Foundation (it runs for every response).
enum TimeFormatting {
    struct CivilTime: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        /// 0 = Sunday.
        var weekday: Int
    }

    /// Splits Unix seconds (UTC) into calendar fields, proleptic Gregorian.
    static func civil(unixSeconds: Int64) -> CivilTime {
        let days = Int(unixSeconds.floorDivided(by: 86_400))
        let secondsOfDay = Int(unixSeconds - Int64(days) * 86_400)
        let date = CivilDay(daysSinceEpoch: days)
        return CivilTime(
            year: date.year, month: date.month, day: date.day, hour: secondsOfDay / 3_600, minute: secondsOfDay / 60 % 60,
            second: secondsOfDay % 60, weekday: CivilDay.weekday(daysSinceEpoch: days))
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(unixSeconds: Int64) -> String {
        let time = civil(unixSeconds: unixSeconds)
        return "\(weekdays[time.weekday]), \(pad(time.day, 2)) \(months[time.month - 1]) \(pad(time.year, 4)) "
            + "\(pad(time.hour, 2)):\(pad(time.minute, 2)):\(pad(time.second, 2)) GMT"
    }

    /// ISO 8601 in UTC with milliseconds: `2025-11-29T07:15:00.123Z`.
    static func iso8601(unixMilliseconds: Int64) -> String {
        let seconds = unixMilliseconds.floorDivided(by: 1_000)
        let milliseconds = Int(unixMilliseconds - seconds * 1_000)
        let time = civil(unixSeconds: seconds)
        return "\(pad(time.year, 4))-\(pad(time.month, 2))-\(pad(time.day, 2))T"
            + "\(pad(time.hour, 2)):\(pad(time.minute, 2)):\(pad(time.second, 2)).\(pad(milliseconds, 3))Z"
    }

    /// Appends `2025-11-29T07:15:00.123Z` without building strings.
    static func appendISO8601(unixMilliseconds: Int64, to output: inout [UInt8]) {
        let seconds = unixMilliseconds.floorDivided(by: 1_000)
        let time = civil(unixSeconds: seconds)
        appendDigits(time.year, width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(time.month, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(time.day, width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        appendDigits(time.hour, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(time.minute, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(time.second, width: 2, to: &output)
        output.append(UInt8(ascii: "."))
        appendDigits(Int(unixMilliseconds - seconds * 1_000), width: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// Appends `value` (non-negative) in decimal, zero-padded to at least `width` digits.
    static func appendDigits(_ value: Int, width: Int, to output: inout [UInt8]) {
        precondition(value >= 0 && width > 0 && width <= 8)
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        for _ in digits..<max(width, digits) { output.append(UInt8(ascii: "0")) }
        ResponseSerializer.appendDecimal(value, to: &output)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
