import Core

/// Tells MT940, camt.053 and the known CSV exports apart from the first bytes of a file.
///
/// XML whose first `detectionBytesMax` bytes name `BkToCstmrStmt` is camt.053, `BkToCstmrDbtCdtNtfctn` camt.054;
/// a SWIFT header naming 942, or `:34F:` without `:60F:`, is MT942; a first line opening
/// a SWIFT block (`{1:`, `{4:`) or the `:20:` field is MT940. Otherwise each CSV description is tried:
/// it fits when its header row is found; among fits, the one matching more of its columns and
/// its keywords above the header wins. No fit, or a tie, is an error naming the candidates.
public enum StatementFormatDetector {
    public static func detect(prefix: [UInt8], descriptions: CSVFormatCatalog, file: String) throws -> StatementFormat {
        let text = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(prefix.dropFirst(3)) : prefix
        let start = text.drop(while: TextBytes.isSpace)
        if start.first == UInt8(ascii: "<") {
            if contains(text, "BkToCstmrDbtCdtNtfctn") { return .camt054 }
            guard contains(text, "BkToCstmrStmt") else {
                throw StatementParseError(.format, file: file, message: "the file is XML but neither a camt.053 statement nor a camt.054 notification (no BkToCstmrStmt or BkToCstmrDbtCdtNtfctn element near the start)")
            }
            return .camt053
        }
        if isMT942(text) { return .mt942 }
        if start.starts(with: Array("{1:".utf8)) || start.starts(with: Array("{4:".utf8)) || start.starts(with: Array(":20:".utf8))
            || hasMT940HeaderLines(text) {
            return .mt940
        }
        let scored = descriptions.descriptions.compactMap { description in score(prefix, description).map { (description.id, $0) } }
        guard let best = scored.map(\.1).max() else {
            let known = descriptions.ids.isEmpty ? "none loaded" : descriptions.ids.joined(separator: ", ")
            throw StatementParseError(.format, file: file, message: "the file is neither MT940, camt.053 nor a known CSV export (CSV formats: \(known))")
        }
        let winners = scored.filter { $0.1 == best }.map(\.0)
        guard winners.count == 1 else {
            throw StatementParseError(.format, file: file, message: "the file fits several CSV formats equally: \(winners.joined(separator: ", ")); choose one with --format")
        }
        return .csv(winners[0])
    }

    /// Lines a bank puts before the first field (`ABNANL2A`, `940`, `:940:`): the file is MT940 when a
    /// line among the first `mt940HeaderLinesMax` opens `:20:` and the next one opens `:25:`.
    static func hasMT940HeaderLines(_ text: [UInt8]) -> Bool {
        let lines = text.split(separator: 0x0A, maxSplits: mt940HeaderLinesMax + 1, omittingEmptySubsequences: true)
            .prefix(mt940HeaderLinesMax + 1).map { $0.drop(while: TextBytes.isSpace) }
        for (index, line) in lines.enumerated().dropLast() where line.starts(with: Array(":20:".utf8)) {
            return lines[index + 1].starts(with: Array(":25:".utf8))
        }
        return false
    }

    /// An MT942 interim report: a SWIFT application header naming message type 942, or a floor limit
    /// `:34F:` with no opening balance `:60F:`/`:60M:` in the prefix.
    static func isMT942(_ text: [UInt8]) -> Bool {
        contains(text, "{2:O942") || contains(text, "{2:I942")
            || (contains(text, "\n:34F:") && !contains(text, "\n:60F:") && !contains(text, "\n:60M:"))
    }

    /// Header lines a bank may write before an MT940 message's `:20:`.
    static let mt940HeaderLinesMax = 8

    /// The description whose header row is found in the workbook's first sheet, rendered as that
    /// description's CSV; ties and no fit are errors as for CSV.
    static func detectWorkbook(_ workbook: XLSXWorkbook, descriptions: CSVFormatCatalog) throws -> StatementFormat {
        var scored: [(String, Int)] = []
        for description in descriptions.descriptions {
            let csv = try XLSXSheetRenderer(workbook: workbook, style: XLSXRenderStyle(description)).csv(rowsMax: StatementLimits.headerSearchRowsMax)
            if let score = score(decoded: csv, description) { scored.append((description.id, score)) }
        }
        guard let best = scored.map(\.1).max() else {
            let known = descriptions.ids.isEmpty ? "none loaded" : descriptions.ids.joined(separator: ", ")
            throw StatementParseError(.format, file: workbook.file, message: "the workbook's first sheet fits no known bank export (formats: \(known))")
        }
        let winners = scored.filter { $0.1 == best }.map(\.0)
        guard winners.count == 1 else {
            throw StatementParseError(.format, file: workbook.file, message: "the workbook fits several formats equally: \(winners.joined(separator: ", ")); choose one with --format xlsx:ID")
        }
        return .xlsx(winners[0])
    }

    /// How well `description` fits: nil when its header row is not found in the prefix.
    static func score(_ prefix: [UInt8], _ description: CSVFormatDescription) -> Int? {
        guard let decoded = decode(prefix, description.encoding) else { return nil }
        return score(decoded: decoded, description)
    }

    /// As `score(_:_:)` for text already in UTF-8.
    static func score(decoded: [UInt8], _ description: CSVFormatDescription) -> Int? {
        guard let source = try? MemoryByteSource(bytes: decoded, name: "") else { return nil }
        var reader = CSVRecordReader(input: ChunkedInput(source: source, file: ""), delimiter: description.delimiter, quote: description.quote)
        var keywordHits = Set<String>()
        for _ in 0..<StatementLimits.headerSearchRowsMax {
            guard (try? reader.next()) == true, case .success(let row) = CSVRowText.read(reader) else { return nil }
            if let columns = CSVStatementParser<StatementSummary>.headerColumns(row, format: description) {
                return 100 * columns.count + 10 * keywordHits.count
            }
            for keyword in description.detectKeywords where row.normalized.contains(where: { $0.contains(keyword) }) {
                keywordHits.insert(keyword)
            }
        }
        return nil
    }

    /// The prefix as UTF-8 in the description's encoding, cut at its last complete line; nil if it does not decode.
    private static func decode(_ prefix: [UInt8], _ encoding: CSVFormatDescription.Encoding) -> [UInt8]? {
        var cut = prefix
        let isUTF16 = encoding != .utf8
        if let last = lastNewline(prefix, utf16: isUTF16) { cut = Array(prefix[..<last]) }
        guard let raw = try? MemoryByteSource(bytes: cut, name: "") else { return nil }
        let source = TextDecodingSource(source: raw, encoding: StatementParsing.decoding(encoding), file: "")
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: StatementLimits.chunkBytes)
        while true {
            guard let count = try? buffer.withUnsafeMutableBytes({ try source.read(into: $0) }) else { return nil }
            if count == 0 { return output }
            output.append(contentsOf: buffer[..<count])
        }
    }

    private static func lastNewline(_ bytes: [UInt8], utf16: Bool) -> Int? {
        guard utf16 else { return bytes.lastIndex(of: 0x0A) }
        var index = bytes.count - 2
        while index >= 0 {
            if (bytes[index] == 0x0A && bytes[index + 1] == 0) || (bytes[index] == 0 && bytes[index + 1] == 0x0A), index % 2 == 0 {
                return index
            }
            index -= 1
        }
        return nil
    }

    private static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }
}
