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

/// The bank's end-of-day file (delimited, with a header line, as the provider's description lays it
/// out): read whole and checked line by line before anything is compared or written.
public enum CollectionDayFile {
    public static let fileBytesMax = 32 * 1024 * 1024
    public static let linesMax = 200_000
    public static let fieldBytesMax = 200

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
        guard let header = lines.first else { throw fail(1, "", "empty file: a header line is required") }
        guard lines.count - 1 <= linesMax else { throw fail(linesMax + 2, "", "more than \(linesMax) payment lines") }
        let delimiter = Character(layout.delimiter)
        let names = header.split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard names == layout.columns else {
            throw fail(1, "", "header must be '\(layout.columns.joined(separator: layout.delimiter))'")
        }
        let index = { (logical: String) in layout.columns.firstIndex(of: layout.fields[logical]!)! }
        let time: CallbackTimeFormat = layout.timeFormat == "iso8601" ? .iso8601
            : .local(LocalTimePattern(layout.timeFormat)!, utcOffsetMinutes: VietnamTime.utcOffsetSeconds / 60)
        var seen = Set<String>()
        var parsed: [CollectionFileLine] = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            let fields = line.split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == names.count else { throw fail(number, "", "\(fields.count) fields, the header has \(names.count)") }
            if let long = fields.indices.first(where: { fields[$0].utf8.count > fieldBytesMax }) {
                throw fail(number, names[long], "longer than \(fieldBytesMax) bytes")
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

    /// The differences file sent back: the same columns and delimiter, plus a last column naming the difference.
    public static func differencesFile(_ differences: [CollectionDifference], layout: CollectionFileLayout) -> String {
        var lines = [(layout.columns + ["difference"]).joined(separator: layout.delimiter)]
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
            lines.append((fields.map { $0.replacingOccurrences(of: layout.delimiter, with: " ") } + [difference.kind.rawValue]).joined(separator: layout.delimiter))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
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
