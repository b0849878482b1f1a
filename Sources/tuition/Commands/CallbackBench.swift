import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres

/// Prepares bench/callbacks.sh: a school with students and open invoices, a `tuition` connection,
/// and a wrk Lua script cycling through pre-signed callbacks (unique ids, codes of real invoices).
enum CallbackBenchSetup {
    static let studentsMax = 5_000
    static let requestsMax = 500_000

    /// Statistics as a live database has them. A school seeded a moment ago has none, and plans made
    /// without them read whole tables for every callback; so the tables holding rows are analyzed, as
    /// autovacuum would have done. A table never written (bank transactions, deliveries, applications
    /// on a fresh database) is left unanalyzed, as autovacuum leaves it: analyzed while empty, the
    /// planner takes it for empty, and a prepared statement's plan made a moment later scans it whole
    /// on every call while it grows by thousands of rows in the run (the claim of new callbacks took
    /// 0.9 ms a call instead of 0.07 ms) — a state no running database stays in, since autovacuum
    /// analyzes again after 50 rows plus a tenth of the table.
    /// As the owner: the application role may not analyze tables it does not own (PostgreSQL skips them).
    static func analyzeAsAutovacuumWould(_ owner: PostgresConnection) throws {
        let tables = try owner.query("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user ORDER BY 1")
            .map { try $0.decode(column: 0, as: String.self) }
        for table in tables {
            let holdsRows = try owner.query(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table))")).singleRow()?
                .decode(column: 0, as: Bool.self) ?? false
            if holdsRows { try owner.simpleQuery(unsafeSQL: "ANALYZE \(table)") }
        }
    }

    static func run(_ reader: inout ArgumentReader) throws {
        let students = try reader.option("--students") { try parseInt($0, 1...studentsMax) } ?? 1_000
        let requests = try reader.option("--requests") { try parseInt($0, 1...requestsMax) } ?? 50_000
        // Months of invoices (September on): each pupil's invoice is paid by five callbacks, then the ones naming it
        // wait in suspense. More months keep more callbacks on the paying path (receipts and applications).
        let months = try reader.option("--months") { try parseInt($0, 1...FeeScheduleInput.septemberToMay.count) } ?? 1
        let output = try reader.option("--out")
        let codesOutput = try reader.option("--codes-out")
        guard output != nil || codesOutput != nil else { throw UsageError(message: "give --out and/or --codes-out", usage: BenchCommand.usage) }
        try reader.finish()
        let (database, pool, layout) = try DatabaseAccess.migratedPool()
        defer { pool.close() }
        let run = UInt32.random(in: 0...UInt32.max)
        let account = String(format: "77%08d", run % 100_000_000)
        let secret = "bench-callback-secret-\(run)"
        let codes = try pool.transaction(isolation: .readCommitted) { connection in
            try seed(connection: connection, run: run, account: account, secret: secret, students: students, months: months,
                     layout: layout)
        }
        let owner = try database.connectAsOwner()
        defer { owner.close() }
        try analyzeAsAutovacuumWould(owner)
        if let codesOutput { try BenchOutput.write(codes.joined(separator: "\n") + "\n", to: codesOutput) }
        // The secret is printed: this is a bench school, and the fault scripts sign their own callbacks with it.
        let summary = #"{"school":"BENCH-CB-\#(run)","account":"\#(account)","secret":"\#(secret)","students":\#(students)}"#
        guard let output else {
            print(summary)
            return
        }
        let now = Int64(Date().timeIntervalSince1970)
        try WrkRequestScript.write(to: output, comment: "tuition bench callbacks-setup: \(requests) pre-signed callbacks",
                                   path: "/v1/callbacks/tuition", signatureHeader: "Tuition-Signature", requests: requests) { index in
            let code = codes[index % codes.count]
            let body = #"{"transaction_id":"BENCH-\#(run)-\#(index)","account_number":"\#(account)","amount":100000,"direction":"in","booked_at":"2026-09-15T10:21:07+07:00","memo":"MBVCB.\#(index).\#(code) HOC PHI","payer_name":"NGUYEN VAN BINH"}"#
            return (body, TuitionSignature.sign(secret: CallbackSecret(secret)!, timestamp: now, body: Array(body.utf8)))
        }
        print(summary)
    }

    /// The school, its fee, students, invoices of `months` months from September and connection; returns the
    /// invoice codes.
    static func seed(connection: PostgresConnection, run: UInt32, account: String, secret: String, students: Int, months: Int,
                     layout: ProjectLayout) throws -> [String] {
        let school = try Schools.create(NewSchool(code: "BENCH-CB-\(run)", name: "Trường Đo Callback", district: "Quận Đo",
                                                  level: .lowerSecondary, ownership: .nonPublic, paymentCodePrefix: "BC",
                                                  bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: account, holderName: "BENCH")]),
                                        on: connection)
        let fee = try FeeTypes.add(schoolID: school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
        _ = try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(feeTypeID: fee.id, schoolYear: 2026, scope: .school,
                                                                       monthlyAmount: Money(dong: 500_000),
                                                                       billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10), on: connection)
        for index in 0..<students {
            _ = try Students.create(schoolID: school.id, StudentDetails(code: "HS\(index)", fullName: "Học Sinh Số \(index)", dateOfBirth: nil,
                                                                        className: "6A\(index % 10)", grade: 6), changedBy: "bench", on: connection)
        }
        for period in FeeScheduleInput.septemberToMay.prefix(months).map({ FeeSchedules.month($0, ofSchoolYear: 2026) }) {
            _ = try InvoiceIssuer.issue(schoolID: school.id, period: period, issuedOn: period.firstDay, issuedBy: "bench", on: connection)
        }
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: layout.bankFormats + "/callbacks"))
        _ = try BankConnections.add(schoolID: school.id, provider: catalog.description(for: "tuition")!, label: "bench",
                                    accounts: [(receiving: account, bankAccountNumber: account)], secret: secret, parameters: [:], on: connection)
        return try InvoiceQueries.list(schoolID: school.id, filter: InvoiceFilter(), on: connection).sorted { $0.id < $1.id }.map(\.paymentCode)
    }
}
