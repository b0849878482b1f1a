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
        try BillingBulkLoad.families(schoolID: schoolID, keys: Array(Set(roster.students.compactMap(\.familyKey))).sorted(), on: connection)
    }

    static func writeStudents(schoolID: Int64, roster: SimulatedRoster, families: [String: Int64],
                              on connection: PostgresConnection) throws -> [Int64: (id: Int64, family: Int64?, code: String, name: String, className: String)] {
        let students = roster.students
        let codes = students.indices.map { String(format: "HS%06d", $0 + 1) }
        let ids = try BillingBulkLoad.students(schoolID: schoolID, students.enumerated().map { index, student in
            BillingBulkLoad.StudentRow(code: codes[index], fullName: student.fullName, normalizedName: student.normalizedName,
                                       className: student.className, grade: grade(of: student.className), guardianName: student.guardianName,
                                       virtualAccount: student.virtualAccount, familyID: student.familyKey.flatMap { families[$0] },
                                       isActive: student.isActive, paymentCode: student.paymentCode)
        }, on: connection)
        var result: [Int64: (id: Int64, family: Int64?, code: String, name: String, className: String)] = [:]
        for (index, student) in students.enumerated() {
            result[student.id] = (ids[index], student.familyKey.flatMap { families[$0] }, codes[index], student.fullName, student.className)
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
        let ids = try BillingBulkLoad.invoiceIDs(count: invoices.count, on: connection)
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
        let rows = invoices.indices.map { index in
            let invoice = invoices[index], student = school.students[invoice.studentId]!
            return BillingBulkLoad.InvoiceRow(id: ids[index], studentID: student.id, familyID: student.family, period: invoice.period,
                                              dueDate: invoice.dueDate, paymentCode: invoice.paymentCode, studentCode: student.code,
                                              studentName: student.name, className: student.className, total: invoice.outstanding,
                                              entryID: entries[index])
        }
        try BillingBulkLoad.invoices(schoolID: school.school.id, schoolYear: invoices[0].period.schoolYear,
                                     receivableAccountID: school.receivableAccountID, feeTypeID: school.feeTypeID,
                                     scheduleID: school.scheduleID, rows, on: connection)
        return invoices.count
    }
}
