import BankFormats
import Core
import Crypto
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Imports bank statement files (MT940, camt.053, bank CSV exports) into a school's bank account,
/// one database transaction per file: everything or nothing (docs/statements.md).
///
/// The file is parsed as a stream into a staging table (COPY, bounded memory), every statement
/// checked (account, VND, opening + credits − debits = closing), the bank account locked, every
/// line deduplicated against all lines imported before, provisional callbacks confirmed by their
/// lines, and the remaining new lines booked and applied like callbacks.
public struct StatementImporter: Sendable {
    public enum ProgressEvent: Sendable, Equatable {
        case parsed(lines: Int)
        case booked(lines: Int, of: Int)
        case applied(lines: Int, of: Int)
    }

    public typealias Progress = @Sendable (ProgressEvent) -> Void

    public static let progressEveryLinesDefault = 20_000

    public let pool: PostgresPool
    public let descriptions: CSVFormatCatalog
    public let progressEveryLines: Int
    public let progress: Progress?

    public init(pool: PostgresPool, descriptions: CSVFormatCatalog, progressEveryLines: Int = StatementImporter.progressEveryLinesDefault,
                progress: Progress? = nil) {
        precondition(progressEveryLines > 0, "progress needs a positive interval")
        self.pool = pool
        self.descriptions = descriptions
        self.progressEveryLines = progressEveryLines
        self.progress = progress
    }

    /// Imports the file, or on a dry run reports what importing it would do and keeps nothing.
    /// Throws `StatementImportError` for a file that is refused (nothing imported), database errors otherwise.
    public func run(_ request: StatementImportRequest) throws -> StatementImportResult {
        try request.validate()
        let digest = try request.sha256()
        do {
            return try pool.transaction(isolation: .readCommitted) { connection in
                // What the request names before what the file holds (resource before content, as HTTP orders them): a
                // school without that account refuses the request (409) whatever bytes it carries.
                let (school, bank) = try ImportRun.target(request, on: connection)
                let run = ImportRun(importer: self, request: request, format: try resolveFormat(request), digest: digest)
                let result = try run.execute(school: school, bank: bank, on: connection)
                if request.dryRun { throw DryRunRollback(result: result) }
                return result
            }
        } catch let rollback as DryRunRollback {
            return rollback.result
        } catch let error as StatementParseError {
            throw StatementImportError(parse: error)
        }
    }

    func resolveFormat(_ request: StatementImportRequest) throws -> StatementFormat {
        switch request.source {
        case .file(let path):
            return try StatementParsing.resolveFormat(fileAt: path, format: request.format, descriptions: descriptions)
        case .bytes(let bytes):
            return try StatementParsing.resolveFormat(bytes: bytes, name: request.fileName, format: request.format, descriptions: descriptions)
        }
    }

    /// Carries a dry run's result out of the transaction it rolls back.
    struct DryRunRollback: Error {
        let result: StatementImportResult
    }
}

/// One import, inside its transaction.
struct ImportRun {
    let importer: StatementImporter
    let request: StatementImportRequest
    let format: StatementFormat
    let digest: [UInt8]

    var file: String { request.errorName }

    func execute(school: School, bank: SchoolBankAccount, on connection: PostgresConnection) throws -> StatementImportResult {
        // A camt.054 notification or an MT942 interim report is provisional money, recorded like callbacks (docs/statements.md).
        if format == .camt054 || format == .mt942 { return try NotificationImport(run: self).execute(school: school, bank: bank, on: connection) }
        try StatementStaging.create(on: connection)
        let parsed = try parse(school: school, bank: bank, on: connection)
        try StatementLocks.lockBankAccount(bank.id, mode: .exclusive, on: connection)
        // Read after the lock: a period closed meanwhile moves the bookings to its first open day.
        let closedThrough = try Schools.find(id: school.id, on: connection)?.closedThrough
        try StatementStaging.classify(schoolID: school.id, bankAccountID: bank.id, on: connection)
        let continuity = try StatementContinuity.check(parsed.statements, schoolID: school.id, bankAccountID: bank.id, on: connection)
        if request.strict { try enforceStrict(parsed.statements, continuity) }
        let confirmation = try CallbackConfirmation.run(schoolID: school.id, bankAccountID: bank.id, file: file, on: connection)
        let accounts = try ledgerAccounts(school: school, bank: bank, on: connection)
        try StatementStaging.recognizeVirtualAccounts(schoolID: school.id, on: connection)
        let classes = try StatementStaging.counts(on: connection)
        var counts = ImportRun.counts(parsed, classes)
        let importID = try StatementRecords.insertImport(StatementRecords.ImportRow(
            schoolID: school.id, bankAccountID: bank.id, fileName: request.fileName, sha256: digest, format: format.name,
            counts: counts, importedBy: request.importedBy), on: connection)
        try StatementRecords.insertStatements(parsed.statements, importID: importID, schoolID: school.id, bankAccountID: bank.id,
                                              on: connection)
        try StatementApplications.lockInvoices(schoolID: school.id, codes: try StatementStaging.newCodes(on: connection),
                                               virtualAccounts: try StatementStaging.newVirtualAccounts(on: connection), on: connection)
        let bookings = StatementBookings(schoolID: school.id, bankAccountID: bank.id, importID: importID, accounts: accounts,
                                         closedThrough: closedThrough,
                                         emptyContext: try MatchContext(prefix: school.paymentCodePrefix, students: [], invoices: []))
        let coded = try bookings.run(total: counts.linesNew, progress: importer.progress, on: connection)
        try StatementRecords.insertConfirmedLines(importID: importID, schoolID: school.id, bankAccountID: bank.id, on: connection)
        counts.appliedAutomatically = try StatementApplications.apply(school: school, transactionIDs: coded, progress: importer.progress,
                                                                      on: connection)
        counts.leftInSuspense = classes.newCreditsTargeted + classes.newCreditsUntargeted - counts.appliedAutomatically
        return StatementImportResult(
            importID: request.dryRun ? nil : importID, dryRun: request.dryRun, fileName: request.fileName, fileSHA256: Hex.encode(digest),
            format: format.name, bankAccount: bank.accountNumber, counts: counts,
            statements: ImportRun.reports(parsed.statements, continuity),
            conflicts: try StatementStaging.conflicts(limit: StatementImportLimits.reportedItemsMax, on: connection),
            ambiguousConfirmations: confirmation.ambiguous, warnings: parsed.warnings)
    }

    /// The school and its bank account named by the request.
    static func target(_ request: StatementImportRequest, on connection: PostgresConnection) throws -> (School, SchoolBankAccount) {
        guard let school = try Schools.find(id: request.schoolID, on: connection) else {
            throw LedgerError.unknownSchool(request.schoolID)
        }
        let banks = try Schools.bankAccounts(schoolID: school.id, on: connection)
        let wanted = StatementAccountMatch.canonical(request.bankAccountNumber)
        guard let bank = banks.first(where: { $0.accountNumber == wanted }) else {
            let known = banks.map(\.accountNumber).joined(separator: ", ")
            throw StatementImportError(.unknownBankAccount, file: request.errorName, field: "account",
                                       message: "school \(school.code) has no bank account \(request.bankAccountNumber) (its accounts: \(known))")
        }
        return (school, bank)
    }

    /// Parses the whole file into the staging table; any error ends the import.
    func parse(school: School, bank: SchoolBankAccount, on connection: PostgresConnection) throws -> StagingConsumer {
        var consumer = StagingConsumer(connection: connection, file: file, accountNumber: bank.accountNumber,
                                       finder: try PaymentCodeFinder(prefix: school.paymentCodePrefix),
                                       progress: importer.progress, progressEveryLines: importer.progressEveryLines)
        switch request.source {
        case .file(let path):
            try StatementParsing.parse(fileAt: path, format: format, descriptions: importer.descriptions, strict: request.strict,
                                       consumer: &consumer)
        case .bytes(let bytes):
            try StatementParsing.parse(bytes: bytes, name: request.fileName, format: format, descriptions: importer.descriptions,
                                       strict: request.strict, consumer: &consumer)
        }
        try consumer.finish()
        importer.progress?(.parsed(lines: consumer.linesRead))
        return consumer
    }

    /// With `strict`, a gap, or a statement whose balance or continuity cannot be checked, refuses the file.
    func enforceStrict(_ statements: [StatementRecord], _ continuity: [ContinuityFinding]) throws {
        for (statement, finding) in zip(statements, continuity) {
            let name = "statement \(statement.index + 1)" + (statement.reference.map { " (\($0))" } ?? "")
            if finding.status == .gap {
                throw StatementImportError(.continuityGap, file: file, position: statement.position, field: "opening balance",
                                           message: "\(name) opens at \(statement.opening!) but the previous statement"
                                               + (finding.previousReference.map { " (\($0))" } ?? "")
                                               + " closed at \(finding.previousClosingBalance!) on \(finding.previousClosingDate!)")
            }
            guard statement.isBalanceChecked, finding.status != .notCheckable else {
                let reason = statement.isBalanceChecked ? "it has no opening balance or date" : statement.balanceCheck
                throw StatementImportError(.notCheckable, file: file, position: statement.position,
                                           message: "\(name) cannot be checked (\(reason)); a strict import needs both checks")
            }
        }
    }

    /// The ledger accounts of the bookings: the bank's, suspense, and bank fees (without one, fees wait in suspense).
    func ledgerAccounts(school: School, bank: SchoolBankAccount, on connection: PostgresConnection) throws -> StatementBookings.Accounts {
        let ids = try LedgerQueries.accountIDs(schoolID: school.id, purposes: [.suspense, .bankFees], on: connection)
        let (suspense, fees) = (ids[.suspense], ids[.bankFees])
        guard let suspense else {
            throw StatementImportError(.noSuspenseAccount, file: file, message: "school \(school.code) has no active suspense account")
        }
        if fees == nil { try connection.query("UPDATE statement_staging SET is_fee = false WHERE is_fee") }
        return StatementBookings.Accounts(bank: bank.accountID, suspense: suspense, bankFees: fees ?? suspense)
    }

    static func counts(_ parsed: StagingConsumer, _ classes: StatementStaging.ClassCounts) -> StatementImportCounts {
        var counts = StatementImportCounts()
        counts.linesTotal = parsed.linesRead
        counts.linesSkipped = parsed.linesSkipped
        counts.warnings = parsed.warningCount
        counts.linesNew = classes.count("new")
        counts.linesRepeatedInFile = classes.count("repeated")
        counts.linesKnown = classes.count("known") + counts.linesRepeatedInFile
        counts.callbacksConfirmed = classes.count("confirmed")
        counts.linesConflicting = classes.count("conflict")
        counts.debitsToSuspense = classes.newDebits
        counts.bankFees = classes.newFees
        precondition(counts.linesNew + counts.linesKnown + counts.callbacksConfirmed + counts.linesConflicting + counts.linesSkipped
                     == counts.linesTotal, "every line falls in exactly one class")
        return counts
    }

    static func reports(_ statements: [StatementRecord], _ continuity: [ContinuityFinding]) -> [StatementReport] {
        zip(statements, continuity).map { statement, finding in
            StatementReport(index: statement.index, reference: statement.reference, account: statement.account,
                            openingBalance: statement.opening, openingDate: statement.openingDate, closingBalance: statement.closing,
                            closingDate: statement.closingDate, lineCount: statement.lineCount, balanceCheck: statement.balanceCheck,
                            continuity: finding)
        }
    }
}
