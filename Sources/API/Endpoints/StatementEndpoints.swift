import BankFormats
import Core
import Foundation
import HTTP
import Ledger
import Payments

/// Bank statement uploads: the body is the file's bytes (MT940, camt.053, or a bank CSV export),
/// imported in one transaction into the school's bank account named by `account` (docs/statements.md).
enum StatementEndpoints {
    /// A month of a large school's statement fits many times over.
    static let bodyBytesMax = 20 * 1024 * 1024
    static let importers = RoleSets.bookkeepers
    static let fileNameDefault = "upload"
    /// A file name the import records (`StatementImportRequest.isFileName`, the rule): no control character, with
    /// 1 to `StatementImportLimits.fileNameCharactersMax` Unicode scalars stated as the document's length bounds.
    static let fileNamePattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.post, "/v1/schools/{school}/statements",
                    summary: "Import a bank statement file (body: the file's bytes; MT940, camt.053 or a bank CSV export)",
                    tag: "statements", roles: importers, query: queryParameters(context.statementFormats), response: StatementImportResult.self,
                    options: RouteOptions(bodyBytesMax: bodyBytesMax, routeClass: .expensive),
                    upload: APIUpload(mediaType: "application/octet-stream", bodyBytesMax: bodyBytesMax, binary: true,
                                      description: "The statement file as the bank exported it (MT940, camt.053/054, a bank CSV or .xlsx). "
                                          + "The school and its bank account named by account are looked up first: a school the caller "
                                          + "cannot see is 404, an account the school does not have 409 unknown_bank_account, whatever the "
                                          + "bytes. Then the file must be a statement the server reads (of the format named, or one it "
                                          + "recognises), of that account, in whole VND, each statement with both balances balanced (opening + "
                                          + "credits - debits = closing; strict=true also refuses one without them or "
                                          + "after a gap); a file that is not is 422 with a code and the file, line and field at fault.")) { request in
            try upload(request, context: context)
        }
    }

    /// The formats the route takes, by their canonical names (`StatementFormat.name`): the built-in ones and, for each
    /// bank description the server loaded, `csv:ID` and `xlsx:ID`. The document lists them; anything else is a 400
    /// (the command line also takes the aliases `StatementFormat(argument:)` reads).
    static func formatNames(_ catalog: CSVFormatCatalog) -> [String] {
        [StatementFormat.auto, .mt940, .mt942, .camt053, .camt054].map(\.name)
            + catalog.ids.flatMap { [StatementFormat.csv($0).name, StatementFormat.xlsx($0).name] }
    }

    static func queryParameters(_ catalog: CSVFormatCatalog) -> [QueryParameterSpec] { [
        QueryParameterSpec("account", .patterned(pattern: Schools.accountNumberPattern), "The school's bank account number the statement is for",
                           required: true),
        QueryParameterSpec("format", .string(enumeration: formatNames(catalog)),
                           "auto (default), mt940, mt942 or camt054 (provisional money), camt053, or a bank description: csv:ID, xlsx:ID"),
        QueryParameterSpec("dry_run", APIParameterSchemas.boolean, "Report what the import would do and keep nothing"),
        QueryParameterSpec("strict", APIParameterSchemas.boolean, "Refuse the file on a balance continuity gap or a check that cannot be made"),
        QueryParameterSpec("file_name", .text(pattern: fileNamePattern, minLength: 1, maxLength: StatementImportLimits.fileNameCharactersMax),
                           "The file's name, recorded with the import and used in errors"),
    ] }

    static func upload(_ request: APIRequest, context: APIContext) throws -> Response {
        // A number of another shape can name no account (`Schools.validate` holds every number to it).
        guard let account = request.http.queryValue("account"), Schools.isAccountNumber(account) else {
            throw APIError.invalidParameter("account", "required: the school's bank account number (1 to 19 digits or upper-case letters)")
        }
        let names = formatNames(context.statementFormats)
        let format = try request.query("format") { text in
            guard names.contains(text), let format = StatementFormat(argument: text) else {
                throw ParameterProblem("one of " + names.joined(separator: ", "))
            }
            return format
        } ?? .auto
        let dryRun = try request.query("dry_run", parseBoolean) ?? false
        let strict = try request.query("strict", parseBoolean) ?? false
        let fileName = try request.query("file_name") { text -> String in
            guard StatementImportRequest.isFileName(text) else {
                throw ParameterProblem("1 to \(StatementImportLimits.fileNameCharactersMax) characters without control characters")
            }
            return text
        } ?? fileNameDefault
        guard !request.http.body.isEmpty else { throw APIError.validation("the body is empty: send the statement file's bytes") }
        let importer = StatementImporter(pool: context.pool, descriptions: context.statementFormats)
        let statementRequest = StatementImportRequest(
            schoolID: request.scopedSchool.id, bankAccountNumber: account, source: .bytes(request.http.body), fileName: fileName,
            format: format, dryRun: dryRun, strict: strict, importedBy: String(request.caller.actor.name.prefix(StatementImportLimits.importedByCharactersMax)))
        do {
            return try APIJSON.response(try importer.run(statementRequest))
        } catch let error as StatementImportError {
            throw problem(error)
        }
    }

    /// A refused file is 422 with the import's code and its description (file, line, field); a bad request field is
    /// 400; what the school's records decide (no bank account of that number, no suspense account to book into) is 409,
    /// as for every route whose request the document allows.
    static func problem(_ error: StatementImportError) -> HTTPError {
        if error.code == .invalidRequest { return APIError.invalidParameter(error.field ?? "request", error.message) }
        if error.code == .unknownBankAccount || error.code == .noSuspenseAccount {
            return HTTPError(status: .conflict, code: error.code.rawValue, detail: error.description)
        }
        return HTTPError(status: .unprocessableContent, code: error.code.rawValue, detail: error.description)
    }

    static func parseBoolean(_ text: String) throws -> Bool {
        guard let value = APIParameterSchemas.parseBoolean(text) else { throw ParameterProblem("true or false") }
        return value
    }

    struct ParameterProblem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension StatementImportResult: APIExample {
    public static let example: StatementImportResult = {
        let day = try! CalendarDate(iso: "2026-09-30")
        var counts = StatementImportCounts()
        counts.linesTotal = 1_210
        counts.linesNew = 1_150
        counts.linesKnown = 40
        counts.linesRepeatedInFile = 2
        counts.callbacksConfirmed = 15
        counts.linesConflicting = 1
        counts.linesSkipped = 4
        counts.appliedAutomatically = 1_020
        counts.leftInSuspense = 110
        counts.debitsToSuspense = 12
        counts.bankFees = 8
        counts.warnings = 1
        let continuity = ContinuityFinding(status: .continuous, previousStatementID: 41, previousReference: "VCB260831-0001",
                                           previousClosingBalance: 125_000_000, previousClosingDate: try! CalendarDate(iso: "2026-08-31"),
                                           difference: 0)
        let statement = StatementReport(index: 0, reference: "VCB260930-0001", account: "0011001234567", openingBalance: 125_000_000,
                                        openingDate: try! CalendarDate(iso: "2026-08-31"), closingBalance: 1_840_500_000,
                                        closingDate: day, lineCount: 1_210, balanceCheck: "balanced", continuity: continuity)
        let conflict = ConflictingLine(line: 812, xmlPath: "Document/BkToCstmrStmt/Stmt[1]/Ntry[402]", dedupKey: "r:FT26273000402",
                                       bookedOn: day, amount: 1_500_000, existingBookedOn: try! CalendarDate(iso: "2026-09-29"),
                                       existingAmount: 1_500_000, existingLineID: 90_211)
        let ambiguous = AmbiguousConfirmation(line: 95, xmlPath: "Document/BkToCstmrStmt/Stmt[1]/Ntry[47]",
                                              confirmedBankTransactionID: 3_301, otherCandidateIDs: [3_305])
        return StatementImportResult(importID: 17, dryRun: false, fileName: "VCB_0011001234567_202609.xml",
                                     fileSHA256: String(repeating: "ab", count: 32), format: "camt053", bankAccount: "0011001234567",
                                     counts: counts, statements: [statement], conflicts: [conflict], ambiguousConfirmations: [ambiguous],
                                     warnings: [StatementWarning(.missingReference, line: 14, field: ":61:",
                                                                 message: "has no customer reference (NONREF when there is none); read as none")])
    }()
}

extension StatementTolerance: SchemaDescribing {
    public static var jsonSchema: JSONSchema { .string(enumeration: allCases.map(\.rawValue)) }
}
