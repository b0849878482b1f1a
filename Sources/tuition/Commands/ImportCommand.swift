import BankFormats
import Core
import Foundation
import Ledger
import Payments
import Postgres

enum ImportCommand {
    static let usage = """
        Usage: tuition import FILE --school CODE --account ACCOUNT_NUMBER [--format auto|mt940|mt942|camt053|camt054|ID]
                                   [--dry-run] [--strict] [--json] [--progress-every N]

        Imports a bank statement (MT940, camt.053, or a bank CSV export described in
        bank-formats/statements/) for the school's bank account ACCOUNT_NUMBER, in one transaction:
        if anything is wrong, nothing is imported. Every statement must be for that account, in VND,
        in whole đồng, and balance (opening + credits - debits = closing). Lines imported before are
        recognised and not imported again (by the bank's reference, else by date, amount, memo and
        occurrence); a line whose key exists with another date or amount is reported as conflicting.
        A line matching a provisional callback confirms it; other money in becomes a bank transaction
        applied to invoices when it carries a valid payment code, left in suspense otherwise; money out
        goes to suspense, recognised bank charges to the bank fees account. A statement whose opening
        balance is not the previous statement's closing balance is reported; --strict refuses the file
        for it, for a check that cannot be made, or for anything the parser would otherwise read with
        a warning (a bank header line, a long reference, ...). --dry-run reports what would happen and keeps
        nothing. --json prints the result as JSON. Progress goes to standard error every N lines
        (default 20000).
        """

    static let progressEveryMax = 10_000_000

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let file = try reader.requiredPositional("FILE")
        let schoolCode = try reader.requiredOption("--school")
        let account = try reader.requiredOption("--account")
        let formatText = try reader.option("--format") ?? "auto"
        let progressEvery = try reader.option("--progress-every") { try parseInt($0, 1...progressEveryMax) }
            ?? StatementImporter.progressEveryLinesDefault
        let dryRun = reader.flag("--dry-run")
        let strict = reader.flag("--strict")
        let json = reader.flag("--json")
        try reader.finish()
        guard let format = StatementFormat(argument: formatText) else {
            throw UsageError(message: "unknown format '\(formatText)'", usage: usage)
        }
        let catalog = try CSVFormatCatalog(directory: try ProjectLayout.locate().bankFormats + "/statements")
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let importer = StatementImporter(pool: session.pool, descriptions: catalog, progressEveryLines: progressEvery, progress: report)
        let request = StatementImportRequest(schoolID: session.school.id, bankAccountNumber: account, source: .file(path: file),
                                             fileName: String(URL(fileURLWithPath: file).lastPathComponent.prefix(StatementImportLimits.fileNameCharactersMax)),
                                             format: format, dryRun: dryRun, strict: strict, importedBy: BillingSession.actor)
        let result: StatementImportResult
        do {
            result = try importer.run(request)
        } catch let error as StatementImportError {
            throw CommandFailure(message: "\(error.description)\nnothing was imported")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(result.summary)
        }
    }

    /// One line on standard error per progress event.
    @Sendable static func report(_ event: StatementImporter.ProgressEvent) {
        switch event {
        case .parsed(let lines): printError("import: read \(lines) lines")
        case .booked(let lines, let total): printError("import: booked \(lines) of \(total) new lines")
        case .applied(let lines, let total): printError("import: applied \(lines) of \(total) coded lines")
        }
    }
}
