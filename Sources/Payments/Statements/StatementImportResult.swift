import BankFormats
import Core

/// What an import did (or, on a dry run, would do). Amounts are whole đồng.
public struct StatementImportResult: Codable, Hashable, Sendable {
    /// The `statement_imports` row; nil on a dry run (nothing was kept).
    public var importID: Int64?
    public var dryRun: Bool
    public var fileName: String
    /// Hex SHA-256 of the file's bytes.
    public var fileSHA256: String
    /// The format read: `mt940`, `camt053`, `csv:<id>`.
    public var format: String
    public var bankAccount: String
    public var counts: StatementImportCounts
    public var statements: [StatementReport]
    /// The first `StatementImportLimits.reportedItemsMax` conflicting lines (all are counted).
    public var conflicts: [ConflictingLine]
    /// Confirmations that had two or more equally good callbacks to choose from (the lowest id was taken).
    public var ambiguousConfirmations: [AmbiguousConfirmation]
    /// What the parser tolerated in the file (a strict import refuses the file instead): the first
    /// `StatementLimits.warningsListedMax`, all counted in `counts.warnings`.
    public var warnings: [StatementWarning]

    public init(importID: Int64?, dryRun: Bool, fileName: String, fileSHA256: String, format: String, bankAccount: String,
                counts: StatementImportCounts, statements: [StatementReport], conflicts: [ConflictingLine],
                ambiguousConfirmations: [AmbiguousConfirmation], warnings: [StatementWarning] = []) {
        self.importID = importID
        self.dryRun = dryRun
        self.fileName = fileName
        self.fileSHA256 = fileSHA256
        self.format = format
        self.bankAccount = bankAccount
        self.counts = counts
        self.statements = statements
        self.conflicts = conflicts
        self.ambiguousConfirmations = ambiguousConfirmations
        self.warnings = warnings
    }

    /// Statements whose opening balance is not the previous statement's closing balance.
    public var continuityGaps: [StatementReport] { statements.filter { $0.continuity.status == .gap } }
}

/// Every line of the file falls in exactly one of new, known, confirmed, conflicting, skipped:
/// `linesTotal = linesNew + linesKnown + callbacksConfirmed + linesConflicting + linesSkipped`.
public struct StatementImportCounts: Codable, Hashable, Sendable {
    public var linesTotal = 0
    /// Lines that became new bank transactions.
    public var linesNew = 0
    /// Lines imported before (same duplicate key, same date and amount), and repeats of a line earlier in this file.
    public var linesKnown = 0
    /// Of `linesKnown`: repeats inside this file (the same bank reference twice, same date and amount).
    public var linesRepeatedInFile = 0
    /// Lines that confirmed a provisional callback (no new booking).
    public var callbacksConfirmed = 0
    /// Lines whose duplicate key exists with another date or amount: reported, not imported.
    public var linesConflicting = 0
    /// Lines the bank has not booked (camt `PDNG`, `INFO`) or with a zero amount: not imported.
    public var linesSkipped = 0
    /// Of `linesNew`, money in: applied to invoices automatically (valid code) or left in suspense.
    public var appliedAutomatically = 0
    public var leftInSuspense = 0
    /// Of `linesNew`, money out booked to suspense for the accountant.
    public var debitsToSuspense = 0
    /// Of `linesNew`, bank charges (and refunds of charges) booked to the bank fees account.
    public var bankFees = 0
    /// Tolerances of the parse (`StatementImportResult.warnings`); not a class of lines.
    public var warnings = 0

    public init() {}
}

/// One statement of the file: its balances and both checks.
public struct StatementReport: Codable, Hashable, Sendable {
    public var index: Int
    public var reference: String?
    public var account: String?
    public var openingBalance: Int64?
    public var openingDate: CalendarDate?
    public var closingBalance: Int64?
    public var closingDate: CalendarDate?
    public var lineCount: Int
    /// `balanced`, or why it could not be checked (an unbalanced statement refuses the file).
    public var balanceCheck: String
    public var continuity: ContinuityFinding

    public init(index: Int, reference: String?, account: String?, openingBalance: Int64?, openingDate: CalendarDate?, closingBalance: Int64?,
                closingDate: CalendarDate?, lineCount: Int, balanceCheck: String, continuity: ContinuityFinding) {
        self.index = index
        self.reference = reference
        self.account = account
        self.openingBalance = openingBalance
        self.openingDate = openingDate
        self.closingBalance = closingBalance
        self.closingDate = closingDate
        self.lineCount = lineCount
        self.balanceCheck = balanceCheck
        self.continuity = continuity
    }
}

/// How a statement's opening balance compares with the closing balance of the statement imported
/// before it for the same account (the latest one closing on or before this one's opening date).
public struct ContinuityFinding: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Hashable, Sendable {
        /// The opening balance equals the previous closing balance.
        case continuous
        /// It does not: lines are missing between the two statements (or the bank corrected a balance).
        case gap
        /// No earlier statement of this account has been imported.
        case first
        /// The statement has no opening balance, or no date to place it.
        case notCheckable = "not_checkable"
    }

    public var status: Status
    public var previousStatementID: Int64?
    public var previousReference: String?
    public var previousClosingBalance: Int64?
    public var previousClosingDate: CalendarDate?
    /// opening − previous closing, for a gap.
    public var difference: Int64?

    public init(status: Status, previousStatementID: Int64? = nil, previousReference: String? = nil, previousClosingBalance: Int64? = nil,
                previousClosingDate: CalendarDate? = nil, difference: Int64? = nil) {
        self.status = status
        self.previousStatementID = previousStatementID
        self.previousReference = previousReference
        self.previousClosingBalance = previousClosingBalance
        self.previousClosingDate = previousClosingDate
        self.difference = difference
    }
}

/// A line whose duplicate key is already taken by a line with another date or amount.
public struct ConflictingLine: Codable, Hashable, Sendable {
    public var line: Int
    public var xmlPath: String?
    public var dedupKey: String
    public var bookedOn: CalendarDate
    public var amount: Int64
    /// What the key holds: the line imported before, or the earlier line of this file.
    public var existingBookedOn: CalendarDate
    public var existingAmount: Int64
    /// The statement line imported before; nil when the clash is with an earlier line of this file.
    public var existingLineID: Int64?

    public init(line: Int, xmlPath: String?, dedupKey: String, bookedOn: CalendarDate, amount: Int64, existingBookedOn: CalendarDate,
                existingAmount: Int64, existingLineID: Int64?) {
        self.line = line
        self.xmlPath = xmlPath
        self.dedupKey = dedupKey
        self.bookedOn = bookedOn
        self.amount = amount
        self.existingBookedOn = existingBookedOn
        self.existingAmount = existingAmount
        self.existingLineID = existingLineID
    }
}

/// A line that had several equally good provisional callbacks (same reference/memo tier and date distance).
public struct AmbiguousConfirmation: Codable, Hashable, Sendable {
    public var line: Int
    public var xmlPath: String?
    public var confirmedBankTransactionID: Int64
    public var otherCandidateIDs: [Int64]

    public init(line: Int, xmlPath: String?, confirmedBankTransactionID: Int64, otherCandidateIDs: [Int64]) {
        self.line = line
        self.xmlPath = xmlPath
        self.confirmedBankTransactionID = confirmedBankTransactionID
        self.otherCandidateIDs = otherCandidateIDs
    }
}
