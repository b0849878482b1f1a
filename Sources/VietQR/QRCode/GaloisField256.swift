/// Arithmetic in GF(2⁸) with the QR Code polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D); α = 2.
enum GaloisField256 {
    static let reducingPolynomial = 0x11D
    static let nonZeroElementCount = 255

    /// α^i for i in 0..<510, so a product's log sum needs no reduction modulo 255.
    static let powers: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 2 * nonZeroElementCount)
        var value = 1
        for exponent in 0..<nonZeroElementCount {
            table[exponent] = UInt8(value)
            table[exponent + nonZeroElementCount] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= reducingPolynomial }
        }
        precondition(value == 1, "α must have order 255")
        return table
    }()

    /// log_α(x) for x in 1...255; entry 0 is unused.
    static let logarithms: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for exponent in 0..<nonZeroElementCount { table[Int(powers[exponent])] = exponent }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        guard a != 0 && b != 0 else { return 0 }
        return powers[logarithms[Int(a)] + logarithms[Int(b)]]
    }

    static func power(_ exponent: Int) -> UInt8 {
        precondition(exponent >= 0)
        return powers[exponent % nonZeroElementCount]
    }
}
