import Core
import Foundation

/// How a sender writes the time of a transaction.
public enum CallbackTimeFormat: Equatable, Sendable {
    /// A wall-clock time in a fixed offset, from a fixed-width pattern such as `yyyy-MM-dd HH:mm:ss` or `yyyyMMddHHmmss`.
    case local(LocalTimePattern, utcOffsetMinutes: Int)
    case epochSeconds
    case epochMilliseconds
    /// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, offset required.
    case iso8601

    public static let utcOffsetMinutesMax = 14 * 60
    /// Epoch values beyond the year 2999 are refused before any arithmetic.
    static let epochSecondsMax: Int64 = 32_503_680_000
    static let fractionDigitsMax = 9

    /// The instant `text` names.
    func instant(_ text: String) -> Date? {
        switch self {
        case .local(let pattern, let offset):
            guard let fields = pattern.fields(text) else { return nil }
            return Self.instant(fields, fractionMilliseconds: 0, offsetMinutes: offset)
        case .epochSeconds:
            guard let seconds = Self.integer(text), seconds <= Self.epochSecondsMax else { return nil }
            return Self.instant(milliseconds: seconds * 1000)
        case .epochMilliseconds:
            guard let milliseconds = Self.integer(text), milliseconds / 1000 <= Self.epochSecondsMax else { return nil }
            return Self.instant(milliseconds: milliseconds)
        case .iso8601:
            return Self.iso8601(text)
        }
    }

    public var name: String {
        switch self {
        case .local(let pattern, _): return pattern.text
        case .epochSeconds: return "epochSeconds"
        case .epochMilliseconds: return "epochMilliseconds"
        case .iso8601: return "iso8601"
        }
    }

    /// Every instant is built the same way, so equal times give bit-equal `Date`s whatever the source format.
    static func instant(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    /// A non-negative decimal integer of at most 16 digits.
    private static func integer(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= CallbackLimits.timestampDigitsMax,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    static func instant(_ fields: LocalTimePattern.Fields, fractionMilliseconds: Int, offsetMinutes: Int) -> Date? {
        guard let date = try? CalendarDate(year: fields.year, month: fields.month, day: fields.day),
              (0...23).contains(fields.hour), (0...59).contains(fields.minute), (0...59).contains(fields.second)
        else { return nil }
        let seconds = date.daysSinceEpoch * 86_400 + fields.hour * 3600 + fields.minute * 60 + fields.second - offsetMinutes * 60
        return Self.instant(milliseconds: Int64(seconds) * 1000 + Int64(fractionMilliseconds))
    }

    private static func iso8601(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let base = LocalTimePattern.isoBase.fields(String(decoding: bytes[0..<19], as: UTF8.self))
        else { return nil }
        var index = 19
        var milliseconds = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            let digits = bytes[start..<index]
            guard !digits.isEmpty, digits.count <= fractionDigitsMax else { return nil }
            for (position, digit) in digits.prefix(3).enumerated() {
                milliseconds += Int(digit - UInt8(ascii: "0")) * [100, 10, 1][position]
            }
        }
        guard let offset = offsetMinutes(bytes[index...]) else { return nil }
        return instant(base, fractionMilliseconds: milliseconds, offsetMinutes: offset)
    }

    /// `Z`, or `+HH:MM` / `-HH:MM` within ±14:00.
    private static func offsetMinutes(_ bytes: ArraySlice<UInt8>) -> Int? {
        if bytes.count == 1 && bytes.first == UInt8(ascii: "Z") { return 0 }
        let offset = Array(bytes)
        guard offset.count == 6, offset[0] == UInt8(ascii: "+") || offset[0] == UInt8(ascii: "-"),
              offset[3] == UInt8(ascii: ":"),
              let hours = ASCIIDigits.value(offset[1..<3]), let minutes = ASCIIDigits.value(offset[4..<6]),
              minutes < 60, hours * 60 + minutes <= utcOffsetMinutesMax
        else { return nil }
        return (offset[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes)
    }
}

/// A fixed-width date-time pattern: `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` once each, other characters literal.
public struct LocalTimePattern: Equatable, Sendable {
    public let text: String
    private let tokens: [Token]

    private enum Token: Equatable, Sendable {
        case field(Field, width: Int)
        case literal(UInt8)
    }

    private enum Field: CaseIterable, Sendable {
        case year, month, day, hour, minute, second

        var symbol: String {
            switch self {
            case .year: return "yyyy"
            case .month: return "MM"
            case .day: return "dd"
            case .hour: return "HH"
            case .minute: return "mm"
            case .second: return "ss"
            }
        }
    }

    struct Fields {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
    }

    static let isoBase = LocalTimePattern(checked: "yyyy-MM-ddTHH:mm:ss")

    /// `nil` unless every field appears exactly once and the literals are ASCII punctuation, space or `T`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var tokens: [Token] = []
        var index = 0
        scanning: while index < bytes.count {
            for field in Field.allCases where bytes[index...].starts(with: field.symbol.utf8) {
                tokens.append(.field(field, width: field.symbol.utf8.count))
                index += field.symbol.utf8.count
                continue scanning
            }
            let byte = bytes[index]
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "T") || (byte >= 0x21 && byte <= 0x2F)
                || byte == UInt8(ascii: ":") else { return nil }
            tokens.append(.literal(byte))
            index += 1
        }
        for field in Field.allCases {
            guard tokens.filter({ if case .field(field, _) = $0 { return true } else { return false } }).count == 1 else { return nil }
        }
        self.text = text
        self.tokens = tokens
    }

    private init(checked text: String) {
        guard let pattern = LocalTimePattern(text) else { preconditionFailure("invalid built-in pattern \(text)") }
        self = pattern
    }

    /// The fields of `text`, which must match the pattern character for character; ranges are checked by the caller.
    func fields(_ text: String) -> Fields? {
        let bytes = Array(text.utf8)
        var fields = Fields()
        var index = 0
        for token in tokens {
            switch token {
            case .literal(let byte):
                guard index < bytes.count, bytes[index] == byte else { return nil }
                index += 1
            case .field(let field, let width):
                guard index + width <= bytes.count, let value = ASCIIDigits.value(bytes[index..<(index + width)]) else { return nil }
                Self.assign(value, to: field, in: &fields)
                index += width
            }
        }
        return index == bytes.count ? fields : nil
    }

    private static func assign(_ value: Int, to field: Field, in fields: inout Fields) {
        switch field {
        case .year: fields.year = value
        case .month: fields.month = value
        case .day: fields.day = value
        case .hour: fields.hour = value
        case .minute: fields.minute = value
        case .second: fields.second = value
        }
    }

}
