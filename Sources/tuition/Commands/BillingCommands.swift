import Billing
import Core
import Foundation
import Ledger
import Postgres

/// Shared by the billing commands: the database, the school, and parsers for amounts and months.
struct BillingSession {
    let pool: PostgresPool
    let school: School

    /// Resolves and migrates the database, then finds the school by its code.
    static func open(schoolCode: String) throws -> BillingSession {
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: try ProjectLayout.locate())
        let pool = PostgresPool(configuration: database.configuration, size: 2)
        guard let school = try pool.withConnection({ try Schools.find(code: schoolCode, on: $0) }) else {
            pool.close()
            throw CommandFailure(message: "no school with code \(schoolCode)")
        }
        return BillingSession(pool: pool, school: school)
    }

    func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.transaction(isolation: .readCommitted, body)
    }

    /// The school's invoice by its number (`2026/000123`) or its payment code.
    func invoice(_ number: String, on connection: PostgresConnection) throws -> Invoice {
        guard let invoice = try InvoiceQueries.invoice(schoolID: school.id, reference: number, on: connection) else {
            throw CommandFailure(message: "no invoice \(number) in school \(school.code)")
        }
        return invoice
    }

    static let actorCharactersMax = 60

    /// Who the records name as having done it: `TUITION_ACTOR`, else the login name.
    static var actor: String {
        let environment = ProcessInfo.processInfo.environment
        let name = environment["TUITION_ACTOR"] ?? environment["USER"] ?? "operator"
        return "cli:" + String(name.prefix(actorCharactersMax))
    }

    /// Whole đồng: digits, optionally grouped with `.`, `,` or `_` (`1.500.000`); positive.
    static func parseAmount(_ text: String) throws -> Money {
        guard let amount = Money.typedDong(text) else { throw CommandFailure(message: "'\(text)' is not a positive whole number of đồng") }
        return amount
    }

    static func parseMonth(_ text: String) throws -> CalendarMonth {
        do { return try CalendarMonth(iso: text) } catch { throw CommandFailure(message: "'\(text)' is not a month like 2026-09") }
    }

    static func parseDate(_ text: String) throws -> CalendarDate {
        do { return try CalendarDate(iso: text) } catch { throw CommandFailure(message: "'\(text)' is not a date like 2026-09-15") }
    }

}

extension BillingError: PostgresErrorDescribing {
    /// The operator at the terminal may see the server's message behind a database failure.
    var operatorDescription: String {
        switch self {
        case .database(let error): return error.debugDescription
        case .ledger(.database(let error)): return error.debugDescription
        default: return description
        }
    }
}

enum StudentsCommand {
    static let usage = """
        Usage: tuition students import FILE --school CODE [--dry-run]

        Imports a roster CSV (UTF-8, optional BOM) into the school: every row is checked first, and
        if any row is bad, each problem is printed by line and field and nothing is imported.
        Students are matched by student code; re-importing a file changes only what changed.
        Required columns (English or Vietnamese names, see docs/billing.md): student_code, full_name,
        date_of_birth (dd/MM/yyyy or yyyy-MM-dd), class, grade, guardian_name, guardian_phone,
        family_key; optional: virtual_account, category.

        Options:
          --school CODE   the school's code
          --dry-run       check the file and report what would change, writing nothing
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        guard reader.positional() == "import" else { throw UsageError(message: "missing or unknown action", usage: usage) }
        let path = try reader.requiredPositional("FILE")
        let schoolCode = try reader.requiredOption("--school")
        let dryRun = reader.flag("--dry-run")
        try reader.finish()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int else {
            throw CommandFailure(message: "cannot read \(path)")
        }
        guard size <= RosterImport.fileBytesMax else {
            throw CommandFailure(message: "\(path): \(RosterImportError.fileTooLarge(bytes: size, max: RosterImport.fileBytesMax))")
        }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let report: RosterImportReport
        do {
            report = try session.transaction { connection in
                try RosterImport.run(schoolID: session.school.id, file: bytes, dryRun: dryRun, importedBy: BillingSession.actor, on: connection)
            }
        } catch let error as RosterImportError {
            throw CommandFailure(message: "\(path): \(error)")
        }
        for row in report.created { print("new      line \(row.line): \(row.studentCode)") }
        for row in report.updated {
            let fields = row.changes.map { "\($0.field) \($0.oldValue ?? "-") → \($0.newValue ?? "-")" }.joined(separator: ", ")
            print("updated  line \(row.line): \(row.studentCode): \(fields)")
        }
        if !report.ignoredColumns.isEmpty { print("ignored columns: " + report.ignoredColumns.joined(separator: ", ")) }
        if report.notInFile > 0 { print("\(report.notInFile) active students are not in the file (left as they are)") }
        print("students import: " + report.summary)
    }
}

enum FeesCommand {
    static let usage = """
        Usage: tuition fees add --school CODE --code FEE --name NAME --kind tuition|service|agreed_collection [--shared-account] [--opt-in]
               tuition fees list --school CODE [--year YEAR]
               tuition fees schedule --school CODE --fee FEE --year YEAR --amount DONG [--grade N | --class NAME | --category CAT]
                                     [--months 9,10,11,12,1,2,3,4,5] [--due-day 10] [--per-day]
                                     [--state-share BP | --state-share-dong DONG]
                                     [--outside-catalogue --reason TEXT]
               tuition fees enrol --school CODE --student CODE --fee FEE --from YYYY-MM-DD [--through YYYY-MM-DD]
               tuition fees enrolments FILE --school CODE
               tuition fees claims --school CODE --year YEAR --term 1|2 [--format csv|html]
               tuition fees catalogue check FILE
               tuition fees catalogue install FILE

        add        creates a fee type; tuition credits tuition revenue, service (meals, drinking water:
                   the school's own service) service revenue, agreed_collection (BHYT, uniforms: passed on)
                   the collections payable; each gets its own ledger account unless --shared-account is given
        list       prints the fee types and, for a school year, their schedules
        schedule   sets the monthly amount of a fee for a school year (named by the year it starts:
                   2026 = Sept 2026 to Aug 2027), for the whole school or one grade, class or category.
                   The most specific schedule wins: class, then category, then grade, then school.
                   Tuition is billed at most 9 months a year outside continuing education; public schools
                   bill no tuition from 2025–26 (Resolution 217/2025/QH15, Decree 238/2025/NĐ-CP).
                   At a public school an amount above the provincial catalogue's cap for the school's level
                   and area is refused; a fee the catalogue does not list needs --outside-catalogue --reason,
                   which is recorded and shown in every report. --per-day makes DONG the rate per school
                   day (meals): each invoice bills the month's school days less earlier absences.
                   --state-share BP: the state budget pays BP basis points of each line (BHYT: 3000),
                   rounded half up, as a receivable from the budget; the family is billed the rest.
                   --state-share-dong DONG: the budget pays a fixed DONG per pupil per month instead (the
                   province's tuition support); a part month in proportion, rounded half up.
        enrol      enrols a pupil in an opt-in fee (added with --opt-in: billed only to enrolled pupils;
                   a month partly covered is billed pro rata by calendar days, rounded half up)
        claims     the budget claim of a term (1 = Sep–Dec, 2 = Jan–Aug): the state-paid shares of the
                   term's invoices by pupil and fee (tuition support, BHYT's state part), CSV or HTML
        enrolments imports enrolments from CSV (student_code, fee, from, through): all or nothing
        catalogue  check validates a fee catalogue file (fee-catalogues/*.json), printing every problem by
                   JSON path; install loads it as the catalogue of its school years
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = reader.positional()
        if action == "catalogue" { return try FeeCatalogueCommand.run(&reader) }
        if action == "enrolments" { return try FeeEnrolmentCommand.importFile(&reader) }
        let schoolCode = try reader.requiredOption("--school")
        switch action {
        case "add": try add(&reader, schoolCode: schoolCode)
        case "list": try list(&reader, schoolCode: schoolCode)
        case "schedule": try schedule(&reader, schoolCode: schoolCode)
        case "enrol": try FeeEnrolmentCommand.enrol(&reader, schoolCode: schoolCode)
        case "claims": try claims(&reader, schoolCode: schoolCode)
        default: throw UsageError(message: "missing or unknown action", usage: usage)
        }
    }

    static func add(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let code = try reader.requiredOption("--code")
        let name = try reader.requiredOption("--name")
        let kind = try reader.option("--kind") { text -> FeeKind in
            guard let kind = FeeKind(rawValue: text) else { throw CommandFailure(message: "tuition, service or agreed_collection, not '\(text)'") }
            return kind
        }
        guard let kind else { throw UsageError(message: "missing --kind", usage: usage) }
        let shared = reader.flag("--shared-account")
        let optIn = reader.flag("--opt-in")
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let fee = try session.transaction { connection in
            try FeeTypes.add(schoolID: session.school.id, code: code, name: name, kind: kind, account: shared ? .schoolDefault : .own,
                             requiresEnrolment: optIn, on: connection)
        }
        print("fee type \(fee.code) (\(fee.kind.rawValue)) added, credits account \(fee.accountID)")
    }

    static func list(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let year = try reader.option("--year") { try parseInt($0, FeeSchedules.schoolYears) }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let (fees, schedules) = try session.pool.withConnection { connection in
            (try FeeTypes.list(schoolID: session.school.id, on: connection),
             try year.map { try FeeSchedules.list(schoolID: session.school.id, schoolYear: $0, on: connection) } ?? [])
        }
        for fee in fees {
            print("\(fee.code)\t\(fee.kind.rawValue)\t\(fee.name)")
            for schedule in schedules where schedule.feeTypeID == fee.id {
                print("  \(schedule.schoolYear)\t\(schedule.scope)\t\(schedule.monthlyAmount)/month\tmonths \(schedule.billableMonths.map(String.init).joined(separator: ","))\tdue day \(schedule.dueDay)\t\(schedule.catalogueNote)")
            }
        }
        if fees.isEmpty { print("no fee types") }
    }

    static func claims(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let year = try reader.option("--year") { try parseInt($0, FeeSchedules.schoolYears) }
        let term = try reader.option("--term") { try parseInt($0, 1...2) }
        let format = try reader.option("--format") ?? "csv"
        guard let year, let term, format == "csv" || format == "html" else {
            throw UsageError(message: "--year and --term are required; --format is csv or html", usage: usage)
        }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let report = try session.pool.withConnection { try BudgetClaims.report(schoolID: session.school.id, schoolYear: year, term: term, on: $0) }
        print(format == "csv" ? BudgetClaimRendering.csv(report) : BudgetClaimRendering.html(report), terminator: "")
    }

    static func schedule(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let feeCode = try reader.requiredOption("--fee")
        let year = try reader.option("--year") { try parseInt($0, FeeSchedules.schoolYears) }
        let amount = try reader.option("--amount") { text -> Money in text == "0" ? .zero : try BillingSession.parseAmount(text) }
        guard let year, let amount else { throw UsageError(message: "--year and --amount are required", usage: usage) }
        let scopes: [FeeScheduleScope] = [
            try reader.option("--grade") { FeeScheduleScope.grade(try parseInt($0, 0...12)) },
            try reader.option("--class") { FeeScheduleScope.classroom($0) },
            try reader.option("--category") { FeeScheduleScope.category($0) },
        ].compactMap { $0 }
        guard scopes.count <= 1 else { throw UsageError(message: "give at most one of --grade, --class and --category", usage: usage) }
        let months = try reader.option("--months") { text in try text.split(separator: ",").map { try parseInt(String($0), 1...12) } }
        let dueDay = try reader.option("--due-day") { try parseInt($0, 1...FeeSchedules.dueDayMax) } ?? 10
        let perDay = reader.flag("--per-day")
        let stateShare = try reader.option("--state-share") { try parseInt($0, 1...PayerSplit.basisPointsMax) }
        let stateShareDong = try reader.option("--state-share-dong") { try BillingSession.parseAmount($0).dong }
        guard stateShare == nil || stateShareDong == nil else {
            throw UsageError(message: "give --state-share (basis points) or --state-share-dong (đồng per month), not both", usage: usage)
        }
        let outside = reader.flag("--outside-catalogue")
        let reason = try reader.option("--reason")
        guard outside == (reason != nil) else { throw UsageError(message: "--outside-catalogue and --reason go together", usage: usage) }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let schedule = try session.transaction { connection -> FeeSchedule in
            guard let fee = try FeeTypes.find(schoolID: session.school.id, code: feeCode, on: connection) else {
                throw CommandFailure(message: "no fee type \(feeCode) in school \(schoolCode)")
            }
            return try FeeSchedules.set(schoolID: session.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: year, scope: scopes.first ?? .school, monthlyAmount: amount,
                billableMonths: months ?? FeeScheduleInput.septemberToMay, dueDay: dueDay, outsideCatalogueReason: reason,
                rateUnit: perDay ? .day : .month, stateShareBasisPoints: stateShare,
                stateShareDong: stateShareDong), on: connection)
        }
        print("schedule \(schedule.id): \(feeCode) \(schedule.monthlyAmount)/\(schedule.rateUnit.rawValue) for \(schedule.periods.map(\.iso).joined(separator: ", ")); "
              + schedule.catalogueNote)
    }
}

enum InvoicesCommand {
    static let usage = """
        Usage: tuition invoices issue --school CODE --period YYYY-MM
               tuition invoices list --school CODE [--period YYYY-MM] [--class NAME] [--status STATUS]
               tuition invoices void --school CODE --invoice NUMBER --reason TEXT

        issue   issues the month's invoice for every active student, numbered without gaps and booked in
                the ledger in one transaction; re-running issues only what is missing
        list    prints invoices with what they still owe; STATUS is open, partly_paid, paid, overpaid or void
        void    reverses an invoice nothing has been paid on; NUMBER is 2026/000123 or its payment code
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = reader.positional()
        let schoolCode = try reader.requiredOption("--school")
        switch action {
        case "issue": try issue(&reader, schoolCode: schoolCode)
        case "list": try list(&reader, schoolCode: schoolCode)
        case "void": try void(&reader, schoolCode: schoolCode)
        default: throw UsageError(message: "missing or unknown action", usage: usage)
        }
    }

    static func issue(_ reader: inout ArgumentReader, schoolCode: String) throws {
        guard let period = try reader.option("--period", BillingSession.parseMonth) else { throw UsageError(message: "missing --period", usage: usage) }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let summary = try InvoiceIssuer.issue(schoolID: session.school.id, period: period, issuedBy: BillingSession.actor, progress: { step in
            print("issuing \(period): \(step.written)/\(step.toWrite) invoices written")
        }, pool: session.pool)
        if !summary.cappedStudentCodes.isEmpty {
            print("tuition left out (9 tuition months already billed this school year): " + summary.cappedStudentCodes.joined(separator: ", "))
        }
        print("invoices issue \(period): \(summary.summary); total \(summary.totalIssued)")
    }

    static func list(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let period = try reader.option("--period", BillingSession.parseMonth)
        let className = try reader.option("--class")
        let status = try reader.option("--status") { text -> InvoiceStatus in
            guard let status = InvoiceStatus(rawValue: text) else {
                throw CommandFailure(message: "one of " + InvoiceStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return status
        }
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let invoices = try session.pool.withConnection { connection in
            try InvoiceQueries.list(schoolID: session.school.id, filter: InvoiceFilter(period: period, className: className, status: status), on: connection)
        }
        print(["number", "code", "student", "name", "class", "period", "due", "total", "outstanding", "status"].joined(separator: "\t"))
        for invoice in invoices {
            print([invoice.number.text, invoice.paymentCode, invoice.studentCode, invoice.studentName, invoice.className, invoice.period.iso,
                   invoice.dueDate.iso, String(invoice.total.dong), String(invoice.outstanding.dong), invoice.status.rawValue].joined(separator: "\t"))
        }
        print("\(invoices.count) invoices")
    }

    static func void(_ reader: inout ArgumentReader, schoolCode: String) throws {
        let number = try reader.requiredOption("--invoice")
        let reason = try reader.requiredOption("--reason")
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let voided = try session.transaction { connection -> VoidedInvoice in
            try InvoiceIssuer.void(schoolID: session.school.id, invoiceID: try session.invoice(number, on: connection).id, reason: reason,
                                   on: connection)
        }
        print("invoice \(voided.number) voided by reversal entry \(voided.reversalEntryID); its number stays used")
    }
}

enum CashCommand {
    static let usage = """
        Usage: tuition cash record --school CODE --student CODE[,CODE...] --amount DONG --payer NAME [--date YYYY-MM-DD]

        Records cash received at the school and applies it to the students' unpaid invoices, oldest due
        date first; what is more than they owe is kept as the family's credit. Siblings paid together
        are listed with commas and must be one family. Prints one receipt number per student paid.
        --date defaults to today (Vietnam time).
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        guard reader.positional() == "record" else { throw UsageError(message: "missing or unknown action", usage: usage) }
        let schoolCode = try reader.requiredOption("--school")
        let studentCodes = try reader.requiredOption("--student").split(separator: ",").map { String($0) }
        guard let amount = try reader.option("--amount", BillingSession.parseAmount) else { throw UsageError(message: "missing --amount", usage: usage) }
        let payer = try reader.requiredOption("--payer")
        let date = try reader.option("--date", BillingSession.parseDate) ?? VietnamTime.today
        try reader.finish()
        guard !studentCodes.isEmpty, studentCodes.count <= BillingLimits.studentsPerPaymentMax else {
            throw UsageError(message: "--student needs 1 to \(BillingLimits.studentsPerPaymentMax) codes", usage: usage)
        }
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let (result, receipts) = try session.transaction { connection -> (PaymentApplicationResult, [ReceiptRecord]) in
            let students = try studentCodes.map { code -> Student in
                guard let student = try Students.find(schoolID: session.school.id, code: code, on: connection) else {
                    throw CommandFailure(message: "no student \(code) in school \(schoolCode)")
                }
                return student
            }
            let result = try CashReceipts.record(CashPayment(schoolID: session.school.id, studentIDs: students.map(\.id), amount: amount,
                                                             payerName: payer, receivedOn: date, recordedBy: BillingSession.actor), on: connection)
            let receipts = try result.receiptIDs.compactMap { try Receipts.receipt(schoolID: session.school.id, receiptID: $0, on: connection) }
            return (result, receipts)
        }
        for receipt in receipts {
            let items = receipt.items.map { "\($0.invoiceNumber) \($0.amount)" }.joined(separator: ", ")
            print("receipt \(receipt.numberText): \(receipt.student.code) \(receipt.amount)" + (items.isEmpty ? "" : " — \(items)")
                  + (receipt.credit.isPositive ? "; credit kept \(receipt.credit)" : ""))
        }
        print("cash record: \(amount) applied in \(result.applications.count) application(s)")
    }
}
