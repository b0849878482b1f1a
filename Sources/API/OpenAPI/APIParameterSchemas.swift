import Billing
import Core
import Ledger

/// What the server accepts in each path and query parameter, as the OpenAPI document states it.
///
/// The rule for a new route: a path parameter's name must have a row in `path` (a new name needs a new row:
/// `OpenAPIContractTests` fails on a name without one), and a query parameter's schema must be one of these
/// constants or an enumeration of the parser's own cases, never a bare string or integer. A pattern comes from
/// the constant its validator is tested against (`CalendarMonth.isoPattern`, `Schools.codePattern`), so the two
/// cannot drift; a value the schema allows must never be answered 400 or 422 for its shape.
enum APIParameterSchemas {
    /// A positive 64-bit id (`APIRequest.id`): at most 19 digits, no sign, no leading zero.
    static let idPattern = "^[1-9][0-9]{0,18}$"

    /// The id `text` names when it has the shape of `idPattern` (no sign, no leading zero) and fits an Int64.
    static func id(_ text: String) -> Int64? {
        guard let first = text.utf8.first, first != UInt8(ascii: "0"),
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    /// Keys that name a record in a path (`BillingLookup`): a student code without `/` (a path segment cannot
    /// carry it) or a payment code; an invoice number `2026-000123` or a payment code; a receipt id or number.
    /// Anything else is answered 404, as a key that names nothing.
    static let studentKeyPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
    static let invoiceKeyPattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,63}$"
    static let receiptKeyPattern = "^([1-9][0-9]{0,18}|[0-9]{4}-[0-9]{1,9})$"
    /// Provider names of `bank-formats/callbacks` and `bank-formats/collections` (file names without `.json`).
    static let providerPattern = "^[a-z0-9][a-z0-9-]{0,31}$"

    /// Every path parameter name of the API, with its schema.
    static let path: [String: JSONSchema] = [
        "school": .patterned(pattern: Schools.codePattern),
        "student": .patterned(pattern: studentKeyPattern),
        "invoice": .patterned(pattern: invoiceKeyPattern),
        "receipt": .patterned(pattern: receiptKeyPattern),
        "transaction": .patterned(pattern: idPattern),
        "run": .patterned(pattern: idPattern),
        "provider": .patterned(pattern: providerPattern),
    ]

    /// The schema of a path parameter; a plain string for a name without a row (which the contract test refuses).
    static func path(_ name: String) -> JSONSchema {
        path[name] ?? .string()
    }

    // MARK: - Query parameters

    /// Free text in a query: anything the request-target parser takes, which refuses an escape decoding to NUL
    /// (`RequestTarget`), with the parameter's own length bounds.
    static let queryTextPattern = "^[^\\u0000]*$"
    static let queryText = JSONSchema.patterned(pattern: queryTextPattern)
    static func queryText(characters: ClosedRange<Int>) -> JSONSchema {
        .text(pattern: queryTextPattern, minLength: characters.lowerBound, maxLength: characters.upperBound)
    }

    /// `YYYY-MM`, as `CalendarMonth(iso:)` reads it.
    static let month = JSONSchema.patterned(pattern: CalendarMonth.isoPattern)
    /// `YYYY-MM-DD`, as `CalendarDate(iso:)` reads it.
    static let date = JSONSchema.patterned(pattern: CalendarDate.isoPattern, format: "date")
    /// A calendar year as the reports take it: four digits, 2000–2999 (`reportYears`).
    static let reportYear = JSONSchema.patterned(pattern: "^2[0-9]{3}$")
    static let reportYears = 2000...2999

    /// A report year's value; nil for anything `reportYear` does not allow.
    static func parseReportYear(_ text: String) -> Int? {
        guard text.utf8.count == 4, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let year = Int(text), reportYears.contains(year) else { return nil }
        return year
    }
    /// The spellings of a boolean query parameter, read without regard to case.
    static let booleanSpellings: [(text: String, value: Bool)] = [
        ("true", true), ("1", true), ("yes", true), ("false", false), ("0", false), ("no", false),
    ]
    /// The spellings as a pattern, each letter in either case (ECMA-262 patterns have no case-insensitive flag).
    static let boolean = JSONSchema.patterned(pattern: "^(" + booleanSpellings.map { spelling in
        spelling.text.map { $0.isLetter ? "[\($0.lowercased())\($0.uppercased())]" : String($0) }.joined()
    }.joined(separator: "|") + ")$")

    /// A boolean query parameter's value; nil for anything but `booleanSpellings`.
    static func parseBoolean(_ text: String) -> Bool? {
        let lower = text.lowercased()
        return booleanSpellings.first { $0.text == lower }?.value
    }
}
