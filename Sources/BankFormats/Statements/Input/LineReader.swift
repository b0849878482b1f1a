/// Splits a byte stream into physical lines (LF or CRLF), one at a time, into a reused buffer.
struct LineReader {
    private let input: ChunkedInput
    /// The current line, without its line break.
    private(set) var line: [UInt8] = []
    /// 1-based number of the current line.
    private(set) var lineNumber = 0

    init(input: ChunkedInput) {
        self.input = input
        line.reserveCapacity(StatementLimits.lineBytesMax)
    }

    var file: String { input.file }

    /// Moves to the next line; false at the end of the input.
    mutating func next() throws -> Bool {
        var scanned = 0
        while true {
            if let newline = findNewline(from: input.start + scanned) {
                guard newline - input.start <= StatementLimits.lineBytesMax + 1 else { throw tooLong() }
                take(upTo: newline, consuming: newline + 1)
                try checkLineCount()
                return true
            }
            scanned = input.available
            guard scanned <= StatementLimits.lineBytesMax else { throw tooLong() }
            guard try input.fill() else { break }
        }
        guard input.available > 0 else { return false }
        guard input.available <= StatementLimits.lineBytesMax else { throw tooLong() }
        take(upTo: input.end, consuming: input.end)
        try checkLineCount()
        return true
    }

    private func findNewline(from index: Int) -> Int? {
        let end = input.end
        guard index < end else { return nil }
        return input.bytes.withUnsafeBufferPointer { buffer -> Int? in
            var position = index
            while position < end {
                if buffer[position] == 0x0A { return position }
                position += 1
            }
            return nil
        }
    }

    private mutating func take(upTo lineEnd: Int, consuming next: Int) {
        var contentEnd = lineEnd
        if contentEnd > input.start && input.bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: input.bytes[input.start..<contentEnd])
        input.start = next
        lineNumber += 1
    }

    private func tooLong() -> StatementParseError {
        StatementParseError(.limit, file: input.file, line: lineNumber + 1,
                            message: "line longer than \(StatementLimits.lineBytesMax) bytes")
    }

    /// Refuses a file with more lines than `StatementLimits.textLinesPerFileMax`.
    private func checkLineCount() throws {
        guard lineNumber <= StatementLimits.textLinesPerFileMax else {
            throw StatementParseError(.limit, file: input.file, line: lineNumber,
                                      message: "more than \(StatementLimits.textLinesPerFileMax) lines in one file")
        }
    }
}
