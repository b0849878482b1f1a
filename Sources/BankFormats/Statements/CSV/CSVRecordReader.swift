/// Splits UTF-8 CSV text into records (RFC 4180): fields separated by the delimiter, quoted fields
/// may hold delimiters, doubled quotes and line breaks; records end at LF or CRLF.
struct CSVRecordReader {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private let input: ChunkedInput
    private let delimiter: UInt8
    private let quote: UInt8
    /// The current record's field contents, unescaped, one after another.
    private var recordBytes: [UInt8] = []
    /// The end offset in `recordBytes` of each field.
    private var fieldEnds: [Int] = []
    /// The line where the current record starts.
    private(set) var recordLine = 0
    private var line = 1

    init(input: ChunkedInput, delimiter: UInt8, quote: UInt8) {
        self.input = input
        self.delimiter = delimiter
        self.quote = quote
        recordBytes.reserveCapacity(4096)
    }

    var file: String { input.file }
    var fieldCount: Int { fieldEnds.count }

    func field(_ index: Int) -> ArraySlice<UInt8> {
        recordBytes[(index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]]
    }

    /// Reads the next record; false at the end of the input.
    mutating func next() throws -> Bool {
        recordBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        recordLine = line
        var state = State.fieldStart
        var consumedAny = false
        while true {
            if input.available == 0 {
                guard try input.fill() else { break }
            }
            consumedAny = true
            if try scan(&state) { return true }
        }
        guard state != .quoted else {
            throw StatementParseError(.syntax, file: input.file, line: recordLine, message: "a quoted field is never closed")
        }
        guard consumedAny else { return false }
        try endField(stripCarriageReturn: state == .unquoted)
        return true
    }

    /// Consumes available bytes; true when a record ended.
    private mutating func scan(_ state: inout State) throws -> Bool {
        let bytes = input.bytes
        let end = input.end
        var index = input.start
        defer { input.start = index }
        return try bytes.withUnsafeBufferPointer { buffer in
            while index < end {
                let byte = buffer[index]
                index += 1
                if byte == 0x0A { try countLine() }
                switch state {
                case .fieldStart, .unquoted:
                    if byte == delimiter {
                        try endField(stripCarriageReturn: false)
                        state = .fieldStart
                    } else if byte == 0x0A {
                        try endField(stripCarriageReturn: true)
                        return true
                    } else if byte == quote {
                        guard state == .fieldStart else { throw syntax("a quote inside an unquoted field") }
                        state = .quoted
                    } else {
                        try append(byte)
                        state = .unquoted
                    }
                case .quoted:
                    if byte == quote { state = .quoteInQuoted } else { try append(byte) }
                case .quoteInQuoted:
                    if byte == quote {
                        try append(byte)
                        state = .quoted
                    } else if byte == delimiter {
                        try endField(stripCarriageReturn: false)
                        state = .fieldStart
                    } else if byte == 0x0A {
                        try endField(stripCarriageReturn: false)
                        return true
                    } else if byte != 0x0D {
                        throw syntax("text after the closing quote of a field")
                    }
                }
            }
            return false
        }
    }

    private mutating func append(_ byte: UInt8) throws {
        guard recordBytes.count < StatementLimits.recordBytesMax else {
            throw StatementParseError(.limit, file: input.file, line: recordLine, message: "a record longer than \(StatementLimits.recordBytesMax) bytes")
        }
        recordBytes.append(byte)
    }

    private mutating func endField(stripCarriageReturn: Bool) throws {
        let start = fieldEnds.last ?? 0
        if stripCarriageReturn, recordBytes.count > start, recordBytes.last == 0x0D { recordBytes.removeLast() }
        guard fieldEnds.count < StatementLimits.fieldsPerRecordMax else {
            throw StatementParseError(.limit, file: input.file, line: recordLine, message: "a record with more than \(StatementLimits.fieldsPerRecordMax) fields")
        }
        fieldEnds.append(recordBytes.count)
    }

    private mutating func countLine() throws {
        line += 1
        guard line <= StatementLimits.textLinesPerFileMax + 1 else {
            throw StatementParseError(.limit, file: input.file, line: line - 1, message: "more than \(StatementLimits.textLinesPerFileMax) lines in one file")
        }
    }

    private func syntax(_ message: String) -> StatementParseError {
        StatementParseError(.syntax, file: input.file, line: line, message: message)
    }
}
