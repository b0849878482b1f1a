/// Something a bank file did that the format's rules forbid but whose money is still readable exactly,
/// so the parser read on. `--strict` refuses the file at the first one instead (today's rules).
///
/// Nothing that could change an amount, a sign or an account is ever a tolerance: those stay errors.
public enum StatementTolerance: String, Hashable, Sendable, CaseIterable, Codable {
    /// Text before a message's `:20:` (ABN AMRO's `ABNANL2A` / `940` lines, Rabobank's `:940:`): skipped.
    case headerLine = "header_line"
    /// A field outside the MT940 standard (`:NS:`, a bank's own numbered tag): skipped.
    case nonStandardField = "non_standard_field"
    /// A `:61:` without customer reference (no `NONREF`), or an empty `//` bank reference.
    case missingReference = "missing_reference"
    /// A reference longer than the 16 characters SWIFT allows: kept whole.
    case longReference = "long_reference"
    /// An amount longer than the 15 characters SWIFT allows (leading zeros, many decimals): read exactly,
    /// still within the money bounds.
    case longAmount = "long_amount"
    /// A space between the debit/credit mark and the amount.
    case blankBeforeAmount = "blank_before_amount"
    /// A value date that is no calendar day (30 February, as German banks write 30/360 interest dates):
    /// kept as written in the warning; the line is booked on its entry date (else the month's last day).
    case invalidValueDate = "invalid_value_date"
    /// Supplementary details longer than 34 characters: kept whole.
    case longDetails = "long_details"

    /// The error kind the strict mode refuses it with.
    var strictKind: StatementParseError.Kind {
        switch self {
        case .headerLine, .nonStandardField: return .structure
        default: return .syntax
        }
    }
}

/// One tolerance, where it happened, and what was read instead.
public struct StatementWarning: Hashable, Sendable, Codable, CustomStringConvertible {
    public var tolerance: StatementTolerance
    /// 1-based line in the file.
    public var line: Int
    /// The field concerned: `:61:`, a cell reference, an element name.
    public var field: String?
    public var message: String

    public init(_ tolerance: StatementTolerance, line: Int, field: String?, message: String) {
        self.tolerance = tolerance
        self.line = line
        self.field = field
        self.message = message
    }

    /// `line 12: field :61: customer reference … (long_reference)`.
    public var description: String {
        "line \(line): " + (field.map { "field \($0) " } ?? "") + message + " (\(tolerance.rawValue))"
    }
}
