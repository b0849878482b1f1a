import BankFormats

/// Why a statement file was refused: nothing of it was imported. Like the parser's errors, the
/// description names the file, the line (for camt.053 also the element path) and the field.
public struct StatementImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, Codable {
        /// The parser refused the file (syntax, structure, limits, unreadable).
        case unreadable = "statement_unreadable"
        /// An amount or balance is not in VND.
        case notVND = "statement_not_vnd"
        /// An amount or balance carries a fraction of a đồng, or is beyond the ledger's bounds.
        case notWholeDong = "statement_not_whole_dong"
        /// A line has neither a booking date nor a value date.
        case undated = "statement_line_undated"
        /// The statement is for another account than the one named.
        case wrongAccount = "statement_wrong_account"
        /// opening + credits − debits ≠ closing.
        case unbalanced = "statement_unbalanced"
        /// Strict import only: the opening balance is not the previous statement's closing balance.
        case continuityGap = "statement_continuity_gap"
        /// Strict import only: a balance or continuity check could not be made.
        case notCheckable = "statement_not_checkable"
        /// The school has no bank account with that number.
        case unknownBankAccount = "unknown_bank_account"
        /// More provisional callbacks than an import compares with.
        case tooManyCallbacks = "statement_too_many_callbacks"
        /// The school's chart has no active suspense account to book into.
        case noSuspenseAccount = "statement_no_suspense_account"
        /// A notification line (camt.054) without the bank's entry reference that records it once.
        case unreferenced = "notification_line_unreferenced"
        /// A request field is out of bounds (file name, who imports).
        case invalidRequest = "statement_invalid_request"
    }

    public var code: Code
    public var file: String
    public var line: Int?
    public var xmlPath: String?
    public var field: String?
    public var message: String

    public init(_ code: Code, file: String, line: Int? = nil, xmlPath: String? = nil, field: String? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.xmlPath = xmlPath
        self.field = field
        self.message = message
    }

    init(_ code: Code, file: String, position: SourcePosition, field: String? = nil, message: String) {
        self.init(code, file: file, line: position.line, xmlPath: position.xmlPath, field: field, message: message)
    }

    /// The parser's error, kept word for word.
    init(parse error: StatementParseError) {
        self.init(.unreadable, file: error.file, line: error.line, xmlPath: error.xmlPath, field: error.field, message: error.message)
    }

    /// `file: line 12: field :61: amount …`, or for XML `file: line 40: Document/…/Ntry[2]/Amt: …`.
    public var description: String {
        StatementParseError.located(message, file: file, line: line, xmlPath: xmlPath, field: field)
    }
}
