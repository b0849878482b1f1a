import Billing
import Core
import Ledger
import Postgres
import TestSupport

/// Shared by the Billing, Payments and API tests.
/// A fresh database with one school, its default chart, and helpers to bill it.
public struct BillingFixture: Sendable {
    public let database: TestDatabase
    public let pool: PostgresPool
    public let school: School

    public static let september = try! CalendarMonth(year: 2026, month: 9)
    public static let october = try! CalendarMonth(year: 2026, month: 10)
    public static let november = try! CalendarMonth(year: 2026, month: 11)

    /// Non-public by default: the fixture bills tuition in 2026–27, which public schools no longer charge.
    public init(level: SchoolLevel = .lowerSecondary, ownership: SchoolOwnership = .nonPublic, areaClass: AreaClass = .rural,
                poolSize: Int = 4) throws {
        database = try TestDatabase.create()
        pool = database.pool(size: poolSize)
        let newSchool = NewSchool(code: "TRUONG-1", name: "Trường Thử Nghiệm", district: "Quận 1", level: level, ownership: ownership,
                                  areaClass: areaClass, paymentCodePrefix: "HP",
                                  bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "0011001234567", holderName: "TRUONG THU NGHIEM")])
        school = try pool.transaction(isolation: .readCommitted) { try Schools.create(newSchool, on: $0) }
    }

    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.transaction(isolation: .readCommitted, retries: 0, body)
    }

    @discardableResult
    public func addFee(_ code: String, kind: FeeKind = .tuition, amount: Int64, scope: FeeScheduleScope = .school,
                months: [Int] = FeeScheduleInput.septemberToMay, dueDay: Int = 10) throws -> FeeType {
        try transaction { connection in
            let fee = try FeeTypes.find(schoolID: school.id, code: code, on: connection)
                ?? FeeTypes.add(schoolID: school.id, code: code, name: "Phí \(code)", kind: kind, on: connection)
            try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(feeTypeID: fee.id, schoolYear: 2026, scope: scope,
                                                                       monthlyAmount: Money(dong: amount), billableMonths: months, dueDay: dueDay),
                                 on: connection)
            return fee
        }
    }

    @discardableResult
    public func addStudent(_ code: String, name: String = "Nguyễn Văn An", grade: Int = 6, className: String = "6A1", family: String? = nil,
                    category: String = "standard", guardian: String = "Nguyễn Văn Bình", virtualAccount: String? = nil) throws -> Student {
        try transaction { connection in
            try Students.create(schoolID: school.id, StudentDetails(code: code, fullName: name, dateOfBirth: try CalendarDate(iso: "2014-03-02"),
                                                                    className: className, grade: grade, category: category,
                                                                    guardianName: guardian, guardianPhone: "0912345678",
                                                                    familyKey: family, virtualAccount: virtualAccount),
                                changedBy: "test", on: connection)
        }
    }

    public func issue(_ period: CalendarMonth = BillingFixture.september) throws -> IssueSummary {
        try InvoiceIssuer.issue(schoolID: school.id, period: period, issuedOn: try CalendarDate(iso: "2026-09-01"), issuedBy: "test", pool: pool)
    }

    public func invoices(_ filter: InvoiceFilter = InvoiceFilter()) throws -> [Invoice] {
        try pool.withConnection { try InvoiceQueries.list(schoolID: school.id, filter: filter, on: $0) }
    }

    public func invoice(_ id: Int64) throws -> Invoice {
        try pool.withConnection { try InvoiceQueries.invoice(schoolID: school.id, id: id, on: $0)! }
    }

    public func pay(_ students: [Student], _ amount: Int64, allocations: [PaymentAllocation]? = nil, key: String? = nil,
             date: String = "2026-09-20") throws -> PaymentApplicationResult {
        try transaction { connection in
            try CashReceipts.record(CashPayment(schoolID: school.id, studentIDs: students.map(\.id), amount: Money(dong: amount),
                                                payerName: "Trần Thị Hoa", receivedOn: try CalendarDate(iso: date), allocations: allocations,
                                                recordedBy: "kế toán", paymentKey: key), on: connection)
        }
    }

    public func account(_ purpose: AccountPurpose) throws -> Int64 {
        try pool.withConnection { try LedgerQueries.account(schoolID: school.id, purpose: purpose, on: $0)!.accountID }
    }

    public func credit(of student: Student) throws -> Money {
        try pool.withConnection { try Applications.creditBalance(schoolID: school.id, familyID: student.familyID, studentID: student.id, on: $0) }
    }

    /// What the ledger verifier and the billing verifier found.
    public struct Verification: CustomStringConvertible {
        public var ledger: LedgerVerifier.Report
        public var billing: [String]
        public var isClean: Bool { ledger.isClean && billing.isEmpty }
        public var description: String { (ledger.findings.map(\.description) + billing).joined(separator: "\n") }
    }

    public func verify() throws -> Verification {
        try pool.withConnection { connection in
            Verification(ledger: try LedgerVerifier.verify(schoolID: school.id, on: connection),
                         billing: try BillingVerifier.verify(schoolID: school.id, on: connection))
        }
    }
}
