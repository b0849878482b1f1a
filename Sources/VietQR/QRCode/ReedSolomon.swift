/// Reed–Solomon error correction codewords as QR Code uses them (ISO/IEC 18004 §7.5.2):
/// the generator polynomial is (x − α⁰)(x − α¹)…(x − α^(n−1)) over GF(256), and the error correction
/// codewords are the remainder of data(x)·xⁿ divided by it.
enum ReedSolomon {
    /// Largest error correction codeword count per block in any QR Code version (40-H uses 30).
    static let errorCorrectionCodewordsMax = 30

    /// The generator's coefficients, highest degree first; the leading coefficient is 1.
    static func generatorPolynomial(degree: Int) -> [UInt8] {
        precondition((1...errorCorrectionCodewordsMax).contains(degree))
        var coefficients: [UInt8] = [1]
        for root in 0..<degree {
            // Multiply by (x + α^root); in GF(2⁸) subtraction is addition.
            var product = [UInt8](repeating: 0, count: coefficients.count + 1)
            let factor = GaloisField256.power(root)
            for (index, coefficient) in coefficients.enumerated() {
                product[index] ^= coefficient
                product[index + 1] ^= GaloisField256.multiply(coefficient, factor)
            }
            coefficients = product
        }
        return coefficients
    }

    /// The `count` error correction codewords of `data`.
    static func errorCorrectionCodewords(for data: [UInt8], count: Int) -> [UInt8] {
        let generator = generatorPolynomial(degree: count)
        var remainder = [UInt8](repeating: 0, count: count)
        for byte in data {
            // Long division, one data codeword at a time: the remainder's leading term leaves as the next term enters.
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<count {
                remainder[index] ^= GaloisField256.multiply(generator[index + 1], factor)
            }
        }
        return remainder
    }
}
