import BankFormats
import Core
import Postgres

/// A statement of the file as the import keeps it (statements are few; lines go to the database).
struct StatementRecord: Sendable {
    var index: Int
    var reference: String?
    var account: String?
    var position: SourcePosition
    var opening: Int64?
    var openingDate: CalendarDate?
    var closing: Int64?
    var closingDate: CalendarDate?
    var lineCount: Int
    var firstBookingDate: CalendarDate?
    /// `balanced`, or the reason the check could not be made.
    var balanceCheck: String
    var isBalanceChecked: Bool

    /// The day the statement starts from, to find the statement before it.
    var startDate: CalendarDate? { openingDate ?? firstBookingDate ?? closingDate }
}

/// Receives the parse and stages it: each statement is checked (account, currency, balance), each
/// line converted (`StagedLine`) and sent to the staging table in COPY batches, so memory holds at
/// most `copyBatchLines` lines whatever the file's size. Any error stops the parse; the caller's
/// transaction then rolls back and nothing is imported.
struct StagingConsumer: StatementConsumer {
    let connection: PostgresConnection
    let file: String
    let accountNumber: String
    let finder: PaymentCodeFinder
    let progress: StatementImporter.Progress?
    let progressEveryLines: Int
    private(set) var statements: [StatementRecord] = []
    private(set) var linesRead = 0
    private(set) var linesStaged = 0
    private(set) var linesSkipped = 0
    /// What the parser tolerated (`StatementTolerance`): all counted, the first `warningsListedMax` kept.
    private(set) var warningCount = 0
    private(set) var warnings: [StatementWarning] = []
    private var buffer: [StagedLine] = []
    private var firstBookingDate: CalendarDate?

    init(connection: PostgresConnection, file: String, accountNumber: String, finder: PaymentCodeFinder,
         progress: StatementImporter.Progress?, progressEveryLines: Int) {
        precondition(progressEveryLines > 0, "progress needs a positive interval")
        self.connection = connection
        self.file = file
        self.accountNumber = accountNumber
        self.finder = finder
        self.progress = progress
        self.progressEveryLines = progressEveryLines
        buffer.reserveCapacity(StatementImportLimits.copyBatchLines)
    }

    mutating func statementBegan(_ statement: Statement) throws {
        try checkAccount(statement)
        if let currency = statement.currency, currency != "VND" {
            // Name the balance that states the currency when there is one.
            let opening = statement.openingBalance
            throw StatementImportError(.notVND, file: file, position: opening?.position ?? statement.position, field: opening?.code ?? "currency",
                                       message: "is in \(currency) (statement \(statement.index + 1)); the ledger imports only VND statements")
        }
        firstBookingDate = nil
    }

    mutating func statementLine(_ line: StatementLine) throws {
        linesRead += 1
        switch try StagedLine.make(line, seq: linesStaged + 1, file: file, finder: finder) {
        case .skipped:
            linesSkipped += 1
        case .staged(let staged):
            linesStaged += 1
            if firstBookingDate.map({ staged.bookedOn < $0 }) ?? true { firstBookingDate = staged.bookedOn }
            buffer.append(staged)
            if buffer.count >= StatementImportLimits.copyBatchLines { try flush() }
        }
        if linesRead % progressEveryLines == 0 { progress?(.parsed(lines: linesRead)) }
    }

    mutating func statementWarning(_ warning: StatementWarning) throws {
        warningCount += 1
        if warnings.count < StatementLimits.warningsListedMax { warnings.append(warning) }
    }

    mutating func statementEnded(_ statement: Statement) throws {
        try checkAccount(statement)
        let check = StatementBalanceCheck.check(statement)
        if case .unbalanced = check.outcome {
            throw StatementImportError(.unbalanced, file: file, position: statement.closingBalance?.position ?? statement.position,
                                       field: statement.closingBalance?.code, message: check.description)
        }
        let reference = StatementText.nonEmpty(statement.statementID).map { String($0.prefix(StatementImportLimits.statementReferenceCharactersMax)) }
        var record = StatementRecord(index: statement.index, reference: reference, account: statement.account,
                                     position: statement.position, lineCount: statement.totals.lineCount,
                                     firstBookingDate: firstBookingDate, balanceCheck: "balanced", isBalanceChecked: true)
        if case .notCheckable(let reason) = check.outcome {
            record.balanceCheck = "not checkable: \(reason)"
            record.isBalanceChecked = false
        }
        if let opening = statement.openingBalance {
            record.opening = try StagedLine.wholeDong(opening.amount, file: file, position: opening.position, field: opening.code)
            record.openingDate = opening.date
        }
        if let closing = statement.closingBalance {
            record.closing = try StagedLine.wholeDong(closing.amount, file: file, position: closing.position, field: closing.code)
            record.closingDate = closing.date
        }
        statements.append(record)
    }

    /// Sends what is left in the buffer; call once the parse returned.
    mutating func finish() throws {
        try flush()
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try StatementStaging.copy(buffer, on: connection)
        buffer.removeAll(keepingCapacity: true)
    }

    /// A statement naming another account refuses the file; one naming none (a CSV without its account row) passes.
    private func checkAccount(_ statement: Statement) throws {
        guard let account = statement.account, !StatementAccountMatch.matches(statementAccount: account, accountNumber: accountNumber) else {
            return
        }
        throw StatementImportError(.wrongAccount, file: file, position: statement.position, field: "account",
                                   message: "statement \(statement.index + 1) is for account \(account), not \(accountNumber)")
    }
}
