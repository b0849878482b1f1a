/// A CSV record with the file line it starts on (1 = the first line).
struct CSVRecord: Equatable {
    var line: Int
    var fields: [String]
}

/// Reads CSV text (RFC 4180: quoted fields may hold separators, doubled quotes and line breaks)
/// with a single pass of a state machine: no recursion, every size bounded.
///
/// The separator is the comma, or the semicolon when the first line has semicolons and no commas
/// (spreadsheets in some locales save that way). CR LF and LF both end records; blank lines are skipped.
enum RosterCSV {
    static func parse(_ text: String, recordsMax: Int, fieldBytesMax: Int, columnsMax: Int) throws(RosterImportError) -> [CSVRecord] {
        let bytes = Array(text.utf8)
        let separator = detectSeparator(bytes)
        var parser = Parser(separator: separator, fieldBytesMax: fieldBytesMax, columnsMax: columnsMax)
        for byte in bytes {
            try parser.consume(byte)
            guard parser.records.count <= recordsMax else { throw .tooManyRows(max: recordsMax - 1) }
        }
        try parser.finish()
        return parser.records
    }

    static func detectSeparator(_ bytes: [UInt8]) -> UInt8 {
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let commas = firstLine.filter { $0 == UInt8(ascii: ",") }.count
        let semicolons = firstLine.filter { $0 == UInt8(ascii: ";") }.count
        return semicolons > 0 && commas == 0 ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    struct Parser {
        let separator: UInt8
        let fieldBytesMax: Int
        let columnsMax: Int
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quoteJustClosed = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var pendingCR = false

        init(separator: UInt8, fieldBytesMax: Int, columnsMax: Int) {
            self.separator = separator
            self.fieldBytesMax = fieldBytesMax
            self.columnsMax = columnsMax
        }

        mutating func consume(_ byte: UInt8) throws(RosterImportError) {
            if pendingCR {
                pendingCR = false
                if byte == UInt8(ascii: "\n") { return }
            }
            if inQuotes {
                try consumeQuoted(byte)
                return
            }
            switch byte {
            case UInt8(ascii: "\""):
                if quoteJustClosed {
                    // A doubled quote inside a quoted field: one literal quote, and the field goes on.
                    try append(byte)
                    inQuotes = true
                    quoteJustClosed = false
                } else if field.isEmpty && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                } else {
                    throw .malformedCSV(line: line, problem: "a quote inside an unquoted field (quote the whole field and double the quote)")
                }
            case separator:
                try endField()
            case UInt8(ascii: "\r"):
                try endRecord()
                line += 1
                pendingCR = true
            case UInt8(ascii: "\n"):
                try endRecord()
                line += 1
            default:
                guard !quoteJustClosed else { throw .malformedCSV(line: line, problem: "text after a closing quote") }
                try append(byte)
            }
        }

        mutating func consumeQuoted(_ byte: UInt8) throws(RosterImportError) {
            if byte == UInt8(ascii: "\"") {
                inQuotes = false
                quoteJustClosed = true
                return
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            try append(byte)
        }

        mutating func append(_ byte: UInt8) throws(RosterImportError) {
            guard field.count < fieldBytesMax else { throw .malformedCSV(line: line, problem: "a field is longer than \(fieldBytesMax) bytes") }
            field.append(byte)
        }

        mutating func endField() throws(RosterImportError) {
            guard fields.count < columnsMax else { throw .malformedCSV(line: recordLine, problem: "more than \(columnsMax) columns") }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoteJustClosed = false
            fieldWasQuoted = false
        }

        mutating func endRecord() throws(RosterImportError) {
            let blank = fields.isEmpty && field.isEmpty && !fieldWasQuoted
            if !blank {
                try endField()
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            field.removeAll(keepingCapacity: true)
            quoteJustClosed = false
            fieldWasQuoted = false
            recordLine = line + 1
        }

        mutating func finish() throws(RosterImportError) {
            guard !inQuotes else { throw .malformedCSV(line: recordLine, problem: "a quoted field is not closed before the end of the file") }
            try endRecord()
        }
    }
}
