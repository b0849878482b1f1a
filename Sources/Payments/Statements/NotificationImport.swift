import BankFormats
import Core
import Crypto
import Foundation
import Ledger
import Postgres

/// Imports a camt.054 debit/credit notification or an MT942 interim report as provisional money, the way callbacks arrive:
/// each line is recorded once on the bank's entry reference, booked, matched and applied by
/// `IncomingBatch` (the callbacks' path) with status `provisional`; the camt.053/MT940 statement
/// line for the same money confirms it later (`CallbackConfirmation`) without booking it again.
/// A notification read after its statement line was imported is recognised as that line's late
/// announcement (`LateCallbacks`) and records nothing.
///
/// The whole file is one transaction: a line without an entry reference or date, in another
/// currency than VND, or for another account refuses the file and nothing is recorded.
struct NotificationImport {
    let run: ImportRun

    /// The provider name under which notification lines are recorded (`bank_transactions.provider`): the format's name.
    var provider: String { run.format == .mt942 ? "mt942" : "camt054" }
    /// Where the bank's reference is: camt `AcctSvcrRef`, MT942 `:61:` after `//`.
    var referenceField: String { run.format == .mt942 ? ":61:" : "AcctSvcrRef" }

    var file: String { run.file }

    func execute(school: School, bank: SchoolBankAccount, on connection: PostgresConnection) throws -> StatementImportResult {
        let collected = try parse(school: school, bank: bank)
        // The statement lock, as callbacks and imports take it: a statement line and this notification never both book the money.
        try StatementLocks.lockBankAccount(bank.id, mode: .exclusive, on: connection)
        guard let current = try Schools.find(id: school.id, on: connection) else { throw LedgerError.unknownSchool(school.id) }
        var transactions = try collected.lines.map { try transaction($0, school: current, bank: bank) }
        let studentAccounts = try StatementStaging.studentVirtualAccounts(schoolID: school.id,
                                                                          among: collected.lines.flatMap(\.accountCandidates), on: connection)
        for (index, line) in collected.lines.enumerated() {
            let held = line.accountCandidates.filter(studentAccounts.contains)
            if held.count == 1 { transactions[index].virtualAccount = held[0] }
        }
        var counts = StatementImportCounts()
        counts.linesTotal = collected.linesRead
        counts.linesSkipped = collected.linesSkipped
        counts.warnings = collected.warnings.count
        let fresh = try withoutLateAnnouncements(transactions, counts: &counts, on: connection)
        for start in stride(from: 0, to: fresh.count, by: IncomingBatch.transactionsMax) {
            let batch = Array(fresh[start..<min(start + IncomingBatch.transactionsMax, fresh.count)])
            for outcome in try IncomingBatch.record(batch, status: "provisional", school: current, on: connection)
                .sendingReceipts(on: connection) {
                count(outcome, into: &counts)
            }
        }
        let importID = try StatementRecords.insertImport(StatementRecords.ImportRow(
            schoolID: school.id, bankAccountID: bank.id, fileName: run.request.fileName, sha256: run.digest, format: run.format.name,
            counts: counts, importedBy: run.request.importedBy), on: connection)
        return StatementImportResult(
            importID: run.request.dryRun ? nil : importID, dryRun: run.request.dryRun, fileName: run.request.fileName,
            fileSHA256: Hex.encode(run.digest), format: run.format.name, bankAccount: bank.accountNumber, counts: counts,
            statements: [], conflicts: [], ambiguousConfirmations: [], warnings: Array(collected.warnings.prefix(StatementLimits.warningsListedMax)))
    }

    /// Drops the lines whose statement line was imported first (the money is booked already); they count as known.
    func withoutLateAnnouncements(_ transactions: [NewBankTransaction], counts: inout StatementImportCounts,
                                  on connection: PostgresConnection) throws -> [NewBankTransaction] {
        var claims: [Int64: LateCallbacks.Claim] = [:]
        var fresh: [NewBankTransaction] = []
        for (transaction, mayBeLate) in zip(transactions, try LateCallbacks.mayHaveStatementLines(transactions, on: connection)) {
            if mayBeLate, let late = try LateCallbacks.recognize(transaction, claimedInBatch: claims, on: connection) {
                claims[late.bankTransactionID] = LateCallbacks.Claim(transaction)
                counts.linesKnown += 1
            } else {
                fresh.append(transaction)
            }
        }
        return fresh
    }

    func count(_ outcome: IncomingBatch.Outcome, into counts: inout StatementImportCounts) {
        switch outcome {
        case .recorded(_, let applied, _):
            counts.linesNew += 1
            if applied { counts.appliedAutomatically += 1 }
        case .duplicate:
            counts.linesKnown += 1
        }
    }

    /// Parses the whole file; any error ends the import.
    func parse(school: School, bank: SchoolBankAccount) throws -> NotificationCollector {
        var collector = NotificationCollector(file: file, accountNumber: bank.accountNumber,
                                              finder: try PaymentCodeFinder(prefix: school.paymentCodePrefix))
        switch run.request.source {
        case .file(let path):
            try StatementParsing.parse(fileAt: path, format: run.format, descriptions: run.importer.descriptions,
                                       strict: run.request.strict, consumer: &collector)
        case .bytes(let bytes):
            try StatementParsing.parse(bytes: bytes, name: run.request.fileName, format: run.format, descriptions: run.importer.descriptions,
                                       strict: run.request.strict, consumer: &collector)
        }
        return collector
    }

    /// The line as a provisional bank transaction, identified by the bank's entry reference (and the
    /// transaction's index when the entry was split).
    func transaction(_ line: StagedLine, school: School, bank: SchoolBankAccount) throws(StatementImportError) -> NewBankTransaction {
        guard let reference = line.bankReference else {
            throw StatementImportError(.unreferenced, file: file, position: line.position, field: referenceField,
                                       message: "a notification line needs the bank's entry reference: it is how the line is recorded once")
        }
        let identity = bank.accountNumber + ":" + reference + (line.detailIndex.map { "#\($0)" } ?? "")
        guard identity.count <= NotificationImport.identityCharactersMax else {
            throw StatementImportError(.unreferenced, file: file, position: line.position, field: referenceField,
                                       message: "the entry reference is longer than the \(NotificationImport.identityCharactersMax - bank.accountNumber.count - 1) characters kept")
        }
        return NewBankTransaction(
            schoolID: school.id, bankAccountID: bank.id, origin: .callback(provider: provider, transactionID: identity),
            direction: line.isCredit ? .incoming : .outgoing, amount: Money(dong: abs(line.amount)), bookedOn: line.bookedOn,
            memo: line.storedMemo, payerName: line.payerName, payerAccount: line.payerAccount,
            bankReference: reference.count <= StatementImportLimits.transactionReferenceCharactersMax ? reference : nil)
    }

    /// `bank_transactions.provider_transaction_id` holds at most 200 characters.
    static let identityCharactersMax = 200
}

/// Collects a notification's lines, checked and converted as statement lines are (`StagedLine`).
struct NotificationCollector: StatementConsumer {
    let file: String
    let accountNumber: String
    let finder: PaymentCodeFinder
    var lines: [StagedLine] = []
    var warnings: [StatementWarning] = []
    var linesRead = 0
    var linesSkipped = 0

    init(file: String, accountNumber: String, finder: PaymentCodeFinder) {
        self.file = file
        self.accountNumber = accountNumber
        self.finder = finder
    }

    mutating func statementBegan(_ statement: Statement) throws {
        guard let account = statement.account, !StatementAccountMatch.matches(statementAccount: account, accountNumber: accountNumber) else {
            return
        }
        throw StatementImportError(.wrongAccount, file: file, position: statement.position, field: "Acct",
                                   message: "notification \(statement.index + 1) is for account \(account), not \(accountNumber)")
    }

    mutating func statementLine(_ line: StatementLine) throws {
        linesRead += 1
        guard lines.count < StatementImportLimits.notificationLinesMax else {
            throw StatementImportError(.unreadable, file: file, position: line.position,
                                       message: "more than \(StatementImportLimits.notificationLinesMax) lines in one notification file")
        }
        switch try StagedLine.make(line, seq: linesRead, file: file, finder: finder) {
        case .staged(let staged):
            lines.append(staged)
        case .skipped:
            linesSkipped += 1
        }
    }

    mutating func statementEnded(_ statement: Statement) throws {}

    mutating func statementWarning(_ warning: StatementWarning) throws {
        warnings.append(warning)
    }
}
