import Core
import Testing

/// The one CSV reader, under the options of both its callers: bank statements (LF line ends, blank lines kept,
/// a record's bytes bounded) and uploads typed by people (CR too, blank lines skipped, a field's bytes bounded).
@Suite struct CSVReaderTests {
    static let statement = CSVOptions(separator: UInt8(ascii: ","), lineEnds: .lineFeed, skipsBlankLines: false,
                                      recordBytesMax: 32, fieldsPerRecordMax: 4, linesMax: 5)
    static let upload = CSVOptions(separator: UInt8(ascii: ";"), lineEnds: .lineFeedOrCarriageReturn, skipsBlankLines: true,
                                   fieldBytesMax: 8, fieldsPerRecordMax: 4)

    /// Every record as (line, fields), the input pushed `chunk` bytes at a time.
    func records(_ text: String, _ options: CSVOptions, chunk: Int = 1 << 20) throws(CSVError) -> [(Int, [String])] {
        let bytes = Array(text.utf8)
        var reader = CSVReader(options: options)
        var result: [(Int, [String])] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            var index = start
            while index < end {
                let (next, ended) = try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
                    try reader.scan(buffer, from: index, to: end)
                }
                index = next
                if ended { result.append((reader.recordLine, reader.fields)) }
            }
            start = end
        }
        if try reader.finish() { result.append((reader.recordLine, reader.fields)) }
        return result
    }

    func fields(_ text: String, _ options: CSVOptions, chunk: Int = 1 << 20) throws(CSVError) -> [[String]] {
        try records(text, options, chunk: chunk).map(\.1)
    }

    @Test func quotedFieldsHoldSeparatorsQuotesAndLineBreaksInEveryChunking() throws {
        let text = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\nlast"
        let expected = [["a", "b,c", "say \"hi\""], ["two\nlines", "x"], ["last"]]
        for chunk in [1, 2, 3, 7, 1000] {
            #expect(try fields(text, Self.statement, chunk: chunk) == expected, "chunks of \(chunk)")
        }
        #expect(try records(text, Self.statement).map(\.0) == [1, 2, 4], "a record keeps the line it starts on")
    }

    @Test func statementsKeepBlankLinesAndALoneCarriageReturn() throws {
        #expect(try fields("a\n\nb\r\n", Self.statement) == [["a"], [""], ["b"]])
        #expect(try fields("a\rb,c\n", Self.statement) == [["a\rb", "c"]])
        #expect(try fields("\"q\"\r\nz", Self.statement) == [["q"], ["z"]])
    }

    @Test func uploadsEndRecordsAtACarriageReturnAndSkipBlankLines() throws {
        let text = "a;b\r\rc;d\r\n\n\"e\r\nf\";g\r"
        #expect(try records(text, Self.upload).map(\.0) == [1, 3, 5])
        #expect(try fields(text, Self.upload) == [["a", "b"], ["c", "d"], ["e\r\nf", "g"]])
        #expect(try fields(text, Self.upload, chunk: 1) == [["a", "b"], ["c", "d"], ["e\r\nf", "g"]])
        #expect(try fields("\"\"\n", Self.upload) == [[""]], "a quoted empty field is a record, not a blank line")
    }

    @Test func syntaxErrorsNameTheirLine() {
        #expect(throws: CSVError(kind: .syntax, line: 2, problem: "a quote inside an unquoted field (quote the whole field and double the quote)")) {
            try fields("a\nb\"c\n", Self.statement)
        }
        #expect(throws: CSVError(kind: .syntax, line: 1, problem: "text after the closing quote of a field")) {
            try fields("\"a\"b\n", Self.upload)
        }
        #expect(throws: CSVError(kind: .syntax, line: 2, problem: "a quoted field is never closed before the end of the file")) {
            try fields("a\n\"b\nc", Self.statement)
        }
    }

    @Test func limitsAreTheCallersOwn() {
        #expect(throws: CSVError(kind: .limit, line: 1, problem: "a record longer than 32 bytes")) {
            try fields(String(repeating: "x,", count: 3) + String(repeating: "y", count: 40), Self.statement)
        }
        #expect(throws: CSVError(kind: .limit, line: 2, problem: "a field is longer than 8 bytes")) {
            try fields("a\n123456789\n", Self.upload)
        }
        #expect(throws: CSVError(kind: .limit, line: 1, problem: "a record with more than 4 fields")) {
            try fields("1;2;3;4;5\n", Self.upload)
        }
        #expect(throws: CSVError(kind: .limit, line: 6, problem: "more than 5 lines in one file")) {
            try fields("1\n2\n3\n4\n5\n6\n", Self.statement)
        }
        #expect(throws: Never.self) { try fields("1\n2\n3\n4\n5\n", Self.statement) }
    }

    /// Plain bytes are appended a run at a time: a limit still falls on its exact byte, whether the run
    /// is split across chunks, follows earlier fields of the record, or sits inside quotes.
    @Test func limitsFallOnTheirExactByteInEveryChunking() throws {
        for chunk in [1, 3, 5, 1000] {
            #expect(throws: Never.self, "chunks of \(chunk)") { try fields("12345678;\"abcdefgh\"\n", Self.upload, chunk: chunk) }
            #expect(throws: CSVError(kind: .limit, line: 1, problem: "a field is longer than 8 bytes"), "chunks of \(chunk)") {
                try fields("1;\"abcdefghi\"\n", Self.upload, chunk: chunk)
            }
            let record = String(repeating: "x", count: 10) + "," + String(repeating: "y", count: 21)
            #expect(throws: Never.self, "chunks of \(chunk)") { try fields(record + "y\n", Self.statement, chunk: chunk) }
            #expect(throws: CSVError(kind: .limit, line: 1, problem: "a record longer than 32 bytes"), "chunks of \(chunk)") {
                try fields(record + "yy\n", Self.statement, chunk: chunk)
            }
            #expect(try fields("\"ab\"\"cd\",e\n", Self.statement, chunk: chunk) == [["ab\"cd", "e"]], "chunks of \(chunk)")
        }
    }

    @Test func theSeparatorOfAnUploadIsReadFromItsFirstLine() {
        #expect(CSVOptions.commaOrSemicolon(firstLineOf: Array("a;b;c\nx,y".utf8)) == UInt8(ascii: ";"))
        #expect(CSVOptions.commaOrSemicolon(firstLineOf: Array("a;b,c\n".utf8)) == UInt8(ascii: ","))
        #expect(CSVOptions.commaOrSemicolon(firstLineOf: Array("abc".utf8)) == UInt8(ascii: ","))
    }
}
