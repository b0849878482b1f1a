import Core

/// Reading the cells of one CSV record as text: trimmed, checked UTF-8, normalised for matching.
struct CSVRowText {
    let cells: [String]
    let normalized: [String]

    /// The record's cells; nil when a cell is not UTF-8 (with its index).
    static func read(_ reader: CSVRecordReader) -> Result<CSVRowText, CSVCellEncodingError> {
        var cells: [String] = []
        cells.reserveCapacity(reader.fieldCount)
        for index in 0..<reader.fieldCount {
            guard let text = TextBytes.utf8(TextBytes.trimmed(reader.field(index))) else { return .failure(CSVCellEncodingError(column: index)) }
            cells.append(text)
        }
        return .success(CSVRowText(cells: cells, normalized: cells.map(CSVRowText.normalized)))
    }

    /// `VietnameseText.normalized`, with a fast path for ASCII cells (most of a file), which need no decomposition.
    static func normalized(_ text: String) -> String {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return VietnameseText.normalized(text) }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSeparator = false
        for byte in text.utf8 {
            guard TextBytes.isAlphanumeric(byte) else {
                pendingSeparator = true
                continue
            }
            if pendingSeparator && !output.isEmpty { output.append(0x20) }
            pendingSeparator = false
            output.append(byte >= 0x61 ? byte - 0x20 : byte)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The value a label names in this row: for the first cell equal to a label (or starting with it and a word
    /// break), the text after a `:` in that cell if any, else the next non-empty cell.
    func value(forLabels labels: [String]) -> (label: String, value: String)? {
        for (index, cell) in normalized.enumerated() where !cell.isEmpty {
            guard labels.contains(where: { cell == $0 || cell.hasPrefix($0 + " ") }) else { continue }
            let original = cells[index]
            if let colon = original.firstIndex(of: ":") {
                let rest = String(original[original.index(after: colon)...]).trimmingSpaces
                if !rest.isEmpty { return (String(original[..<colon]).trimmingSpaces, rest) }
            }
            let label = String(original.reversed().drop { $0 == ":" || $0 == " " }.reversed())
            if let next = cells[(index + 1)...].first(where: { !$0.isEmpty }) { return (label, next) }
            return nil
        }
        return nil
    }

    /// The first non-empty normalised cell starts with one of `prefixes`.
    func startsWithAny(_ prefixes: [String]) -> Bool {
        guard let first = normalized.first(where: { !$0.isEmpty }) else { return false }
        return prefixes.contains { first == $0 || first.hasPrefix($0 + " ") }
    }

    var isBlank: Bool { cells.allSatisfy(\.isEmpty) }
}

struct CSVCellEncodingError: Error {
    var column: Int
}
