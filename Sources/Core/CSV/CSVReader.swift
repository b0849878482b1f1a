/// How a CSV file is read. The roster-like imports (students, attendance, the school list) and bank CSV
/// statements read CSV with the same reader; where their files differ, the difference is an option here.
public struct CSVOptions: Sendable, Equatable {
    public enum LineEnds: Sendable, Equatable {
        /// LF ends a record and a CR right before it is dropped (CR LF); a lone CR is data. Bank exports.
        case lineFeed
        /// LF, CR LF and a lone CR each end a record (spreadsheets on old Macs save with CR). Roster uploads.
        case lineFeedOrCarriageReturn
    }

    public var separator: UInt8
    public var quote: UInt8
    public var lineEnds: LineEnds
    /// True: an empty line is no record (uploads typed by people). False: it is a record of one empty field
    /// (a bank statement's reader decides what an empty line means).
    public var skipsBlankLines: Bool
    public var fieldBytesMax: Int
    public var recordBytesMax: Int
    public var fieldsPerRecordMax: Int
    public var linesMax: Int

    public init(separator: UInt8, quote: UInt8 = UInt8(ascii: "\""), lineEnds: LineEnds, skipsBlankLines: Bool,
                fieldBytesMax: Int = .max, recordBytesMax: Int = .max, fieldsPerRecordMax: Int, linesMax: Int = .max) {
        self.separator = separator
        self.quote = quote
        self.lineEnds = lineEnds
        self.skipsBlankLines = skipsBlankLines
        self.fieldBytesMax = fieldBytesMax
        self.recordBytesMax = recordBytesMax
        self.fieldsPerRecordMax = fieldsPerRecordMax
        self.linesMax = linesMax
    }

    /// The semicolon when the first line has semicolons and no commas (spreadsheets in some locales save
    /// that way), else the comma.
    public static func commaOrSemicolon(firstLineOf bytes: some Collection<UInt8>) -> UInt8 {
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let commas = firstLine.count { $0 == UInt8(ascii: ",") }
        let semicolons = firstLine.count { $0 == UInt8(ascii: ";") }
        return semicolons > 0 && commas == 0 ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }
}

/// Why a CSV file cannot be read, at which line (1 = the first).
public struct CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case syntax, limit }
    public let kind: Kind
    public let line: Int
    public let problem: String

    public init(kind: Kind, line: Int, problem: String) {
        self.kind = kind
        self.line = line
        self.problem = problem
    }

    public var description: String { "line \(line): \(problem)" }
}

/// Reads CSV (RFC 4180: quoted fields may hold separators, doubled quotes and line breaks) one record at a
/// time, from bytes pushed in by the caller in chunks of any size: one pass of a state machine, no recursion,
/// every size bounded by `CSVOptions`. A record's fields are slices of one buffer (no string per field).
public struct CSVReader {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    public let options: CSVOptions
    private var state = State.fieldStart
    /// The current record's field contents, unescaped, one after another.
    private var recordBytes: [UInt8] = []
    /// The end offset in `recordBytes` of each field.
    private var fieldEnds: [Int] = []
    /// The line the current record starts on.
    public private(set) var recordLine = 1
    private var line = 1
    /// A record ended at a CR: an LF right after it belongs to the same line end.
    private var afterCarriageReturn = false
    /// The last scan ended a record: the next one starts a new record.
    private var recordEnded = false
    /// Bytes were consumed since the record started.
    private var recordStarted = false

    public init(options: CSVOptions) {
        self.options = options
        recordBytes.reserveCapacity(4096)
    }

    public var fieldCount: Int { fieldEnds.count }

    public func field(_ index: Int) -> ArraySlice<UInt8> {
        recordBytes[(index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]]
    }

    /// The current record's fields as strings (invalid UTF-8 repaired).
    public var fields: [String] {
        (0..<fieldCount).map { String(decoding: field($0), as: UTF8.self) }
    }

    /// Consumes `buffer[start..<end]` up to the end of a record: the index after the last byte consumed, and
    /// whether a record ended (read it with `field` before scanning again).
    public mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) throws(CSVError) -> (next: Int, recordEnded: Bool) {
        if recordEnded { beginRecord() }
        var index = start
        while index < end {
            // A run of plain bytes (most of a field) is appended at once rather than byte by byte through
            // `consume`: the same result, as each of its bytes would only be appended.
            if !afterCarriageReturn, state != .quoteInQuoted {
                let runEnd = plainRunEnd(buffer, from: index, to: end)
                if runEnd > index, runFits(runEnd - index) {
                    recordBytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<runEnd]))
                    recordStarted = true
                    if state == .fieldStart { state = .unquoted }
                    index = runEnd
                    continue
                }
            }
            let byte = buffer[index]
            index += 1
            if try consume(byte) { return (index, true) }
        }
        return (index, false)
    }

    /// The end of the bytes from `start` that are neither the separator, the quote nor a line end byte:
    /// `consume` appends each such byte to the field and changes nothing else (in a quoted field too).
    @inline(__always)
    private func plainRunEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        let separator = options.separator
        let quote = options.quote
        var index = start
        while index < end {
            let byte = buffer[index]
            if byte == separator || byte == quote || byte == 0x0A || byte == 0x0D { break }
            index += 1
        }
        return index
    }

    /// Whether `count` more bytes stay within the record and field limits; when not, the bytes go one by
    /// one through `append`, which refuses the first byte past a limit.
    @inline(__always)
    private func runFits(_ count: Int) -> Bool {
        // Subtracted, not added: the limits default to `Int.max`.
        count <= options.recordBytesMax - recordBytes.count
            && count <= options.fieldBytesMax - (recordBytes.count - (fieldEnds.last ?? 0))
    }

    /// At the end of the input: true when a last record (without a line end) was read.
    public mutating func finish() throws(CSVError) -> Bool {
        if recordEnded { beginRecord() }
        guard state != .quoted else { throw CSVError(kind: .syntax, line: recordLine, problem: "a quoted field is never closed before the end of the file") }
        guard recordStarted, !(options.skipsBlankLines && isBlank) else { return false }
        try endField(stripCarriageReturn: state == .unquoted)
        recordEnded = true
        return true
    }

    private mutating func beginRecord() {
        recordBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        state = .fieldStart
        recordLine = line
        recordEnded = false
        recordStarted = false
    }

    private var isBlank: Bool { state == .fieldStart && fieldEnds.isEmpty }

    /// One byte; true when it ended a record.
    private mutating func consume(_ byte: UInt8) throws(CSVError) -> Bool {
        if afterCarriageReturn {
            afterCarriageReturn = false
            if byte == 0x0A { return false }
        }
        recordStarted = true
        if byte == 0x0A { try countLine() }
        switch state {
        case .fieldStart, .unquoted:
            if byte == options.separator {
                try endField(stripCarriageReturn: false)
                state = .fieldStart
            } else if byte == 0x0A || (byte == 0x0D && options.lineEnds == .lineFeedOrCarriageReturn) {
                return try endRecord(at: byte, stripCarriageReturn: true)
            } else if byte == options.quote {
                guard state == .fieldStart else {
                    throw syntax("a quote inside an unquoted field (quote the whole field and double the quote)")
                }
                state = .quoted
            } else {
                try append(byte)
                state = .unquoted
            }
        case .quoted:
            if byte == options.quote { state = .quoteInQuoted } else { try append(byte) }
        case .quoteInQuoted:
            if byte == options.quote {
                try append(byte)
                state = .quoted
            } else if byte == options.separator {
                try endField(stripCarriageReturn: false)
                state = .fieldStart
            } else if byte == 0x0A || (byte == 0x0D && options.lineEnds == .lineFeedOrCarriageReturn) {
                return try endRecord(at: byte, stripCarriageReturn: false)
            } else if byte != 0x0D {
                throw syntax("text after the closing quote of a field")
            }
        }
        return false
    }

    /// A line end outside quotes: the record ends, unless it is a blank line that is skipped.
    private mutating func endRecord(at byte: UInt8, stripCarriageReturn: Bool) throws(CSVError) -> Bool {
        if byte == 0x0D {
            afterCarriageReturn = true
            try countLine()
        }
        if options.skipsBlankLines && isBlank {
            beginRecord()
            return false
        }
        try endField(stripCarriageReturn: stripCarriageReturn && options.lineEnds == .lineFeed)
        recordEnded = true
        return true
    }

    private mutating func append(_ byte: UInt8) throws(CSVError) {
        guard recordBytes.count < options.recordBytesMax else {
            throw CSVError(kind: .limit, line: recordLine, problem: "a record longer than \(options.recordBytesMax) bytes")
        }
        guard recordBytes.count - (fieldEnds.last ?? 0) < options.fieldBytesMax else {
            throw CSVError(kind: .limit, line: line, problem: "a field is longer than \(options.fieldBytesMax) bytes")
        }
        recordBytes.append(byte)
    }

    private mutating func endField(stripCarriageReturn: Bool) throws(CSVError) {
        let start = fieldEnds.last ?? 0
        if stripCarriageReturn, recordBytes.count > start, recordBytes.last == 0x0D { recordBytes.removeLast() }
        guard fieldEnds.count < options.fieldsPerRecordMax else {
            throw CSVError(kind: .limit, line: recordLine, problem: "a record with more than \(options.fieldsPerRecordMax) fields")
        }
        fieldEnds.append(recordBytes.count)
    }

    private mutating func countLine() throws(CSVError) {
        line += 1
        guard line - 1 <= options.linesMax else {
            throw CSVError(kind: .limit, line: line - 1, problem: "more than \(options.linesMax) lines in one file")
        }
    }

    private func syntax(_ problem: String) -> CSVError {
        CSVError(kind: .syntax, line: line, problem: problem)
    }
}
