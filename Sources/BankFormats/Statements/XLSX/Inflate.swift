/// Why compressed data could not be decompressed; the archive reader names the entry.
struct InflateError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A DEFLATE (RFC 1951) decompressor: stored, fixed and dynamic Huffman blocks, written here because
/// the project links no zlib.
///
/// Output is bounded by `outputBytesMax`: a stream that would write more is refused as soon as it
/// tries, so a zip bomb costs at most that much memory. Every code, length and distance is checked;
/// malformed input is an `InflateError`, never a crash or an endless loop (each step consumes input
/// or writes output, both bounded).
struct Inflate {
    /// Decompresses `input` (raw DEFLATE, no zlib or gzip header).
    static func decompress(_ input: ArraySlice<UInt8>, outputBytesMax: Int, expectedBytes: Int? = nil) throws(InflateError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(expectedBytes ?? input.count * 4, outputBytesMax))
        try input.withUnsafeBufferPointer { (buffer) throws(InflateError) in
            var state = Inflate(input: buffer, outputBytesMax: outputBytesMax)
            try state.run(into: &output)
        }
        return output
    }

    private let input: UnsafeBufferPointer<UInt8>
    private let outputBytesMax: Int
    private var position = 0
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// Bits handed out past the end of the input (as zeros); more than a few means truncated data.
    private var overrunBits = 0

    private init(input: UnsafeBufferPointer<UInt8>, outputBytesMax: Int) {
        self.input = input
        self.outputBytesMax = outputBytesMax
    }

    private mutating func run(into output: inout [UInt8]) throws(InflateError) {
        var isFinal = false
        while !isFinal {
            isFinal = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock(into: &output)
            case 1: try huffmanBlock(literals: Inflate.fixedLiterals, distances: Inflate.fixedDistances, into: &output)
            case 2:
                let (literals, distances) = try dynamicTables()
                try huffmanBlock(literals: literals, distances: distances, into: &output)
            default: throw InflateError("block type 3 is reserved")
            }
        }
    }

    // MARK: Bits

    @inline(__always)
    private mutating func refill() {
        while bitCount <= 56 {
            if position < input.count {
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                position += 1
            } else {
                overrunBits += 8
            }
            bitCount += 8
        }
    }

    @inline(__always)
    private mutating func bits(_ count: Int) throws(InflateError) -> Int {
        if bitCount < count { refill() }
        let value = Int(bitBuffer & ((1 << UInt64(count)) - 1))
        bitBuffer >>= UInt64(count)
        bitCount -= count
        try checkOverrun()
        return value
    }

    /// Zeros handed out past the input's end that were actually used: the data is cut short.
    @inline(__always)
    private func checkOverrun() throws(InflateError) {
        if overrunBits > bitCount { throw InflateError("compressed data ends too early") }
    }

    // MARK: Blocks

    private mutating func storedBlock(into output: inout [UInt8]) throws(InflateError) {
        // Drop to the byte boundary, then give back whole unread bytes to the input.
        let drop = bitCount % 8
        bitBuffer >>= UInt64(drop)
        bitCount -= drop
        let unread = bitCount / 8 - overrunBits / 8
        guard unread >= 0 else { throw InflateError("compressed data ends too early") }
        position -= unread
        bitBuffer = 0
        bitCount = 0
        overrunBits = 0
        guard position + 4 <= input.count else { throw InflateError("stored block header is cut short") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard length == complement ^ 0xFFFF else { throw InflateError("stored block length does not match its complement") }
        guard position + length <= input.count else { throw InflateError("stored block is cut short") }
        guard output.count + length <= outputBytesMax else { throw limitError() }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[position..<(position + length)]))
        position += length
    }

    private mutating func huffmanBlock(literals: HuffmanTable, distances: HuffmanTable, into output: inout [UInt8]) throws(InflateError) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                guard output.count < outputBytesMax else { throw limitError() }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw InflateError("length code \(symbol) is invalid") }
            let length = Inflate.lengthBase[lengthIndex] + (try bits(Inflate.lengthExtra[lengthIndex]))
            let distanceSymbol = try decode(distances)
            guard distanceSymbol < 30 else { throw InflateError("distance code \(distanceSymbol) is invalid") }
            let distance = Inflate.distanceBase[distanceSymbol] + (try bits(Inflate.distanceExtra[distanceSymbol]))
            guard distance <= output.count else { throw InflateError("a distance reaches before the start of the data") }
            guard output.count + length <= outputBytesMax else { throw limitError() }
            var from = output.count - distance
            // Byte by byte: a copy may overlap what it writes (distance < length repeats a run).
            for _ in 0..<length {
                output.append(output[from])
                from += 1
            }
        }
    }

    private func limitError() -> InflateError {
        InflateError("decompresses to more than \(outputBytesMax) bytes")
    }

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func dynamicTables() throws(InflateError) -> (HuffmanTable, HuffmanTable) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw InflateError("too many literal or distance codes") }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengthLengths[Inflate.codeLengthOrder[index]] = UInt8(try bits(3)) }
        let codeLengths = try HuffmanTable(lengths: codeLengthLengths)
        var lengths = [UInt8]()
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengths)
            switch symbol {
            case 0...15: lengths.append(UInt8(symbol))
            case 16:
                guard let previous = lengths.last else { throw InflateError("a repeat code has no length to repeat") }
                lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
            case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
            default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw InflateError("code lengths run past their count") }
        guard lengths[256] != 0 else { throw InflateError("the block has no end-of-block code") }
        return (try HuffmanTable(lengths: Array(lengths[0..<literalCount])), try HuffmanTable(lengths: Array(lengths[literalCount...])))
    }

    @inline(__always)
    private mutating func decode(_ table: HuffmanTable) throws(InflateError) -> Int {
        if bitCount < table.maxLength { refill() }
        let entry = table.entries[Int(bitBuffer & table.mask)]
        let length = Int(entry & 0xF)
        guard length > 0 else { throw InflateError("invalid Huffman code") }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        try checkOverrun()
        return Int(entry >> 4)
    }

    // MARK: Tables

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
                                       3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static let fixedLiterals: HuffmanTable = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        return try! HuffmanTable(lengths: lengths)
    }()

    private static let fixedDistances: HuffmanTable = try! HuffmanTable(lengths: [UInt8](repeating: 5, count: 30))
}

/// A canonical Huffman code as a lookup table indexed by the next `maxLength` input bits (read least
/// significant bit first): each entry is `symbol << 4 | code length`, 0 where no code fits.
struct HuffmanTable {
    let entries: [UInt32]
    let maxLength: Int
    let mask: UInt64

    static let codeLengthMax = 15

    init(lengths: [UInt8]) throws(InflateError) {
        var counts = [Int](repeating: 0, count: HuffmanTable.codeLengthMax + 1)
        for length in lengths { counts[Int(length)] += 1 }
        counts[0] = 0
        // Over-subscribed codes cannot be decoded; incomplete ones can (unused entries stay 0).
        var left = 1
        for length in 1...HuffmanTable.codeLengthMax {
            left = left << 1 - counts[length]
            guard left >= 0 else { throw InflateError("over-subscribed Huffman code lengths") }
        }
        let longest = lengths.max().map(Int.init) ?? 0
        maxLength = max(longest, 1)
        mask = (1 << UInt64(maxLength)) - 1
        var table = [UInt32](repeating: 0, count: 1 << maxLength)
        var nextCode = [Int](repeating: 0, count: HuffmanTable.codeLengthMax + 2)
        var code = 0
        for length in 1...HuffmanTable.codeLengthMax {
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }
        for (symbol, lengthByte) in lengths.enumerated() where lengthByte > 0 {
            let length = Int(lengthByte)
            let canonical = nextCode[length]
            nextCode[length] += 1
            var reversed = 0
            for bit in 0..<length where canonical & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
            let entry = UInt32(symbol) << 4 | UInt32(length)
            var index = reversed
            while index < table.count {
                table[index] = entry
                index += 1 << length
            }
        }
        entries = table
    }
}
