import Core

/// An exact decimal amount of money in one currency, as a bank file states it.
///
/// The value is `minorUnits × 10^-scale`. Amounts are kept at their smallest exact scale
/// (`1500000,00` is stored as 1500000 with scale 0, `1234,50` as 12345 with scale 1), so two
/// amounts that are equal as numbers are equal as values, and `decimalText` is canonical.
/// Parsing never goes through floating point; every operation checks for overflow.
public struct StatementAmount: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let scale: Int
    /// ISO 4217 code: three upper-case ASCII letters.
    public let currency: String

    /// The most fraction digits an amount may carry: ISO 20022 allows five, MT940 banks use two.
    public static let scaleMax = 6
    /// The most significant digits an amount may carry (`Int64` holds 18 full digits).
    public static let digitsMax = 18

    /// An amount from its parts, reduced to its smallest exact scale.
    public init(minorUnits: Int64, scale: Int, currency: String) throws(StatementAmountError) {
        guard (0...StatementAmount.scaleMax).contains(scale) else { throw .scaleTooLarge(scale) }
        guard StatementAmount.isCurrencyCode(currency) else { throw .invalidCurrency(currency) }
        var units = minorUnits
        var reducedScale = scale
        while reducedScale > 0 && units % 10 == 0 {
            units /= 10
            reducedScale -= 1
        }
        self.minorUnits = units
        self.scale = reducedScale
        self.currency = currency
    }

    /// Whole units of `currency` (no fraction).
    public init(whole: Int64, currency: String) throws(StatementAmountError) {
        try self.init(minorUnits: whole, scale: 0, currency: currency)
    }

    public static func zero(currency: String) throws(StatementAmountError) -> StatementAmount {
        try StatementAmount(minorUnits: 0, scale: 0, currency: currency)
    }

    /// Parses `[-]digits[<separator>digits]`, e.g. `1500000,` or `-1234.56`, exactly.
    ///
    /// - Parameters:
    ///   - text: the amount; a separator with no digits after it (`100,`) is allowed, as MT940 writes it.
    ///   - decimalSeparator: `,` for MT940, `.` for XML.
    public init(parsing text: some Collection<UInt8>, decimalSeparator: UInt8, currency: String) throws(StatementAmountError) {
        var negative = false
        var units: Int64 = 0
        var digits = 0
        var scale = 0
        var seenSeparator = false
        var seenDigit = false
        for (index, byte) in text.enumerated() {
            if index == 0 && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            if byte == decimalSeparator && !seenSeparator {
                seenSeparator = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                throw .invalidText(String(decoding: text, as: UTF8.self))
            }
            seenDigit = true
            if units == 0 && byte == UInt8(ascii: "0") && !seenSeparator { continue }
            digits += 1
            if seenSeparator { scale += 1 }
            guard digits <= StatementAmount.digitsMax, scale <= StatementAmount.scaleMax else {
                throw .tooManyDigits(String(decoding: text, as: UTF8.self))
            }
            units = units * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        guard seenDigit else { throw .invalidText(String(decoding: text, as: UTF8.self)) }
        try self.init(minorUnits: negative ? -units : units, scale: scale, currency: currency)
    }

    public var isZero: Bool { minorUnits == 0 }
    public var isNegative: Bool { minorUnits < 0 }
    public var isPositive: Bool { minorUnits > 0 }

    public var negated: StatementAmount {
        // minorUnits can never be Int64.min: parsing bounds digits to 18.
        StatementAmount(unchecked: -minorUnits, scale: scale, currency: currency)
    }

    public var magnitude: StatementAmount { isNegative ? negated : self }

    private init(unchecked minorUnits: Int64, scale: Int, currency: String) {
        self.minorUnits = minorUnits
        self.scale = scale
        self.currency = currency
    }

    /// The exact decimal, `.` before the fraction, `-` when negative, no grouping: `-1500000`, `1234.56`.
    public var decimalText: String {
        let digits = String(minorUnits.magnitude)
        let sign = minorUnits < 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = digits.count > scale ? digits : String(repeating: "0", count: scale - digits.count + 1) + digits
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<split] + "." + padded[split...]
    }

    public var description: String { decimalText + " " + currency }

    public func adding(_ other: StatementAmount) throws(StatementAmountError) -> StatementAmount {
        guard other.currency == currency else { throw .currencyMismatch(currency, other.currency) }
        let scale = max(self.scale, other.scale)
        let (sum, overflow) = try rescaled(to: scale).addingReportingOverflow(try other.rescaled(to: scale))
        guard !overflow else { throw .overflow }
        return try StatementAmount(minorUnits: sum, scale: scale, currency: currency)
    }

    public func subtracting(_ other: StatementAmount) throws(StatementAmountError) -> StatementAmount {
        try adding(other.negated)
    }

    /// `minorUnits` expressed at a larger scale.
    func rescaled(to target: Int) throws(StatementAmountError) -> Int64 {
        precondition(target >= scale, "rescaling may only add fraction digits")
        var units = minorUnits
        for _ in scale..<target {
            let (product, overflow) = units.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw .overflow }
            units = product
        }
        return units
    }

    /// Whole đồng, for the ledger import: refused unless the currency is VND and there is no fraction.
    public func wholeDong() throws(StatementAmountError) -> Money {
        guard currency == "VND" else { throw .notVND(currency) }
        guard scale == 0 else { throw .fractionalDong(decimalText) }
        do { return try Money(checkedDong: minorUnits) } catch { throw .beyondMoneyBounds(decimalText) }
    }

    static func isCurrencyCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }
}

public enum StatementAmountError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidText(String)
    case tooManyDigits(String)
    case scaleTooLarge(Int)
    case invalidCurrency(String)
    case currencyMismatch(String, String)
    case overflow
    case notVND(String)
    case fractionalDong(String)
    case beyondMoneyBounds(String)

    public var description: String {
        switch self {
        case .invalidText(let text): return "'\(text)' is not an amount"
        case .tooManyDigits(let text):
            return "'\(text)' has more than \(StatementAmount.digitsMax) digits or \(StatementAmount.scaleMax) decimals"
        case .scaleTooLarge(let scale): return "\(scale) decimals is more than \(StatementAmount.scaleMax)"
        case .invalidCurrency(let code): return "'\(code)' is not a currency code (three capital letters)"
        case .currencyMismatch(let a, let b): return "cannot combine amounts in \(a) and \(b)"
        case .overflow: return "amount arithmetic overflowed"
        case .notVND(let code): return "the amount is in \(code); the ledger takes only VND"
        case .fractionalDong(let text): return "\(text) VND has a fraction of a đồng"
        case .beyondMoneyBounds(let text): return "\(text) VND is beyond ±\(Money.absoluteDongMax) đồng"
        }
    }
}
