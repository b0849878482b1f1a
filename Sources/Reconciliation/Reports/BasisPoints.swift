import Core

/// A rate in basis points (1 bp = 0.01 %, 10 000 bp = 100 %), computed from whole đồng with integers only.
///
/// Rounding rule: half away from zero. `ratio(_:of:)` is exact: the product `part × 10 000` is formed in 128 bits
/// (`multipliedFullWidth`) and divided with `dividingFullWidth`, so no amount an `Int64` holds can overflow it.
/// A rate with no meaning (the whole is zero or negative) is `nil`, never 0: "no data" differs from "nothing collected".
public struct BasisPoints: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: Int64

    /// Basis points in a whole (100 %).
    public static let perWhole: Int64 = 10_000
    /// The text shown where a rate has no data.
    public static let noDataText = "Không có dữ liệu"

    public init(_ value: Int64) {
        self.value = value
    }

    /// `part / whole` in basis points, rounded half away from zero; nil when `whole ≤ 0`.
    ///
    /// A ratio beyond the `Int64` range (only possible with a whole of a few đồng and a part near `Int64.max / 10 000`)
    /// saturates at `Int64.max` / `Int64.min + 1`.
    public static func ratio(_ part: Int64, of whole: Int64) -> BasisPoints? {
        guard whole > 0 else { return nil }
        let divisor = UInt64(whole)
        let product = part.magnitude.multipliedFullWidth(by: UInt64(perWhole))
        guard product.high < divisor else { return saturated(negative: part < 0) }
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        // Half away from zero: round the magnitude up when the remainder is at least half the divisor.
        let roundsUp = remainder >= divisor - remainder
        guard quotient < UInt64(Int64.max) || (quotient == UInt64(Int64.max) && !roundsUp) else {
            return saturated(negative: part < 0)
        }
        let magnitude = Int64(quotient) + (roundsUp ? 1 : 0)
        return BasisPoints(part < 0 ? -magnitude : magnitude)
    }

    /// `part / whole` of two amounts; nil when `whole ≤ 0`.
    public static func ratio(_ part: Money, of whole: Money) -> BasisPoints? {
        ratio(part.dong, of: whole.dong)
    }

    static func saturated(negative: Bool) -> BasisPoints {
        BasisPoints(negative ? -Int64.max : Int64.max)
    }

    /// Vietnamese style: a comma before the decimals, trailing zeros dropped, a space before `%`:
    /// 8 750 → `87,5 %`, 10 000 → `100 %`, 8 756 → `87,56 %`, 5 → `0,05 %`, 1 234 500 → `12.345 %`.
    public var vietnamesePercent: String {
        let magnitude = value.magnitude
        let whole = MoneyFormat.groupedDigits(Int64(magnitude / 100), separator: ".")
        let hundredths = Int(magnitude % 100)
        var text = (value < 0 ? "-" : "") + whole
        if hundredths != 0 {
            text += hundredths % 10 == 0 ? ",\(hundredths / 10)" : (hundredths < 10 ? ",0\(hundredths)" : ",\(hundredths)")
        }
        return text + " %"
    }

    public var description: String { vietnamesePercent }

    /// `rate.vietnamesePercent`, or "Không có dữ liệu" for a rate with no data.
    public static func vietnamesePercent(_ rate: BasisPoints?) -> String {
        rate?.vietnamesePercent ?? noDataText
    }

    public static func < (lhs: BasisPoints, rhs: BasisPoints) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        self.value = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
