/// Presents a text file as UTF-8 bytes: skips a byte order mark and transcodes UTF-16.
///
/// UTF-8 input passes through unchanged (it is validated where text is taken from it);
/// UTF-16 input is converted code unit by code unit, surrogate pairs joined across chunks,
/// and an unpaired surrogate is an error naming its line.
final class TextDecodingSource: ByteSource {
    enum Encoding: Equatable {
        case utf8
        /// Byte order from the byte order mark, which must be present.
        case utf16WithMark
        case utf16(bigEndian: Bool)
    }

    private var source: any ByteSource
    private let file: String
    private var encoding: Encoding
    private var started = false
    private var raw: [UInt8]
    /// `raw[rawStart..<rawEnd]` is read and not yet decoded.
    private var rawStart = 0
    private var rawEnd = 0
    private var rawAtEnd = false
    private var pendingHighSurrogate: UInt16?
    private var line = 1

    init(source: any ByteSource, encoding: Encoding, file: String) {
        self.source = source
        self.encoding = encoding
        self.file = file
        raw = [UInt8](repeating: 0, count: StatementLimits.chunkBytes)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(buffer.count >= 8, "the output buffer must hold a few characters")
        if !started { try start() }
        while true {
            if rawEnd - rawStart < 4 && !rawAtEnd { try refill() }
            guard rawEnd > rawStart else {
                guard pendingHighSurrogate == nil else { throw encodingError("the file ends in the middle of a UTF-16 surrogate pair") }
                return 0
            }
            let written: Int
            if case .utf8 = encoding { written = copyThrough(buffer) } else { written = try transcode(into: buffer) }
            if written > 0 { return written }
            if rawAtEnd && rawEnd - rawStart == 1 { throw encodingError("the file ends with half a UTF-16 code unit") }
        }
    }

    /// Reads the byte order mark and settles the encoding.
    private func start() throws {
        started = true
        try refill()
        while rawEnd - rawStart < 3 && !rawAtEnd { try refill() }
        let head = raw[rawStart..<rawEnd]
        let utf8Mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let littleMark: [UInt8] = [0xFF, 0xFE]
        let bigMark: [UInt8] = [0xFE, 0xFF]
        switch encoding {
        case .utf8:
            if head.starts(with: utf8Mark) { rawStart += 3 }
            if head.starts(with: littleMark) || head.starts(with: bigMark) {
                throw encodingError("the file is UTF-16 (it starts with a UTF-16 byte order mark) but UTF-8 was expected")
            }
        case .utf16(bigEndian: let big):
            if head.starts(with: big ? bigMark : littleMark) { rawStart += 2 }
            else if head.starts(with: big ? littleMark : bigMark) {
                throw encodingError("the byte order mark says UTF-16 \(big ? "little" : "big")-endian, UTF-16 \(big ? "big" : "little")-endian was expected")
            }
        case .utf16WithMark:
            if head.starts(with: littleMark) { encoding = .utf16(bigEndian: false) }
            else if head.starts(with: bigMark) { encoding = .utf16(bigEndian: true) }
            else { throw encodingError("UTF-16 was expected but the file has no UTF-16 byte order mark") }
            rawStart += 2
        }
    }

    private func refill() throws {
        if rawStart > 0 {
            let kept = rawEnd - rawStart
            raw.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: $0.baseAddress! + rawStart, byteCount: kept) }
            rawStart = 0
            rawEnd = kept
        }
        guard rawEnd < raw.count else { return }
        let count = try raw.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[rawEnd...])) }
        if count == 0 { rawAtEnd = true }
        rawEnd += count
    }

    private func copyThrough(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, rawEnd - rawStart)
        raw.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + rawStart, byteCount: count) }
        rawStart += count
        return count
    }

    private func transcode(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard case .utf16(let bigEndian) = encoding else { preconditionFailure("transcoding needs a settled UTF-16 byte order") }
        var written = 0
        var utf8: [UInt8] = []
        while rawEnd - rawStart >= 2 && written + 4 <= buffer.count {
            let first = UInt16(raw[rawStart]), second = UInt16(raw[rawStart + 1])
            let unit = bigEndian ? first << 8 | second : second << 8 | first
            rawStart += 2
            if unit == 0x0A { line += 1 }
            guard let scalar = try scalar(for: unit) else { continue }
            utf8.removeAll(keepingCapacity: true)
            XMLEntityDecoding.appendUTF8(scalar, to: &utf8)
            for byte in utf8 {
                buffer[written] = byte
                written += 1
            }
        }
        return written
    }

    /// The scalar a code unit completes, nil when it is the first half of a pair.
    private func scalar(for unit: UInt16) throws -> UInt32? {
        if let high = pendingHighSurrogate {
            pendingHighSurrogate = nil
            guard (0xDC00...0xDFFF).contains(unit) else { throw encodingError("a UTF-16 high surrogate is not followed by a low one") }
            return 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
        }
        switch unit {
        case 0xD800...0xDBFF:
            pendingHighSurrogate = unit
            return nil
        case 0xDC00...0xDFFF:
            throw encodingError("a UTF-16 low surrogate without a high one")
        default:
            return UInt32(unit)
        }
    }

    private func encodingError(_ message: String) -> StatementParseError {
        StatementParseError(.encoding, file: file, line: line, message: message)
    }
}
