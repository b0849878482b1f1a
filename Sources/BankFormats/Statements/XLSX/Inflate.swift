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
///
/// Speed (a 100,000-row sheet is ~15 MB of markup): bits are refilled eight bytes at a time, a symbol is
/// one lookup in a 10-bit table (two for the rare longer codes), one refill serves a whole length and
/// distance pair, and back-references are copied as blocks when they do not overlap what they write.
struct Inflate {
    /// Decompresses `input` (raw DEFLATE, no zlib or gzip header).
    static func decompress(_ input: ArraySlice<UInt8>, outputBytesMax: Int, expectedBytes: Int? = nil) throws(InflateError) -> [UInt8] {
        if let expectedBytes, outputBytesMax <= expectedBytes {
            return try decompressInPlace(input, outputBytesMax: outputBytesMax)
        }
        let output = InflateOutput(capacity: min(expectedBytes ?? input.count * 4, outputBytesMax), limit: outputBytesMax)
        try run(input, outputBytesMax: outputBytesMax, into: output)
        return output.bytes()
    }

    /// When the size is known (a ZIP entry declares it and the limit is that size): written straight into
    /// the array returned, so a 34 MB sheet is neither grown nor copied (one copy less in peak memory).
    private static func decompressInPlace(_ input: ArraySlice<UInt8>, outputBytesMax: Int) throws(InflateError) -> [UInt8] {
        var failure: InflateError?
        let bytes = [UInt8](unsafeUninitializedCapacity: outputBytesMax) { buffer, initializedCount in
            let output = InflateOutput(borrowing: buffer)
            do throws(InflateError) { try run(input, outputBytesMax: outputBytesMax, into: output) } catch { failure = error }
            initializedCount = output.count
        }
        if let failure { throw failure }
        return bytes
    }

    private static func run(_ input: ArraySlice<UInt8>, outputBytesMax: Int, into output: InflateOutput) throws(InflateError) {
        try input.withUnsafeBufferPointer { (buffer) throws(InflateError) in
            var state = Inflate(input: buffer, outputBytesMax: outputBytesMax)
            try state.run(into: output)
        }
    }

    private let input: UnsafeBufferPointer<UInt8>
    private let outputBytesMax: Int
    private var position = 0
    /// Bits not yet used, least significant first. Bits above `bitCount` may hold the next input bytes
    /// (an eight-byte refill overlaps): they are always the true input, so or-ing them in again is harmless.
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// Bits handed out past the end of the input (as zeros); more than a few means truncated data.
    private var overrunBits = 0

    /// Bits one length and distance pair can take: 15 (code) + 5 (extra) + 15 (code) + 13 (extra).
    private static let pairBitsMax = 48

    private init(input: UnsafeBufferPointer<UInt8>, outputBytesMax: Int) {
        self.input = input
        self.outputBytesMax = outputBytesMax
    }

    private mutating func run(into output: InflateOutput) throws(InflateError) {
        var isFinal = false
        while !isFinal {
            isFinal = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock(into: output)
            case 1: try huffmanBlock(literals: Inflate.fixedLiterals, distances: Inflate.fixedDistances, into: output)
            case 2:
                let (literals, distances) = try dynamicTables()
                try huffmanBlock(literals: literals, distances: distances, into: output)
            default: throw InflateError("block type 3 is reserved")
            }
        }
    }

    // MARK: Bits

    /// Fills the buffer to at least 56 bits: eight bytes in one load while they last, then byte by byte
    /// (counting bits past the end, which `checkOverrun` turns into an error once they are used).
    @inline(__always)
    private mutating func refill() {
        if position + 8 <= input.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(input.baseAddress! + position).loadUnaligned(as: UInt64.self))
            bitBuffer |= word &<< UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
            return
        }
        while bitCount <= 56 {
            if position < input.count {
                bitBuffer |= UInt64(input[position]) &<< UInt64(bitCount)
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
        let value = take(count)
        try checkOverrun()
        return value
    }

    /// `count` bits the caller has made sure are buffered.
    @inline(__always)
    private mutating func take(_ count: Int) -> Int {
        let value = Int(bitBuffer & ((1 &<< UInt64(count)) &- 1))
        bitBuffer &>>= UInt64(count)
        bitCount -= count
        return value
    }

    /// Zeros handed out past the input's end that were actually used: the data is cut short.
    @inline(__always)
    private func checkOverrun() throws(InflateError) {
        if overrunBits > bitCount { throw InflateError("compressed data ends too early") }
    }

    // MARK: Blocks

    private mutating func storedBlock(into output: InflateOutput) throws(InflateError) {
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
        guard output.reserve(length) else { throw limitError() }
        output.append(UnsafeBufferPointer(rebasing: input[position..<(position + length)]))
        position += length
    }

    private mutating func huffmanBlock(literals: HuffmanTable, distances: HuffmanTable, into output: InflateOutput) throws(InflateError) {
        try literals.entries.withUnsafeBufferPointer { (literalEntries) throws(InflateError) in
            try distances.entries.withUnsafeBufferPointer { (distanceEntries) throws(InflateError) in
                try decodeSymbols(literalEntries, distanceEntries, into: output)
            }
        }
    }

    private mutating func decodeSymbols(_ literals: UnsafeBufferPointer<UInt32>, _ distances: UnsafeBufferPointer<UInt32>,
                                        into output: InflateOutput) throws(InflateError) {
        while true {
            if bitCount < Inflate.pairBitsMax { refill() }
            let symbol = try decode(literals)
            if symbol < 256 {
                try checkOverrun()
                guard output.reserve(1) else { throw limitError() }
                output.appendByte(UInt8(truncatingIfNeeded: symbol))
                continue
            }
            if symbol == 256 {
                try checkOverrun()
                return
            }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw InflateError("length code \(symbol) is invalid") }
            let length = Inflate.lengthBase[lengthIndex] + take(Inflate.lengthExtra[lengthIndex])
            let distanceSymbol = try decode(distances)
            guard distanceSymbol < 30 else { throw InflateError("distance code \(distanceSymbol) is invalid") }
            let distance = Inflate.distanceBase[distanceSymbol] + take(Inflate.distanceExtra[distanceSymbol])
            try checkOverrun()
            guard distance <= output.count else { throw InflateError("a distance reaches before the start of the data") }
            guard output.reserve(length) else { throw limitError() }
            output.copyBack(distance: distance, length: length)
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
            if bitCount < HuffmanTable.codeLengthMax { refill() }
            let symbol = try codeLengths.entries.withUnsafeBufferPointer { (entries) throws(InflateError) in try decode(entries) }
            try checkOverrun()
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

    /// One symbol from at least 15 buffered bits (the caller refilled; it checks the overrun after).
    @inline(__always)
    private mutating func decode(_ entries: UnsafeBufferPointer<UInt32>) throws(InflateError) -> Int {
        var entry = entries[Int(bitBuffer & HuffmanTable.primaryMask)]
        if entry & HuffmanTable.linkFlag != 0 {
            let subBits = UInt64(entry & 0xF)
            let index = Int(entry >> 8) + Int((bitBuffer &>> UInt64(HuffmanTable.primaryBits)) & ((1 &<< subBits) &- 1))
            entry = entries[index]
        }
        let length = Int(entry & 0xF)
        guard length > 0 else { throw InflateError("invalid Huffman code") }
        bitBuffer &>>= UInt64(length)
        bitCount -= length
        return Int(entry >> 8)
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

/// The decompressed bytes, written through a pointer: growing by doubling up to the limit, so that a
/// literal is one store and a back-reference one block copy (no per-byte append checks).
final class InflateOutput {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let limit: Int
    /// False when writing into a caller's buffer (of exactly `limit` bytes: it never grows).
    private let owned: Bool
    private(set) var count = 0

    /// The capacity never exceeds `limit`, so "fits the capacity" implies "within the limit".
    init(capacity: Int, limit: Int) {
        self.capacity = min(max(capacity, 64), limit)
        self.limit = limit
        owned = true
        base = .allocate(capacity: max(self.capacity, 1))
    }

    /// Writes into `buffer`, whose size is the limit.
    init(borrowing buffer: UnsafeMutableBufferPointer<UInt8>) {
        capacity = buffer.count
        limit = buffer.count
        owned = false
        // An empty buffer may have no address; nothing is ever written to it (the capacity is 0).
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!
    }

    deinit { if owned { base.deallocate() } }

    /// Makes room for `extra` more bytes; false when that would pass the limit.
    @inline(__always)
    func reserve(_ extra: Int) -> Bool {
        guard count + extra > capacity else { return true }
        guard count + extra <= limit else { return false }
        grow(to: min(max(capacity * 2, count + extra), max(limit, count + extra)))
        return true
    }

    private func grow(to newCapacity: Int) {
        precondition(owned, "a borrowed buffer is exactly the limit and never grows")
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    func appendByte(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Copies `length` bytes from `distance` back (checked by the caller: within the output, room reserved).
    /// A copy that overlaps what it writes (distance < length) repeats a run, so it goes byte by byte.
    @inline(__always)
    func copyBack(distance: Int, length: Int) {
        let target = base + count
        let source = target - distance
        if distance >= length {
            target.update(from: source, count: length)
        } else {
            for offset in 0..<length { target[offset] = source[offset] }
        }
        count += length
    }

    func bytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }
}

/// A canonical Huffman code as lookup tables indexed by the next input bits (read least significant bit
/// first). The primary table has `1 << primaryBits` entries; a code longer than that links to a subtable
/// for its primary index, indexed by the following bits. An entry is `symbol << 8 | code length` (0 where
/// no code fits), or `offset << 8 | linkFlag | subtable bits` for a link.
struct HuffmanTable {
    let entries: [UInt32]

    static let codeLengthMax = 15
    static let primaryBits = 10
    static let primaryMask: UInt64 = (1 << UInt64(primaryBits)) - 1
    static let linkFlag: UInt32 = 0x80

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
        let codes = HuffmanTable.reversedCodes(lengths, counts: counts)
        let primary = 1 << HuffmanTable.primaryBits
        // Longest code per primary index: the size of its subtable.
        var longest = [Int](repeating: 0, count: primary)
        for (symbol, lengthByte) in lengths.enumerated() where Int(lengthByte) > HuffmanTable.primaryBits {
            let prefix = codes[symbol] & (primary - 1)
            longest[prefix] = max(longest[prefix], Int(lengthByte))
        }
        var table = [UInt32](repeating: 0, count: primary)
        for prefix in 0..<primary where longest[prefix] > 0 {
            let subBits = longest[prefix] - HuffmanTable.primaryBits
            table[prefix] = UInt32(table.count) << 8 | HuffmanTable.linkFlag | UInt32(subBits)
            table.append(contentsOf: repeatElement(0, count: 1 << subBits))
        }
        for (symbol, lengthByte) in lengths.enumerated() where lengthByte > 0 {
            let length = Int(lengthByte)
            let entry = UInt32(symbol) << 8 | UInt32(length)
            let code = codes[symbol]
            if length <= HuffmanTable.primaryBits {
                var index = code
                while index < primary {
                    table[index] = entry
                    index += 1 << length
                }
            } else {
                let link = table[code & (primary - 1)]
                let offset = Int(link >> 8)
                let size = 1 << Int(link & 0xF)
                var index = code >> HuffmanTable.primaryBits
                while index < size {
                    table[offset + index] = entry
                    index += 1 << (length - HuffmanTable.primaryBits)
                }
            }
        }
        entries = table
    }

    /// Each symbol's canonical code, bit-reversed (DEFLATE sends codes most significant bit first).
    private static func reversedCodes(_ lengths: [UInt8], counts: [Int]) -> [Int] {
        var nextCode = [Int](repeating: 0, count: codeLengthMax + 2)
        var code = 0
        for length in 1...codeLengthMax {
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }
        var codes = [Int](repeating: 0, count: lengths.count)
        for (symbol, lengthByte) in lengths.enumerated() where lengthByte > 0 {
            let length = Int(lengthByte)
            let canonical = nextCode[length]
            nextCode[length] += 1
            var reversed = 0
            for bit in 0..<length where canonical & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
            codes[symbol] = reversed
        }
        return codes
    }
}
