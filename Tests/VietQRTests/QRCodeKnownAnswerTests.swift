import Testing
@testable import VietQR

/// Values from ISO/IEC 18004 and its worked examples, compared with what the encoder computes.
@Suite struct QRCodeKnownAnswerTests {
    /// Format information bit strings (ISO/IEC 18004 Table C.1), by level then mask 0–7.
    static let formatStrings: [(QRCodeFormatInformation.Level, [String])] = [
        (.low, ["111011111000100", "111001011110011", "111110110101010", "111100010011101",
                "110011000101111", "110001100011000", "110110001000001", "110100101110110"]),
        (.medium, ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                   "100010111111001", "100000011001110", "100111110010111", "100101010100000"]),
        (.quartile, ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
                     "010010010110100", "010000110000011", "010111011011010", "010101111101101"]),
        (.high, ["001011010001001", "001001110111110", "001110011100111", "001100111010000",
                 "000011101100010", "000001001010101", "000110100001100", "000100000111011"]),
    ]

    @Test func formatInformationForEveryLevelAndMask() {
        for (level, strings) in Self.formatStrings {
            for (mask, string) in strings.enumerated() {
                #expect(QRCodeFormatInformation.formatBits(level: level, mask: mask) == Int(string, radix: 2), "\(level) mask \(mask)")
            }
        }
    }

    /// Version information (ISO/IEC 18004 Table D.1).
    @Test func versionInformation() {
        #expect(QRCodeFormatInformation.versionBits(7) == 0x07C94)
        #expect(QRCodeFormatInformation.versionBits(8) == 0x085BC)
        #expect(QRCodeFormatInformation.versionBits(9) == 0x09A99)
        #expect(QRCodeFormatInformation.versionBits(10) == 0x0A4D3)
    }

    /// The 1-M symbol of "01234567" (ISO/IEC 18004 Annex I) and the 1-M "HELLO WORLD" example:
    /// both give their data codewords, so the 10 error correction codewords can be checked.
    @Test func reedSolomonOfWorkedExamples() {
        let numeric: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.errorCorrectionCodewords(for: numeric, count: 10) == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
        let hello: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.errorCorrectionCodewords(for: hello, count: 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    /// Generator polynomials in α-exponent form from the standard's Annex A: degree 7 is
    /// α⁰x⁷ + α⁸⁷x⁶ + α²²⁹x⁵ + α¹⁴⁶x⁴ + α¹⁴⁹x³ + α²³⁸x² + α¹⁰²x + α²¹.
    @Test func generatorPolynomial() {
        let exponents = ReedSolomon.generatorPolynomial(degree: 7).map { GaloisField256.logarithms[Int($0)] }
        #expect(exponents == [0, 87, 229, 146, 149, 238, 102, 21])
    }

    @Test func galoisFieldIsAField() {
        for a in 1...255 {
            let inverse = GaloisField256.power(255 - GaloisField256.logarithms[a])
            #expect(GaloisField256.multiply(UInt8(a), inverse) == 1)
        }
        #expect(GaloisField256.power(8) == 0x1D) // α⁸ = x⁴ + x³ + x² + 1
    }

    /// Byte mode "hello" at 1-M worked out by hand: 0100 | 00000101 | the bytes | 0000 | pad EC 11 …
    @Test func byteModeDataCodewords() {
        let codewords = QRCodeCodewords.dataCodewords(Array("hello".utf8), version: .version(1))
        #expect(codewords == [0x40, 0x56, 0x86, 0x56, 0xC6, 0xC6, 0xF0, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC])
        // Version 10 counts bytes in 16 bits: 0100 | 0000000000000001 | 01000001 | 0000 …
        let wide = QRCodeCodewords.dataCodewords([0x41], version: .version(10))
        #expect(Array(wide.prefix(5)) == [0x40, 0x00, 0x14, 0x10, 0xEC])
    }

    /// Byte-mode capacity at level M (ISO/IEC 18004 Table 7) and total codewords (Table 1).
    @Test func capacityAndCodewordCounts() throws {
        let capacities = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]
        let totals = [26, 44, 70, 100, 134, 172, 196, 242, 292, 346]
        let remainderBits = [0, 7, 7, 7, 7, 7, 0, 0, 0, 0]
        for number in 1...10 {
            let version = QRCodeVersion.version(number)
            #expect(version.byteCapacity == capacities[number - 1])
            #expect(version.totalCodewords == totals[number - 1])
            // The function patterns leave exactly the codewords and remainder bits free.
            let free = QRCodeCanvas(version: version).dataModuleCount
            #expect(free == totals[number - 1] * 8 + remainderBits[number - 1], "version \(number)")
            #expect(try QRCodeEncoder.encode([UInt8](repeating: 0x61, count: capacities[number - 1])).version == number)
            if number < 10 {
                #expect(try QRCodeEncoder.encode([UInt8](repeating: 0x61, count: capacities[number - 1] + 1)).version == number + 1)
            }
        }
        #expect(try QRCodeEncoder.encode([]).version == 1)
        #expect(throws: QRCodeError.dataTooLong(byteCount: 214, capacityBytesMax: 213)) {
            try QRCodeEncoder.encode([UInt8](repeating: 0x61, count: 214))
        }
    }

    /// Finder, timing, alignment and dark module where Figure 2 and §6.3 put them.
    @Test func functionPatternsArePlaced() throws {
        for number in 1...10 {
            let matrix = try QRCodeEncoder.encode([UInt8](repeating: 0x30, count: QRCodeVersion.version(number).byteCapacity))
            let size = matrix.size
            #expect(size == 17 + 4 * number)
            for (top, left) in [(0, 0), (0, size - 7), (size - 7, 0)] {
                for row in 0..<7 {
                    for column in 0..<7 {
                        let ring = max(abs(row - 3), abs(column - 3))
                        #expect(matrix[top + row, left + column] == (ring != 2), "finder at \(top),\(left)")
                    }
                }
            }
            for index in 8..<(size - 8) {
                #expect(matrix[6, index] == (index % 2 == 0))
                #expect(matrix[index, 6] == (index % 2 == 0))
            }
            #expect(matrix[size - 8, 8], "dark module")
            if number >= 2 {
                let centre = size - 7 // the bottom-right alignment pattern
                #expect(matrix[centre, centre] && !matrix[centre - 1, centre] && matrix[centre - 2, centre - 2])
            }
        }
    }

    /// The format bits read back from both copies in the symbol match the mask used.
    @Test func formatInformationIsReadableFromBothCopies() throws {
        for mask in 0..<8 {
            let matrix = try QRCodeEncoder.encode(Array("format".utf8), forcedMask: mask)
            let size = matrix.size
            var first = 0
            var second = 0
            // Copy 1: bits 14…9 along row 8 from column 0 (skipping the timing column), 8 and 7, then up column 8.
            let firstPositions = [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8), (5, 8), (4, 8), (3, 8), (2, 8), (1, 8), (0, 8)]
            for (row, column) in firstPositions { first = first << 1 | (matrix[row, column] ? 1 : 0) }
            // Copy 2: bits 14…8 up column 8 from the bottom, then bits 7…0 along row 8 to the right edge.
            var secondPositions = (0..<7).map { (size - 1 - $0, 8) }
            secondPositions += (0..<8).map { (8, size - 8 + $0) }
            for (row, column) in secondPositions { second = second << 1 | (matrix[row, column] ? 1 : 0) }
            let expected = Int(Self.formatStrings[1].1[mask], radix: 2)
            #expect(first == expected && second == expected, "mask \(mask)")
        }
    }
}
