import Core
import Foundation

/// A bad end-of-day file: the file, line and field named; nothing of the file is imported.
public struct CollectionFileError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let field: String
    public let problem: String

    public init(file: String, line: Int, field: String, problem: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
    }

    public var description: String {
        "\(file):\(line)" + (field.isEmpty ? "" : ": \(field)") + ": \(problem)"
    }
}

/// One payment the bank lists in its end-of-day file.
public struct CollectionFileLine: Sendable, Equatable, Codable {
    public let line: Int
    public let transactionID: String
    public let paidAt: Date
    public let customerCode: String
    public let amount: Int64
    /// The line's fields as written, for the differences file sent back in the same layout.
    public let fields: [String]
}

/// The bank's end-of-day file (delimited with a header line, or fixed-width records, as the
/// provider's description lays it out): read whole and checked line by line before anything is
/// compared or written.
public enum CollectionDayFile {
    public static let fileBytesMax = 32 * 1024 * 1024
    public static let linesMax = 200_000
    public static let fieldBytesMax = 200
    /// A fixed-width record's widest extent: bounds the layout a description may state.
    public static let recordBytesMax = 1_024
    /// Leading non-record lines a fixed-width layout may skip.
    public static let skipLinesMax = 10

    public static func parse(_ bytes: [UInt8], layout: CollectionFileLayout, file: String) throws(CollectionFileError) -> [CollectionFileLine] {
        func fail(_ line: Int, _ field: String, _ problem: String) -> CollectionFileError {
            CollectionFileError(file: file, line: line, field: field, problem: problem)
        }
        guard bytes.count <= fileBytesMax else { throw fail(0, "", "larger than \(fileBytesMax) bytes") }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else { throw fail(0, "", "not UTF-8 text") }
        // "\r\n" is one Character in Swift: both line ends are separators.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        let records = layout.isFixedWidth ? try fixedRecords(lines, layout: layout, fail: fail) : try delimitedRecords(lines, layout: layout, fail: fail)
        let index = { (logical: String) in layout.columns.firstIndex(of: layout.fields[logical]!)! }
        let names = layout.columns
        let time: CallbackTimeFormat = layout.timeFormat == "iso8601" ? .iso8601
            : .local(LocalTimePattern(layout.timeFormat)!, utcOffsetMinutes: VietnamTime.utcOffsetSeconds / 60)
        var seen = Set<String>()
        var parsed: [CollectionFileLine] = []
        for (number, fields) in records {
            if let long = fields.indices.first(where: { fields[$0].utf8.count > fieldBytesMax }) {
                throw fail(number, names[long], "longer than \(fieldBytesMax) bytes")
            }
            // A control character is a damaged file, not a value: NUL could not even be stored (the bank's
            // fields are kept for the differences file), and the others would be compared as garbage.
            if let damaged = fields.indices.first(where: { fields[$0].unicodeScalars.contains { $0.isControlCharacter && $0 != "\t" } }) {
                let scalar = fields[damaged].unicodeScalars.first { $0.isControlCharacter && $0 != "\t" }!
                let hex = String(scalar.value, radix: 16, uppercase: true)
                throw fail(number, names[damaged], "holds the control character U+" + String(repeating: "0", count: 4 - hex.count) + hex)
            }
            let id = fields[index("transactionID")], amountText = fields[index("amount")]
            guard (1...CollectionLimits.transactionIDBytesMax).contains(id.utf8.count) else {
                throw fail(number, names[index("transactionID")], "1 to \(CollectionLimits.transactionIDBytesMax) bytes")
            }
            guard seen.insert(id).inserted else { throw fail(number, names[index("transactionID")], "'\(id.prefix(64))' listed twice") }
            guard (1...CollectionLimits.amountDigitsMax).contains(amountText.utf8.count), amountText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let amount = Int64(amountText), amount > 0, amount <= Money.absoluteDongMax else {
                throw fail(number, names[index("amount")], "'\(amountText.prefix(32))' is not a positive whole number of đồng")
            }
            guard let paidAt = time.instant(fields[index("paidAt")]) else {
                throw fail(number, names[index("paidAt")], "not a time in the format \(layout.timeFormat)")
            }
            let customer = fields[index("customerCode")]
            guard customer.utf8.count <= CollectionLimits.customerCodeBytesMax else {
                throw fail(number, names[index("customerCode")], "longer than \(CollectionLimits.customerCodeBytesMax) bytes")
            }
            parsed.append(CollectionFileLine(line: number, transactionID: id, paidAt: paidAt, customerCode: customer, amount: amount, fields: fields))
        }
        return parsed
    }

    /// Delimited: the header line exactly as described, then one record per line with as many fields.
    static func delimitedRecords(_ lines: [String], layout: CollectionFileLayout,
                                 fail: (Int, String, String) -> CollectionFileError) throws(CollectionFileError) -> [(Int, [String])] {
        guard let header = lines.first else { throw fail(1, "", "empty file: a header line is required") }
        guard lines.count - 1 <= linesMax else { throw fail(linesMax + 2, "", "more than \(linesMax) payment lines") }
        let delimiter = Character(layout.delimiter)
        let names = header.split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard names == layout.columns else {
            throw fail(1, "", "header must be '\(layout.columns.joined(separator: layout.delimiter))'")
        }
        var records: [(Int, [String])] = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == names.count else { throw fail(offset + 1, "", "\(fields.count) fields, the header has \(names.count)") }
            records.append((offset + 1, fields))
        }
        return records
    }

    /// Fixed width: `skipLines` lines skipped, then each record cut at the described byte positions
    /// (spaces around a value are padding). A record shorter than the layout's extent is refused: a
    /// truncated line must not read as a smaller amount or a shorter id.
    static func fixedRecords(_ lines: [String], layout: CollectionFileLayout,
                             fail: (Int, String, String) -> CollectionFileError) throws(CollectionFileError) -> [(Int, [String])] {
        let skip = layout.skipLines ?? 0
        guard lines.count - skip <= linesMax else { throw fail(linesMax + skip + 1, "", "more than \(linesMax) payment lines") }
        let positions = layout.columns.map { layout.positions![$0]! }
        let extent = positions.map(\.range.upperBound).max() ?? 0
        var records: [(Int, [String])] = []
        for (offset, line) in lines.enumerated().dropFirst(skip) {
            let bytes = Array(line.utf8)
            guard bytes.count >= extent else { throw fail(offset + 1, "", "\(bytes.count) bytes, a record has \(extent)") }
            var fields: [String] = []
            for (column, position) in zip(layout.columns, positions) {
                guard let value = String(validating: bytes[position.range], as: UTF8.self) else {
                    throw fail(offset + 1, column, "a character is cut by the column's bounds")
                }
                fields.append(value.trimmingCharacters(in: .whitespaces))
            }
            records.append((offset + 1, fields))
        }
        return records
    }

    /// What is wrong with a layout's fixed-width positions (nil: delimited, or sound): every column
    /// placed once, inside `recordBytesMax`, without overlapping another.
    public static func positionProblem(_ layout: CollectionFileLayout) -> String? {
        guard let positions = layout.positions else {
            return layout.skipLines == nil ? nil : "skipLines: only for a fixed-width layout (positions)"
        }
        guard (0...skipLinesMax).contains(layout.skipLines ?? 0) else { return "skipLines: 0 to \(skipLinesMax)" }
        guard Set(positions.keys) == Set(layout.columns) else { return "positions: exactly one position per column" }
        var taken: [(String, Range<Int>)] = []
        for column in layout.columns {
            let position = positions[column]!
            guard position.start >= 1, position.length >= 1, position.range.upperBound <= recordBytesMax else {
                return "positions.\(column): start from 1, length from 1, ending within \(recordBytesMax) bytes"
            }
            if let other = taken.first(where: { $0.1.overlaps(position.range) }) { return "positions.\(column): overlaps \(other.0)" }
            taken.append((column, position.range))
        }
        return nil
    }

    /// An RFC 3339 time written in the layout's pattern (Vietnam time) for lines only we have.
    static func localTime(_ iso: String, pattern: String) -> String {
        guard pattern != "iso8601", let instant = CallbackTimeFormat.iso8601.instant(iso) else { return iso }
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + VietnamTime.utcOffsetSeconds
        let date = VietnamTime.date(of: instant)
        let second = ((seconds % 86_400) + 86_400) % 86_400
        func pad(_ value: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return pattern.replacingOccurrences(of: "yyyy", with: pad(date.year, 4)).replacingOccurrences(of: "MM", with: pad(date.month, 2))
            .replacingOccurrences(of: "dd", with: pad(date.day, 2)).replacingOccurrences(of: "HH", with: pad(second / 3600, 2))
            .replacingOccurrences(of: "mm", with: pad(second / 60 % 60, 2)).replacingOccurrences(of: "ss", with: pad(second % 60, 2))
    }

    /// The differences file sent back in the bank's layout: delimited, the same columns and delimiter
    /// plus a last column naming the difference; fixed width, the same positions plus the difference
    /// right after the record's extent (and no header).
    public static func differencesFile(_ differences: [CollectionDifference], layout: CollectionFileLayout) -> String {
        var lines = layout.isFixedWidth ? [] : [(layout.columns + ["difference"]).joined(separator: layout.delimiter)]
        for difference in differences where difference.kind != .matched {
            let fields = difference.bankFields ?? layout.columns.map { column -> String in
                switch layout.fields.first(where: { $0.value == column })?.key {
                case "transactionID": return difference.transactionID
                case "amount": return difference.ourAmount.map(String.init) ?? ""
                case "customerCode": return difference.customerCode
                case "paidAt": return localTime(difference.paidAtText, pattern: layout.timeFormat)
                default: return ""
                }
            }
            if layout.isFixedWidth {
                lines.append(fixedRecord(fields, layout: layout) + difference.kind.rawValue)
            } else {
                lines.append((fields.map { $0.replacingOccurrences(of: layout.delimiter, with: " ") } + [difference.kind.rawValue])
                    .joined(separator: layout.delimiter))
            }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One fixed-width record: each value at its position, space-padded and cut to its width (whole
    /// characters only, so the record stays UTF-8), gaps filled with spaces.
    static func fixedRecord(_ fields: [String], layout: CollectionFileLayout) -> String {
        let positions = layout.columns.map { layout.positions![$0]! }
        var record = [UInt8](repeating: 0x20, count: positions.map(\.range.upperBound).max() ?? 0)
        for (value, position) in zip(fields, positions) {
            var cut = ""
            for character in value {
                guard cut.utf8.count + character.utf8.count <= position.length else { break }
                cut.append(character)
            }
            record.replaceSubrange(position.range.lowerBound..<(position.range.lowerBound + cut.utf8.count), with: Array(cut.utf8))
        }
        return String(decoding: record, as: UTF8.self)
    }
}

/// How one payment compares between the bank's file and what we recorded.
public enum CollectionDifferenceKind: String, Sendable, Codable, CaseIterable {
    case matched
    /// The bank took money we never heard of: booked now from the file, flagged.
    case bankOnly = "bank_only"
    /// We recorded a notice the bank does not list: flagged for reversal or investigation.
    case oursOnly = "ours_only"
    /// Both have it, for different amounts (or we reversed what the bank lists).
    case amountDiffers = "amount_differs"
}

public struct CollectionDifference: Sendable, Codable, Equatable {
    public let kind: CollectionDifferenceKind
    public let transactionID: String
    public let customerCode: String
    public let bankAmount: Int64?
    public let ourAmount: Int64?
    public let paidAtText: String
    /// The bank's line as written, when the bank listed it.
    public let bankFields: [String]?
}

/// Compares the bank's list with ours, both ways (pure). `ours`: every notice of the day, reversed
/// ones with amount 0 (a reversed notice the bank does not list agrees with it).
public enum CollectionDayComparison {
    public struct Recorded: Sendable {
        public let transactionID: String
        public let customerCode: String
        public let amount: Int64
        public let paidAt: Date
        public init(transactionID: String, customerCode: String, amount: Int64, paidAt: Date) {
            self.transactionID = transactionID
            self.customerCode = customerCode
            self.amount = amount
            self.paidAt = paidAt
        }
    }

    public static func compare(bank: [CollectionFileLine], ours: [Recorded]) -> [CollectionDifference] {
        let byID = Dictionary(ours.map { ($0.transactionID, $0) }, uniquingKeysWith: { first, _ in first })
        var differences: [CollectionDifference] = []
        for line in bank {
            let text = ISO8601DateFormatter().string(from: line.paidAt)
            guard let recorded = byID[line.transactionID] else {
                differences.append(CollectionDifference(kind: .bankOnly, transactionID: line.transactionID, customerCode: line.customerCode,
                                                        bankAmount: line.amount, ourAmount: nil, paidAtText: text, bankFields: line.fields))
                continue
            }
            differences.append(CollectionDifference(kind: recorded.amount == line.amount ? .matched : .amountDiffers, transactionID: line.transactionID,
                                                    customerCode: line.customerCode, bankAmount: line.amount, ourAmount: recorded.amount,
                                                    paidAtText: text, bankFields: line.fields))
        }
        let listed = Set(bank.map(\.transactionID))
        for recorded in ours where !listed.contains(recorded.transactionID) && recorded.amount > 0 {
            differences.append(CollectionDifference(kind: .oursOnly, transactionID: recorded.transactionID, customerCode: recorded.customerCode,
                                                    bankAmount: nil, ourAmount: recorded.amount,
                                                    paidAtText: ISO8601DateFormatter().string(from: recorded.paidAt), bankFields: nil))
        }
        return differences
    }
}
