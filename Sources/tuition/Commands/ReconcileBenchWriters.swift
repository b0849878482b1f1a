import Billing
import Core
import Crypto
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import Simulation

/// A bench school as written: the ids the later stages need.
struct BenchSchool: Sendable {
    var school: School
    var bankAccountID: Int64
    var bankLedgerAccountID: Int64
    var suspenseAccountID: Int64
    var receivableAccountID: Int64
    var incomeAccountID: Int64
    var feeTypeID: Int64
    var scheduleID: Int64
    /// Simulated student id → (database id, family id, code, name, class).
    var students: [Int64: (id: Int64, family: Int64?, code: String, name: String, className: String)]
}

/// Schools, families and students of the simulation, with the simulation's payment codes (so its
/// labelled transfers name real records), in a few statements per school.
enum BenchRosterWriter {
    static func write(_ simulation: ProvinceSimulation, _ simulated: SimulatedSchool, roster: SimulatedRoster,
                      on connection: PostgresConnection) throws -> BenchSchool {
        let district = simulation.districts.first { $0.id == simulated.districtId }?.name ?? "Quận 1"
        let school = try Schools.create(NewSchool(
            code: "SIM-\(simulated.index + 1)", name: simulated.name, district: district, level: simulated.level,
            ownership: .nonPublic, paymentCodePrefix: simulated.paymentCodePrefix,
            bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: String(format: "20%08d", simulated.index + 1),
                                          holderName: VietnameseText.normalized(simulated.name))]), on: connection)
        let fee = try FeeTypes.add(schoolID: school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
        let schedule = try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
            feeTypeID: fee.id, schoolYear: simulation.parameters.month.schoolYear, scope: .school, monthlyAmount: Money(dong: 100_000),
            billableMonths: FeeScheduleInput.septemberToMay, dueDay: simulated.dueDay), on: connection)
        let families = try writeFamilies(schoolID: school.id, roster: roster, on: connection)
        let students = try writeStudents(schoolID: school.id, roster: roster, families: families, on: connection)
        let bank = try Schools.bankAccounts(schoolID: school.id, on: connection)[0]
        func account(_ purpose: AccountPurpose) throws -> Int64 {
            try LedgerQueries.account(schoolID: school.id, purpose: purpose, on: connection)!.accountID
        }
        return BenchSchool(school: school, bankAccountID: bank.id, bankLedgerAccountID: bank.accountID, suspenseAccountID: try account(.suspense),
                           receivableAccountID: try account(.receivable), incomeAccountID: fee.accountID, feeTypeID: fee.id,
                           scheduleID: schedule.id, students: students)
    }

    static func writeFamilies(schoolID: Int64, roster: SimulatedRoster, on connection: PostgresConnection) throws -> [String: Int64] {
        let keys = Array(Set(roster.students.compactMap(\.familyKey))).sorted()
        guard !keys.isEmpty else { return [:] }
        var families: [String: Int64] = [:]
        for row in try connection.query("""
            INSERT INTO families (school_id, family_key) SELECT \(schoolID), k FROM unnest(\(PostgresTextArray(keys))) AS k
            RETURNING family_key, family_id
            """) {
            let (key, id) = try row.decode((String, Int64).self)
            families[key] = id
        }
        return families
    }

    static func writeStudents(schoolID: Int64, roster: SimulatedRoster, families: [String: Int64],
                              on connection: PostgresConnection) throws -> [Int64: (id: Int64, family: Int64?, code: String, name: String, className: String)] {
        let students = roster.students
        let codes = students.indices.map { String(format: "HS%06d", $0 + 1) }
        let rows = try connection.query("""
            INSERT INTO students (school_id, student_code, full_name, normalized_name, class_name, grade, guardian_name, family_id,
                                  virtual_account, status, withdrawn_on, payment_code, payment_serial)
            SELECT \(schoolID), u.c, u.n, u.nn, u.cl, u.g::smallint, nullif(u.gn, ''), u.f, nullif(u.va, ''), CASE WHEN u.a::boolean THEN 'active' ELSE 'withdrawn' END,
                   CASE WHEN u.a::boolean THEN NULL ELSE DATE '2026-09-30' END, u.pc, u.s
            FROM unnest(\(PostgresTextArray(codes)), \(PostgresTextArray(students.map(\.fullName))),
                        \(PostgresTextArray(students.map(\.normalizedName))), \(PostgresTextArray(students.map(\.className))),
                        \(PostgresInt64Array(students.map { Int64(grade(of: $0.className)) })),
                        \(PostgresTextArray(students.map { $0.guardianName ?? "" })),
                        \(PostgresNullableInt64Array(students.map { $0.familyKey.flatMap { families[$0] } })),
                        \(PostgresTextArray(students.map { $0.virtualAccount ?? "" })),
                        \(PostgresTextArray(students.map { $0.isActive ? "t" : "f" })),
                        \(PostgresTextArray(students.map(\.paymentCode))), \(PostgresInt64Array(students.indices.map(Int64.init))))
                 AS u(c, n, nn, cl, g, gn, f, va, a, pc, s)
            RETURNING payment_serial, student_id
            """)
        var byIndex: [Int64: Int64] = [:]
        for row in rows {
            let (serial, id) = try row.decode((Int64, Int64).self)
            byIndex[serial] = id
        }
        try connection.query("""
            INSERT INTO billing_counters (school_id, counter, school_year, last_value) VALUES (\(schoolID), 'student_serial', 0, \(Int64(students.count)))
            """)
        var result: [Int64: (id: Int64, family: Int64?, code: String, name: String, className: String)] = [:]
        for (index, student) in students.enumerated() {
            result[student.id] = (byIndex[Int64(index)]!, student.familyKey.flatMap { families[$0] }, codes[index], student.fullName, student.className)
        }
        return result
    }

    /// The grade a simulated class name stands for: its leading number, or the preschool group.
    static func grade(of className: String) -> Int {
        let digits = className.prefix { $0.isNumber }
        if let grade = Int(digits) { return grade }
        for (index, group) in ["Nhà trẻ", "Mầm", "Chồi", "Lá"].enumerated() where className.hasPrefix(group) { return index }
        return 0
    }
}

/// The simulation's invoices (this month's and last month's arrears), booked in the ledger through
/// `LedgerWriter` in batches, with their lines and gapless numbers. An arrears invoice is written
/// for what it still owes (the simulation does not say how the rest was paid).
enum BenchInvoiceWriter {
    static func write(_ roster: SimulatedRoster, school: BenchSchool, on connection: PostgresConnection) throws -> Int {
        let invoices = roster.invoices
        guard !invoices.isEmpty else { return 0 }
        let ids = try connection.query("SELECT nextval('invoices_invoice_id_seq') FROM generate_series(1, \(invoices.count))")
            .map { try $0.decode(column: 0, as: Int64.self) }
        var requests: [JournalEntryRequest] = []
        for (index, invoice) in invoices.enumerated() {
            let student = school.students[invoice.studentId]!
            requests.append(JournalEntryRequest(
                schoolID: school.school.id, effectiveDate: invoice.period.firstDay, kind: .invoice,
                description: "Hóa đơn \(invoice.paymentCode) học sinh \(student.code)", idempotencyKey: "bench-invoice:\(ids[index])",
                references: EntryReferences(invoiceID: ids[index]),
                postings: [PostingRequest(accountID: school.receivableAccountID, amount: invoice.outstanding,
                                          dimensions: PostingDimensions(studentID: student.id, familyID: student.family, invoiceID: ids[index])),
                           PostingRequest(accountID: school.incomeAccountID, amount: invoice.outstanding.negated,
                                          dimensions: PostingDimensions(studentID: student.id))]))
        }
        var entries: [Int64] = []
        for start in stride(from: 0, to: requests.count, by: BillingLimits.invoicesPerBatchMax) {
            entries += try LedgerWriter.post(Array(requests[start..<min(start + BillingLimits.invoicesPerBatchMax, requests.count)]),
                                             on: connection).map(\.entryID)
        }
        try insert(invoices, ids: ids, entries: entries, school: school, on: connection)
        let year = roster.invoices[0].period.schoolYear
        // Numbers stay gapless; the serial counter is not advanced: the bench database never issues again.
        try connection.query("""
            INSERT INTO billing_counters (school_id, counter, school_year, last_value)
            VALUES (\(school.school.id), 'invoice_number', \(year), \(Int64(invoices.count)))
            """)
        return invoices.count
    }

    static func insert(_ invoices: [MatchInvoice], ids: [Int64], entries: [Int64], school: BenchSchool, on connection: PostgresConnection) throws {
        let students = invoices.map { school.students[$0.studentId]! }
        let year = invoices[0].period.schoolYear
        precondition(invoices.allSatisfy { $0.period.schoolYear == year }, "a bench month and its arrears are one school year")
        try connection.query("""
            INSERT INTO invoices (school_id, invoice_id, school_year, number, student_id, family_id, period, issued_on, due_date,
                                  payment_code, student_code, student_name, class_name, gross, discount, total,
                                  receivable_account_id, entry_id, issued_by)
            SELECT \(school.school.id), u.id, \(year), u.n::int4, u.s, u.f, u.p::date, u.p::date, u.d::date, u.c, u.sc, u.sn, u.cn,
                   u.t, 0, u.t, \(school.receivableAccountID), u.e, 'bench'
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresInt64Array(invoices.indices.map { Int64($0 + 1) })),
                        \(PostgresInt64Array(students.map(\.id))), \(PostgresNullableInt64Array(students.map(\.family))),
                        \(PostgresTextArray(invoices.map(\.period.firstDay.iso))), \(PostgresTextArray(invoices.map(\.dueDate.iso))),
                        \(PostgresTextArray(invoices.map(\.paymentCode))), \(PostgresTextArray(students.map(\.code))),
                        \(PostgresTextArray(students.map(\.name))), \(PostgresTextArray(students.map(\.className))),
                        \(PostgresInt64Array(invoices.map(\.outstanding.dong))), \(PostgresInt64Array(entries)))
                 AS u(id, n, s, f, p, d, c, sc, sn, cn, t, e)
            """)
        try connection.query("""
            INSERT INTO invoice_lines (school_id, invoice_id, line, fee_type_id, schedule_id, gross, discount, net)
            SELECT \(school.school.id), u.i, 1, \(school.feeTypeID), \(school.scheduleID), u.t, 0, u.t
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresInt64Array(invoices.map(\.outstanding.dong)))) AS u(i, t)
            """)
    }
}
