/// The field separator of a CSV rendering.
public enum CSVSeparator: String, Sendable, CaseIterable {
    /// RFC 4180; what Excel expects where the system list separator is a comma.
    case comma = ","
    /// For Excel installations whose list separator is a semicolon (e.g. where the decimal mark is a comma).
    case semicolon = ";"
}

/// A CSV cell: text (which may come from users and is defused against formula injection) or a number we wrote.
enum ReportCSVCell: Hashable, Sendable {
    case text(String)
    case integer(Int64)
    case empty

    static func optional(_ value: Int64?) -> ReportCSVCell { value.map(ReportCSVCell.integer) ?? .empty }
    static func optional(_ text: String?) -> ReportCSVCell { text.map(ReportCSVCell.text) ?? .empty }
}

/// Rows written the way Excel opens them cleanly: UTF-8 with a byte-order mark (so diacritics survive),
/// CRLF after every row, RFC 4180 quoting, every row padded to the same number of fields.
struct ReportCSVWriter {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// A text cell starting with one of these would be read by a spreadsheet as a formula (or a DDE command):
    /// it gets a leading apostrophe.
    static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    private(set) var rows: [[ReportCSVCell]] = []

    mutating func append(_ row: [ReportCSVCell]) { rows.append(row) }

    /// A one-cell row naming the section that follows, as text.
    mutating func appendTitle(_ title: String) { rows.append([.text(title)]) }

    mutating func appendHeader(_ names: [String]) { rows.append(names.map(ReportCSVCell.text)) }

    mutating func appendBlankLine() { rows.append([]) }

    func bytes(separator: CSVSeparator) -> [UInt8] {
        let width = rows.map(\.count).max() ?? 0
        var output = ReportCSVWriter.byteOrderMark
        for row in rows {
            var line = ""
            for column in 0..<width {
                if column > 0 { line += separator.rawValue }
                line += column < row.count ? ReportCSVWriter.field(row[column], separator: separator) : ""
            }
            output += Array(line.utf8)
            output += [0x0D, 0x0A]
        }
        return output
    }

    static func field(_ cell: ReportCSVCell, separator: CSVSeparator) -> String {
        switch cell {
        case .empty: return ""
        case .integer(let value): return String(value)
        case .text(let text):
            let defused = defused(text)
            return needsQuoting(defused, separator: separator) ? quoted(defused) : defused
        }
    }

    static func defused(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, formulaTriggers.contains(first) else { return text }
        return "'" + text
    }

    static func needsQuoting(_ text: String, separator: CSVSeparator) -> Bool {
        text.unicodeScalars.contains { $0 == "\"" || $0 == "\r" || $0 == "\n" || String($0) == separator.rawValue }
    }

    static func quoted(_ text: String) -> String {
        var quoted = "\""
        // By scalar, not by Character: a quote followed by a combining mark is one Character but still a quote.
        for scalar in text.unicodeScalars {
            quoted.unicodeScalars.append(scalar)
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }
}
