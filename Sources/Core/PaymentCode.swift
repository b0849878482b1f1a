/// Payment codes: what a parent writes in a transfer memo so the money finds its student or invoice.
///
/// A code is `prefix + body + check`:
/// - the alphabet has no look-alikes (no `O`/`0`, no `I`/`1`): `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`, 32 symbols;
/// - the prefix is the school's (1–3 letters of the alphabet, e.g. `HP` for "học phí");
/// - the body is a per-school serial number, scrambled so neighbouring serials do not look alike,
///   5 symbols for a student's standing code, 6 for an invoice's — the length tells the kind;
/// - the check symbol makes the weighted sum of all symbols zero in GF(32). Weights are distinct
///   powers of a primitive element, so every single-symbol substitution and every adjacent
///   transposition (including one with the check symbol) changes the sum and is detected.
public struct PaymentCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let text: String
    public let kind: PaymentCodeKind

    public static let alphabet: [UInt8] = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
    public static let prefixLengthMax = 3
    public static let lengthMax = 10

    public var description: String { text }

    /// The code for serial number `serial` of `kind` under `prefix`.
    public init(prefix: String, kind: PaymentCodeKind, serial: UInt64) throws(PaymentCodeError) {
        try PaymentCode.validatePrefix(prefix)
        guard serial < kind.serialCount else { throw PaymentCodeError.serialOutOfRange(serial) }
        var symbols = Array(prefix.utf8).map { PaymentCode.symbolValue($0)! }
        symbols += PaymentCode.scrambledDigits(serial, kind: kind)
        symbols.append(PaymentCode.checkSymbol(for: symbols))
        self.kind = kind
        self.text = String(decoding: symbols.map { PaymentCode.alphabet[Int($0)] }, as: UTF8.self)
        assert(PaymentCode.isValid(text, prefix: prefix) == kind)
    }

    /// Parses a code written by a person: upper-cased, must carry `prefix` and a valid check symbol.
    public init(parsing text: String, prefix: String) throws(PaymentCodeError) {
        let upper = text.uppercased()
        guard let kind = PaymentCode.isValid(upper, prefix: prefix) else { throw PaymentCodeError.invalid(text) }
        self.text = upper
        self.kind = kind
    }

    /// The kind of `text` if it is a well-formed code under `prefix` whose check symbol validates.
    public static func isValid(_ text: String, prefix: String) -> PaymentCodeKind? {
        isValid(utf8: Array(text.utf8)[...], prefix: Array(prefix.utf8))
    }

    /// `isValid` of a code's bytes (a memo's, as the finder reads them): no String is made for a
    /// place that only looks like a code.
    public static func isValid(utf8 bytes: ArraySlice<UInt8>, prefix: [UInt8]) -> PaymentCodeKind? {
        guard bytes.starts(with: prefix) else { return nil }
        guard let kind = PaymentCodeKind(codeLength: bytes.count, prefixLength: prefix.count) else { return nil }
        var sum: UInt8 = 0
        var weight: UInt8 = 1
        // Σ symbolᵢ·α^(n−1−i) in GF(32), computed as the symbols are read: zero for a valid code.
        for byte in bytes.reversed() {
            guard let symbol = symbolValue(byte) else { return nil }
            sum ^= GF32.multiply(symbol, weight)
            weight = GF32.multiply(weight, 2)
        }
        return sum == 0 ? kind : nil
    }

    /// `validatePrefix` as an anchored pattern for the API's document: the alphabet's letters (no `I`, no `O`).
    public static let prefixPattern = "^[A-HJ-NP-Z]{1,3}$"

    /// A prefix is 1–3 letters of the alphabet, so it can never be confused with the digits of a body.
    public static func validatePrefix(_ prefix: String) throws(PaymentCodeError) {
        let bytes = Array(prefix.utf8)
        guard (1...prefixLengthMax).contains(bytes.count),
              bytes.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") && symbolValue($0) != nil })
        else { throw PaymentCodeError.invalidPrefix(prefix) }
    }

    /// The symbol value (0–31) of an alphabet byte, nil for any other byte.
    @inline(__always)
    public static func symbolValue(_ byte: UInt8) -> UInt8? {
        symbolTable[Int(byte)] == 0xFF ? nil : symbolTable[Int(byte)]
    }

    private static let symbolTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The symbol that makes the weighted sum of `symbols + [check]` zero.
    static func checkSymbol(for symbols: [UInt8]) -> UInt8 {
        // The check symbol has weight α⁰ = 1, and addition in GF(2⁵) is XOR, so it equals the sum of the rest.
        var sum: UInt8 = 0
        var weight: UInt8 = 2 // α¹ for the symbol just before the check symbol
        for symbol in symbols.reversed() {
            sum ^= GF32.multiply(symbol, weight)
            weight = GF32.multiply(weight, 2)
        }
        return sum
    }

    /// Base-32 digits of the serial after an affine bijection modulo 32^width,
    /// so that consecutive students or invoices get codes that differ in many places.
    static func scrambledDigits(_ serial: UInt64, kind: PaymentCodeKind) -> [UInt8] {
        let modulus = kind.serialCount
        let scrambled = (serial &* kind.scrambleMultiplier &+ kind.scrambleOffset) & (modulus - 1)
        var digits = [UInt8](repeating: 0, count: kind.bodyLength)
        var rest = scrambled
        for index in stride(from: kind.bodyLength - 1, through: 0, by: -1) {
            digits[index] = UInt8(rest & 31)
            rest >>= 5
        }
        return digits
    }
}

public enum PaymentCodeKind: String, Sendable, Codable, CaseIterable {
    case student
    case invoice

    /// Symbols between prefix and check symbol.
    public var bodyLength: Int { self == .student ? 5 : 6 }

    /// How many distinct serials fit the body: 32^bodyLength.
    public var serialCount: UInt64 { UInt64(1) << UInt64(5 * bodyLength) }

    public func codeLength(prefixLength: Int) -> Int { prefixLength + bodyLength + 1 }

    init?(codeLength: Int, prefixLength: Int) {
        switch codeLength - prefixLength - 1 {
        case PaymentCodeKind.student.bodyLength: self = .student
        case PaymentCodeKind.invoice.bodyLength: self = .invoice
        default: return nil
        }
    }

    // Odd multipliers make the affine map a bijection modulo a power of two.
    var scrambleMultiplier: UInt64 { self == .student ? 0x2F_5A_93 : 0x1D_6B_C5_A7 }
    var scrambleOffset: UInt64 { self == .student ? 0x0B_17_2D : 0x13_5E_29_41 }
}

public enum PaymentCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidPrefix(String)
    case serialOutOfRange(UInt64)
    case invalid(String)

    public var description: String {
        switch self {
        case .invalidPrefix(let prefix):
            return "payment code prefix '\(prefix)' must be 1 to 3 upper-case letters other than I and O"
        case .serialOutOfRange(let serial): return "payment code serial \(serial) is out of range"
        case .invalid(let text): return "'\(text)' is not a valid payment code (wrong shape or check character)"
        }
    }
}

/// Arithmetic in GF(2⁵) with the primitive polynomial x⁵ + x² + 1; α = x = 2.
enum GF32 {
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var product: UInt8 = 0
        var a = a
        var b = b
        while b != 0 {
            if b & 1 != 0 { product ^= a }
            b >>= 1
            a <<= 1
            if a & 0x20 != 0 { a ^= 0x25 }
        }
        return product
    }
}
