/// From bytes to the final codeword sequence: byte-mode bit stream, padding, Reed–Solomon per block, interleaving.
enum QRCodeCodewords {
    static let byteModeIndicator = 0b0100
    static let terminatorBitsMax = 4
    /// Pad codewords alternate 1110 1100 and 0001 0001 (§7.4.10).
    static let padCodewords: [UInt8] = [0xEC, 0x11]

    /// The data codewords of `data` in byte mode for `version`, padded to the version's data capacity.
    static func dataCodewords(_ data: [UInt8], version: QRCodeVersion) -> [UInt8] {
        precondition(data.count <= version.byteCapacity)
        var bits = BitWriter()
        bits.append(byteModeIndicator, bitCount: QRCodeVersion.modeIndicatorBits)
        bits.append(data.count, bitCount: version.characterCountBits)
        for byte in data { bits.append(Int(byte), bitCount: 8) }
        let capacityBits = version.dataCodewords * 8
        bits.append(0, bitCount: min(terminatorBitsMax, capacityBits - bits.count))
        bits.append(0, bitCount: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var padIndex = 0
        while codewords.count < version.dataCodewords {
            codewords.append(padCodewords[padIndex % padCodewords.count])
            padIndex += 1
        }
        precondition(codewords.count == version.dataCodewords)
        return codewords
    }

    /// Data codewords split into blocks, each followed by its error correction, then interleaved:
    /// the i-th data codeword of every block in turn, then the i-th error correction codeword of every block.
    static func interleaved(_ dataCodewords: [UInt8], version: QRCodeVersion) -> [UInt8] {
        precondition(dataCodewords.count == version.dataCodewords)
        var dataBlocks: [[UInt8]] = []
        var start = 0
        for group in version.blockGroups {
            for _ in 0..<group.blockCount {
                dataBlocks.append(Array(dataCodewords[start..<start + group.dataCodewordsPerBlock]))
                start += group.dataCodewordsPerBlock
            }
        }
        let errorCorrectionCount = version.errorCorrectionCodewordsPerBlock
        let errorBlocks = dataBlocks.map { ReedSolomon.errorCorrectionCodewords(for: $0, count: errorCorrectionCount) }
        var result: [UInt8] = []
        result.reserveCapacity(version.totalCodewords)
        let longestDataBlock = dataBlocks.map(\.count).max() ?? 0
        for index in 0..<longestDataBlock {
            for block in dataBlocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<errorCorrectionCount {
            for block in errorBlocks { result.append(block[index]) }
        }
        precondition(result.count == version.totalCodewords)
        return result
    }
}

/// Bits appended most significant first, read back as bytes.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, bitCount: Int) {
        precondition(bitCount >= 0 && bitCount <= 31 && value >= 0 && value >> bitCount == 0, "value does not fit its bits")
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 != 0 { bytes[bytes.count - 1] |= UInt8(0x80 >> (count % 8)) }
            count += 1
        }
    }
}
