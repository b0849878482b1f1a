/// Format and version information: BCH codes over the error correction level, mask and version (ISO/IEC 18004 §7.9, §7.10).
enum QRCodeFormatInformation {
    /// Error correction levels and their 2-bit indicators (L 01, M 00, Q 11, H 10).
    enum Level: Int, CaseIterable, Sendable {
        case low = 0b01
        case medium = 0b00
        case quartile = 0b11
        case high = 0b10
    }

    /// BCH(15,5) generator x¹⁰ + x⁸ + x⁵ + x⁴ + x² + x + 1.
    static let formatGenerator = 0b101_0011_0111
    /// XOR applied to format bits so they are never all zero.
    static let formatMask = 0b101_0100_0001_0010
    /// BCH(18,6) generator x¹² + x¹¹ + x¹⁰ + x⁹ + x⁸ + x⁵ + x² + 1.
    static let versionGenerator = 0b1_1111_0010_0101

    /// What the format areas hold while masks are evaluated: overwritten by the real bits.
    static let reservedBits = 0

    /// The 15 format bits for `level` and `mask`: 5 data bits, 10 BCH bits, masked.
    static func formatBits(level: Level, mask: Int) -> Int {
        precondition((0...7).contains(mask))
        let data = level.rawValue << 3 | mask
        return (data << 10 | bchRemainder(data << 10, generator: formatGenerator, degree: 10)) ^ formatMask
    }

    /// The 18 version bits: 6 bits of version number, 12 BCH bits.
    static func versionBits(_ version: Int) -> Int {
        precondition((7...40).contains(version))
        return version << 12 | bchRemainder(version << 12, generator: versionGenerator, degree: 12)
    }

    /// The remainder of `value` divided by `generator` (of degree `degree`) over GF(2).
    static func bchRemainder(_ value: Int, generator: Int, degree: Int) -> Int {
        var remainder = value
        var bit = Int.bitWidth - 1 - remainder.leadingZeroBitCount
        while bit >= degree {
            if (remainder >> bit) & 1 != 0 { remainder ^= generator << (bit - degree) }
            bit -= 1
        }
        return remainder
    }
}
