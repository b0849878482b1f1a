/// A CSV file of one fixed shape, as a machine client writes it: a literal header line, then at most `rowsMax` rows
/// each matching `rowPattern`, every line ended by LF or CR LF (the last one optionally). Fields hold no separator,
/// quote or line end, so no quoting is needed or taken.
///
/// One definition serves both ends: `pattern` is the anchored ECMA-262 pattern an API document states for the body,
/// and `firstMismatch` checks a file against the same header and row pattern at the door. `CSVShapeTests` holds the
/// two together on generated files.
public struct CSVShape: Sendable {
    /// The header line, literally: lower-case letters, digits, `_` and commas only (no pattern syntax).
    public let header: String
    /// One row, unanchored and without its line end.
    public let rowPattern: String
    public let rowsMax: Int
    /// The most rows a shape states: the document's `{0,rowsMax}` is unrolled by regular-expression engines that
    /// compile to automata (a contract checker's refused 60,000 as too large; 10,000 compiles). A larger file is split.
    public static let patternRowsMax = 10_000

    public init(header: String, rowPattern: String, rowsMax: Int = patternRowsMax) {
        precondition(rowsMax <= CSVShape.patternRowsMax, "a pattern states at most \(CSVShape.patternRowsMax) rows")
        precondition(header.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2C },
                     "a header is matched literally, so it holds no pattern syntax")
        self.header = header
        self.rowPattern = rowPattern
        self.rowsMax = rowsMax
    }

    /// An anchored pattern (`^...$`, no other anchor) as a group to put inside a row pattern.
    public static func field(_ anchored: String) -> String {
        precondition(anchored.hasPrefix("^") && anchored.hasSuffix("$") && anchored.dropFirst().dropLast().allSatisfy { $0 != "^" && $0 != "$" },
                     "a field pattern is anchored at both ends only")
        return "(" + anchored.dropFirst().dropLast() + ")"
    }

    /// The whole file as one anchored pattern.
    public var pattern: String { "^" + header + "(\\r?\\n" + rowPattern + "){0,\(rowsMax)}(\\r?\\n)?$" }

    /// nil when `file` has this shape, otherwise the first line (1-based) that does not fit: not UTF-8, not the
    /// header, not a row, an empty line, or a row past `rowsMax`.
    public func firstMismatch(_ file: [UInt8]) -> Int? {
        guard let row = try? Regex("^(" + rowPattern + ")$").matchingSemantics(.unicodeScalar) else {
            preconditionFailure("the row pattern of \(header) does not compile")
        }
        var lines = file.split(separator: 0x0A, omittingEmptySubsequences: false)
        // A final line end closes the last line rather than opening an empty one.
        if lines.count > 1, lines[lines.count - 1].isEmpty { lines.removeLast() }
        guard lines.count <= rowsMax + 1 else { return rowsMax + 2 }
        let lastEnded = file.last == 0x0A
        for (index, line) in lines.enumerated() {
            var bytes = line[...]
            // The CR of a CR LF belongs to the line end; a CR that no LF follows belongs to the line (and fails it).
            if index < lines.count - 1 || lastEnded, bytes.last == 0x0D { bytes = bytes.dropLast() }
            guard let text = String(validating: bytes, as: UTF8.self) else { return index + 1 }
            if index == 0 {
                guard text == header else { return 1 }
            } else if text.wholeMatch(of: row) == nil {
                return index + 1
            }
        }
        return nil
    }
}
