/// An amount of Vietnamese đồng.
///
/// VND has no minor unit, so an amount is a whole number of đồng in an `Int64`.
/// Arithmetic on values that came from outside goes through the throwing
/// `adding`/`subtracting`/`multiplied` so an overflow is an error, never a trap
/// or a silent wrap. No floating point is used anywhere on a money path.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var dong: Int64

    /// The largest absolute amount the system accepts for a single value:
    /// one quadrillion đồng, far above any school's yearly turnover, far below `Int64.max`.
    public static let absoluteDongMax: Int64 = 1_000_000_000_000_000

    public static let zero = Money(dong: 0)

    public init(dong: Int64) {
        self.dong = dong
    }

    /// An amount from outside (a file, a request): refused when beyond `absoluteDongMax`.
    public init(checkedDong dong: Int64) throws(MoneyError) {
        guard dong.magnitude <= UInt64(Money.absoluteDongMax) else { throw MoneyError.outOfBounds(dong) }
        self.dong = dong
    }

    public var isZero: Bool { dong == 0 }
    public var isPositive: Bool { dong > 0 }
    public var isNegative: Bool { dong < 0 }

    public func adding(_ other: Money) throws(MoneyError) -> Money {
        let (sum, overflow) = dong.addingReportingOverflow(other.dong)
        guard !overflow else { throw MoneyError.overflow }
        return try Money(checkedDong: sum)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        let (difference, overflow) = dong.subtractingReportingOverflow(other.dong)
        guard !overflow else { throw MoneyError.overflow }
        return try Money(checkedDong: difference)
    }

    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (product, overflow) = dong.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw MoneyError.overflow }
        return try Money(checkedDong: product)
    }

    public var negated: Money { Money(dong: -dong) }

    public static func sum<S: Sequence>(_ amounts: S) throws(MoneyError) -> Money where S.Element == Money {
        var total = Money.zero
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.dong < rhs.dong }

    public static func min(_ a: Money, _ b: Money) -> Money { a < b ? a : b }

    public var description: String { MoneyFormat.vietnamese(self) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Int64.self)
        do {
            self = try Money(checkedDong: value)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "amount \(value) is beyond ±\(Money.absoluteDongMax) đồng")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dong)
    }
}

public enum MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    case overflow
    case outOfBounds(Int64)

    public var description: String {
        switch self {
        case .overflow: return "amount arithmetic overflowed"
        case .outOfBounds(let value): return "amount \(value) is beyond ±\(Money.absoluteDongMax) đồng"
        }
    }
}

/// Vietnamese ways of writing amounts: `1.500.000 đ`.
public enum MoneyFormat {
    /// Dots as thousands separators, then ` đ`: `1.500.000 đ`, `-25.000 đ`.
    public static func vietnamese(_ amount: Money) -> String {
        groupedDigits(amount.dong, separator: ".") + " đ"
    }

    /// The digits of `value` grouped by three with `separator`, with a leading `-` when negative.
    public static func groupedDigits(_ value: Int64, separator: Character) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        grouped.reserveCapacity(digits.count + digits.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(separator) }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }
}
