import Core
import Foundation

/// How one bank's CSV export is laid out, read from `bank-formats/statements/<id>.json`.
/// Adding a bank is adding such a file; `bank-formats/README.md` explains every field.
public struct CSVFormatDescription: Sendable, Equatable {
    public enum Encoding: String, Sendable, Decodable {
        /// UTF-8; a byte order mark, if present, is skipped.
        case utf8 = "utf-8"
        /// UTF-16 with a byte order mark deciding the byte order (Excel "Unicode Text").
        case utf16 = "utf-16"
        case utf16LE = "utf-16le"
        case utf16BE = "utf-16be"
    }

    /// The statement fields a column can feed.
    public enum Field: String, Sendable, CaseIterable, Decodable {
        case bookingDate, valueDate, amount, debit, credit, memo, reference, balance, counterpartyName, counterpartyAccount

        /// 0-based position in `allCases`.
        var ordinal: Int {
            switch self {
            case .bookingDate: return 0
            case .valueDate: return 1
            case .amount: return 2
            case .debit: return 3
            case .credit: return 4
            case .memo: return 5
            case .reference: return 6
            case .balance: return 7
            case .counterpartyName: return 8
            case .counterpartyAccount: return 9
            }
        }
    }

    public var id: String
    public var name: String
    public var encoding: Encoding
    /// One ASCII byte: `,`, `;`, or a tab.
    public var delimiter: UInt8
    public var quote: UInt8
    public var currency: String
    /// Normalised words that appear above the header in this bank's exports (the bank's name).
    public var detectKeywords: [String]
    /// Accepted header names per field, normalised (`VietnameseText.normalized`).
    public var columns: [Field: [String]]
    /// Fields whose column must be in the header row for the row to count as the header.
    public var requiredColumns: [Field]
    public var dateFormats: [CSVDatePattern]
    public var amountStyle: CSVAmountStyle
    /// Labels of rows outside the table (normalised): the account number, opening and closing balances.
    public var accountLabels: [String]
    public var openingBalanceLabels: [String]
    public var closingBalanceLabels: [String]
    /// Rows whose first non-empty cell starts with one of these (normalised) end the table.
    public var footerPrefixes: [String]
}

/// The JSON shape of a description file, before checking.
struct CSVFormatDescriptionFile: Decodable {
    struct Amount: Decodable {
        var thousandsSeparator: String
        var decimalSeparator: String
        var parenthesesNegative: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable { case thousandsSeparator, decimalSeparator, parenthesesNegative }
    }

    struct Labels: Decodable {
        var account: [String]?
        var openingBalance: [String]?
        var closingBalance: [String]?

        enum CodingKeys: String, CodingKey, CaseIterable { case account, openingBalance, closingBalance }
    }

    var id: String
    var name: String
    var encoding: CSVFormatDescription.Encoding
    var delimiter: String
    var quote: String?
    var currency: String?
    var detectKeywords: [String]?
    var columns: [String: [String]]
    var requiredColumns: [String]?
    var dateFormats: [String]
    var amount: Amount
    var labels: Labels?
    var footerStartsWith: [String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, encoding, delimiter, quote, currency, detectKeywords, columns, requiredColumns, dateFormats, amount, labels,
             footerStartsWith
    }

    static let jsonLimits = JSONLimits(bytesMax: StatementLimits.descriptionBytesMax, depthMax: 8, valueCountMax: 20_000,
                                       stringBytesMax: 4_096, numberBytesMax: 32)

    /// The first key no field has (`amount.decimalSeperator`), or nil. `JSONDecoder` ignores unknown
    /// keys, so a misspelt one would silently drop a setting (a footer, a balance label) instead of
    /// refusing the file.
    static func unknownKey(in value: JSONValue) -> String? {
        func unknown<Keys: CaseIterable & RawRepresentable>(_ object: JSONValue?, _ keys: Keys.Type, prefix: String) -> String?
            where Keys.RawValue == String {
            guard case .object(let members)? = object else { return nil }
            let known = Set(Keys.allCases.map(\.rawValue))
            return members.first { !known.contains($0.key) }.map { prefix + $0.key }
        }
        return unknown(value, CodingKeys.self, prefix: "") ?? unknown(value["amount"], Amount.CodingKeys.self, prefix: "amount.")
            ?? unknown(value["labels"], Labels.CodingKeys.self, prefix: "labels.")
    }
}

extension CSVFormatDescription {
    /// Decodes and checks a description; errors name the file and the field.
    public init(json: Data, file: String) throws(CSVFormatDescriptionError) {
        let raw: CSVFormatDescriptionFile
        do {
            let value = try StrictJSONParser.parse(Array(json), limits: CSVFormatDescriptionFile.jsonLimits)
            if let key = CSVFormatDescriptionFile.unknownKey(in: value) {
                throw CSVFormatDescriptionError(file: file, field: key, message: "is not a field of a description")
            }
        } catch let error as CSVFormatDescriptionError {
            throw error
        } catch {
            throw CSVFormatDescriptionError(file: file, field: nil, message: "not valid JSON: \(error)")
        }
        do {
            raw = try JSONDecoder().decode(CSVFormatDescriptionFile.self, from: json)
        } catch {
            throw CSVFormatDescriptionError(file: file, field: nil, message: "not a valid description: \(CSVFormatDescription.decodingMessage(error))")
        }
        try self.init(raw, file: file)
    }

    init(_ raw: CSVFormatDescriptionFile, file: String) throws(CSVFormatDescriptionError) {
        func fail(_ field: String, _ message: String) -> CSVFormatDescriptionError {
            CSVFormatDescriptionError(file: file, field: field, message: message)
        }
        guard !raw.id.isEmpty, raw.id.utf8.allSatisfy({ TextBytes.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
              raw.id.utf8.first.map(TextBytes.isAlphanumeric) == true
        else { throw fail("id", "'\(raw.id)' must be letters, digits, '-' or '_'") }
        id = raw.id
        name = raw.name
        encoding = raw.encoding
        delimiter = try CSVFormatDescription.singleByte(raw.delimiter, field: "delimiter", file: file)
        quote = try CSVFormatDescription.singleByte(raw.quote ?? "\"", field: "quote", file: file)
        guard delimiter != quote, delimiter != 0x0A, delimiter != 0x0D else { throw fail("delimiter", "must differ from the quote and line breaks") }
        currency = raw.currency ?? "VND"
        guard StatementAmount.isCurrencyCode(currency) else { throw fail("currency", "'\(currency)' is not a currency code") }
        detectKeywords = CSVFormatDescription.normalizedList(raw.detectKeywords)
        columns = try CSVFormatDescription.columns(raw.columns, file: file)
        requiredColumns = try CSVFormatDescription.requiredColumns(raw, columns: columns, file: file)
        guard !raw.dateFormats.isEmpty else { throw fail("dateFormats", "at least one date format is needed") }
        dateFormats = []
        for format in raw.dateFormats {
            do { dateFormats.append(try CSVDatePattern(format)) } catch { throw fail("dateFormats", error.message) }
        }
        do {
            amountStyle = try CSVAmountStyle(thousandsSeparator: raw.amount.thousandsSeparator, decimalSeparator: raw.amount.decimalSeparator,
                                             parenthesesNegative: raw.amount.parenthesesNegative ?? true)
        } catch { throw fail("amount", error.message) }
        accountLabels = CSVFormatDescription.normalizedList(raw.labels?.account)
        openingBalanceLabels = CSVFormatDescription.normalizedList(raw.labels?.openingBalance)
        closingBalanceLabels = CSVFormatDescription.normalizedList(raw.labels?.closingBalance)
        footerPrefixes = CSVFormatDescription.normalizedList(raw.footerStartsWith)
    }

    private static func singleByte(_ text: String, field: String, file: String) throws(CSVFormatDescriptionError) -> UInt8 {
        guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80 else {
            throw CSVFormatDescriptionError(file: file, field: field, message: "'\(text)' must be one ASCII character")
        }
        return byte
    }

    private static func normalizedList(_ list: [String]?) -> [String] {
        (list ?? []).map(VietnameseText.normalized).filter { !$0.isEmpty }
    }

    private static func columns(_ raw: [String: [String]], file: String) throws(CSVFormatDescriptionError) -> [Field: [String]] {
        var columns: [Field: [String]] = [:]
        for (key, names) in raw {
            guard let field = Field(rawValue: key) else {
                let known = Field.allCases.map(\.rawValue).joined(separator: ", ")
                throw CSVFormatDescriptionError(file: file, field: "columns.\(key)", message: "unknown field; known: \(known)")
            }
            let normalized = normalizedList(names)
            guard !normalized.isEmpty else {
                throw CSVFormatDescriptionError(file: file, field: "columns.\(key)", message: "needs at least one header name")
            }
            columns[field] = normalized
        }
        return columns
    }

    private static func requiredColumns(_ raw: CSVFormatDescriptionFile, columns: [Field: [String]], file: String) throws(CSVFormatDescriptionError) -> [Field] {
        func fail(_ message: String) -> CSVFormatDescriptionError {
            CSVFormatDescriptionError(file: file, field: "columns", message: message)
        }
        guard columns[.bookingDate] != nil else { throw fail("a bookingDate column is needed") }
        let signed = columns[.amount] != nil
        let split = columns[.debit] != nil && columns[.credit] != nil
        guard signed != split else { throw fail("give either an amount column or both debit and credit columns") }
        guard columns[.debit] == nil || split, columns[.credit] == nil || split else { throw fail("debit and credit columns go together") }
        var required: [Field] = signed ? [.bookingDate, .amount] : [.bookingDate, .debit, .credit]
        for key in raw.requiredColumns ?? [] {
            guard let field = Field(rawValue: key), columns[field] != nil else {
                throw CSVFormatDescriptionError(file: file, field: "requiredColumns", message: "'\(key)' is not a field with a column")
            }
            if !required.contains(field) { required.append(field) }
        }
        return required
    }

    static func decodingMessage(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context): return "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

public struct CSVFormatDescriptionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var field: String?
    public var message: String

    public var description: String {
        file + (field.map { ": field \($0)" } ?? "") + ": " + message
    }
}
