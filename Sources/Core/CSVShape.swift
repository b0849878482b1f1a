/// A CSV file of one fixed shape, as a machine client writes it: a header line naming `columns` in order, then at most
/// `rowsMax` rows, each a value for every column matching that column's pattern, every line ended by LF or CR LF (the
/// last one optionally). No column's pattern matches a comma, quote, CR or LF, so no quoting is needed or taken.
///
/// A shape bounds its rows one of two ways. Counted (`init(columns:rowsMax:)`): the pattern states `{0,rowsMax}`.
/// By length (`init(columns:charactersMax:)`): the pattern states `*` rows and the file at most `charactersMax` Unicode
/// scalars (the document's `maxLength`); every row holds at least `rowCharactersMin` of them, so `rowsMax` follows.
/// Free-text columns need the second: `{0,N}` around a row with a 100-character field is more than a contract
/// checker's regular-expression engine compiles, even at N = 1,000, while `*` compiles.
///
/// One definition serves both ends: `pattern` (with `charactersMax`) is what an API document states for the body,
/// and `mismatches` checks a file against the same header, column patterns and bounds at the door, naming the line
/// and the column. `CSVUploadContractTests` holds the two together on generated files.
public struct CSVShape: Sendable {
    public struct Column: Sendable {
        /// The header's name for it: lower-case letters, digits and `_` (no pattern syntax).
        public let name: String
        /// Its values, unanchored (a group).
        public let pattern: String
        /// The fewest Unicode scalars a value has (0 when it may be empty): what bounds the rows of a shape stated by
        /// length. `CSVUploadContractTests` holds the roster's against its patterns.
        public let charactersMin: Int
    }

    /// What the door found wrong with one line (`column` nil: the line as a whole).
    public struct Mismatch: Hashable, Sendable, CustomStringConvertible {
        public let line: Int
        public let column: String?
        public let problem: String

        public var description: String { "line \(line)" + (column.map { ", \($0)" } ?? "") + ": " + problem }
    }

    public let columns: [Column]
    public let rowsMax: Int
    /// A shape stated by length: the most Unicode scalars a file holds (its line ends included); nil for a counted shape.
    public let charactersMax: Int?
    /// The most rows a shape states: the document's `{0,rowsMax}` is unrolled by regular-expression engines that
    /// compile to automata (a contract checker's refused 60,000 as too large; 10,000 compiles). A larger file is split.
    public static let patternRowsMax = 10_000

    /// `columns`: each name with its values' pattern, anchored at both ends only (a constant beside its validator).
    public init(columns: [(name: String, pattern: String)], rowsMax: Int = patternRowsMax) {
        precondition(rowsMax <= CSVShape.patternRowsMax, "a pattern states at most \(CSVShape.patternRowsMax) rows")
        self.columns = columns.map { CSVShape.column($0.name, $0.pattern, charactersMin: 0) }
        self.rowsMax = rowsMax
        charactersMax = nil
    }

    /// A shape stated by length: `columns` each with the fewest characters of its values, and the most characters of the
    /// file. Its row cap is what fits: `(charactersMax - header) / rowCharactersMin`.
    public init(columns: [(name: String, pattern: String, charactersMin: Int)], charactersMax: Int) {
        self.columns = columns.map { CSVShape.column($0.name, $0.pattern, charactersMin: $0.charactersMin) }
        let header = self.columns.map(\.name).joined(separator: ",")
        precondition(charactersMax >= header.utf8.count, "the file holds at least its header")
        self.charactersMax = charactersMax
        rowsMax = (charactersMax - header.utf8.count) / CSVShape.rowCharactersMin(self.columns)
    }

    static func column(_ name: String, _ pattern: String, charactersMin: Int) -> Column {
        precondition(name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F },
                     "a header is matched literally, so a column's name holds no pattern syntax")
        precondition(charactersMin >= 0, "a value has no fewer than 0 characters")
        return Column(name: name, pattern: CSVShape.field(pattern), charactersMin: charactersMin)
    }

    /// The fewest characters a row adds to the file: the line end before it (the one after the last row is optional),
    /// a comma between each two columns and each column's fewest.
    public var rowCharactersMin: Int { CSVShape.rowCharactersMin(columns) }

    static func rowCharactersMin(_ columns: [Column]) -> Int {
        1 + (columns.count - 1) + columns.reduce(0) { $0 + $1.charactersMin }
    }

    /// An anchored pattern (`^...$`, no other anchor) as a group to put inside a row pattern. A `^` opening a class
    /// (`[^...]`) negates it and is no anchor.
    static func field(_ anchored: String) -> String {
        let inner = Array(anchored.unicodeScalars.dropFirst().dropLast())
        let anchorsInside = inner.indices.contains { index in
            inner[index] == "$" || (inner[index] == "^" && (index == 0 || inner[index - 1] != "["))
        }
        precondition(anchored.hasPrefix("^") && anchored.hasSuffix("$") && !anchorsInside, "a column's pattern is anchored at both ends only")
        return "(" + anchored.dropFirst().dropLast() + ")"
    }

    public var header: String { columns.map(\.name).joined(separator: ",") }

    /// The whole file as one anchored pattern.
    public var pattern: String {
        let rows = charactersMax == nil ? "{0,\(rowsMax)}" : "*"
        return "^" + header + "(\\r?\\n" + columns.map(\.pattern).joined(separator: ",") + ")" + rows + "(\\r?\\n)?$"
    }

    /// The lines of `file` that do not fit, at most `reportedMax` of them, in order; empty when the file has this shape.
    public func mismatches(_ file: [UInt8], reportedMax: Int) -> [Mismatch] {
        // The length first: one pass over the bytes, before any line is matched.
        if let charactersMax, let line = CSVShape.lineExceeding(charactersMax, file) {
            return [Mismatch(line: line, column: nil, problem: "the file holds more than \(charactersMax) characters")]
        }
        let patterns = columns.map { column in
            guard let regex = try? Regex("^" + column.pattern + "$").matchingSemantics(.unicodeScalar) else {
                preconditionFailure("the pattern of column \(column.name) does not compile")
            }
            return regex
        }
        var lines = file.split(separator: 0x0A, omittingEmptySubsequences: false)
        // A final line end closes the last line rather than opening an empty one.
        if lines.count > 1, lines[lines.count - 1].isEmpty { lines.removeLast() }
        let lastEnded = file.last == 0x0A
        var found: [Mismatch] = []
        for (index, line) in lines.enumerated() where found.count < reportedMax {
            guard index <= rowsMax else { found.append(Mismatch(line: index + 1, column: nil, problem: "more than \(rowsMax) rows")); break }
            var bytes = line[...]
            // The CR of a CR LF belongs to the line end; a CR that no LF follows belongs to the line (and fails it).
            if index < lines.count - 1 || lastEnded, bytes.last == 0x0D { bytes = bytes.dropLast() }
            if index == 0 {
                if String(validating: bytes, as: UTF8.self) != header {
                    found.append(Mismatch(line: 1, column: nil, problem: "expected the header \(header)"))
                }
            } else {
                found += rowProblems(bytes, line: index + 1, patterns: patterns)
            }
        }
        return Array(found.prefix(reportedMax))
    }

    /// The line on which the file's Unicode scalars pass `charactersMax`, nil when they do not. Counts the bytes that
    /// start a scalar (not UTF-8 continuation bytes): exact for UTF-8, and a file that is not is refused anyway.
    static func lineExceeding(_ charactersMax: Int, _ file: [UInt8]) -> Int? {
        guard file.count > charactersMax else { return nil }
        var characters = 0, line = 1
        for byte in file where byte & 0xC0 != 0x80 {
            characters += 1
            if characters > charactersMax { return line }
            if byte == 0x0A { line += 1 }
        }
        return nil
    }

    /// Every column of one row that does not fit. Splits on the comma byte: no column's values hold one, so this is
    /// where the row pattern's commas match.
    func rowProblems(_ bytes: ArraySlice<UInt8>, line: Int, patterns: [Regex<AnyRegexOutput>]) -> [Mismatch] {
        guard !bytes.isEmpty else { return [Mismatch(line: line, column: nil, problem: "an empty line")] }
        let fields = bytes.split(separator: 0x2C, omittingEmptySubsequences: false)
        guard fields.count == columns.count else {
            return [Mismatch(line: line, column: nil, problem: "\(fields.count) fields; a row has \(columns.count): \(header)")]
        }
        return fields.indices.compactMap { index in
            let column = columns[index]
            guard let text = String(validating: fields[index], as: UTF8.self) else {
                return Mismatch(line: line, column: column.name, problem: "not UTF-8 text")
            }
            return text.wholeMatch(of: patterns[index]) == nil ? Mismatch(line: line, column: column.name, problem: "'\(text)' does not match \(column.pattern)") : nil
        }
    }
}
