import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import SchoolFixtures
import TestSupport

/// A school with four students and their September invoices (500.000 đ each), bank callbacks
/// through the `tuition` scheme, and helpers for the suspense queue and the monthly run.
struct SuspenseFixture: Sendable {
    let callbacks: CallbackFixture
    let an: Student, binh: Student, chi: Student, dung: Student
    static let accountant = "kế toán Hoa"

    var billing: BillingFixture { callbacks.billing }
    var pool: PostgresPool { callbacks.pool }
    var school: School { callbacks.school }

    init(poolSize: Int = 4) throws {
        callbacks = try CallbackFixture(poolSize: poolSize)
        let billing = callbacks.billing
        try billing.addFee("HP", amount: 500_000)
        an = try billing.addStudent("HS001", name: "Nguyễn Văn An", family: "NGUYEN-1")
        binh = try billing.addStudent("HS002", name: "Nguyễn Thị Bình", grade: 8, className: "8A2", family: "NGUYEN-1")
        chi = try billing.addStudent("HS003", name: "Trần Minh Chí", guardian: "Trần Văn Tâm")
        dung = try billing.addStudent("HS004", name: "Lê Hoàng Dũng", guardian: "Lê Văn Hùng")
        _ = try billing.issue()
    }

    /// The student's September invoice as it stands now.
    func invoice(_ student: Student) throws -> Invoice {
        try billing.invoices(InvoiceFilter(studentID: student.id)).first { $0.period == BillingFixture.september }
            .map { try billing.invoice($0.id) }!
    }

    /// Delivers a callback (money in) and returns its bank transaction id.
    func receive(_ id: String, _ amount: Int64, memo: String, payer: String? = "NGUYEN VAN BINH",
                 on date: String = "2026-09-15") throws -> Int64 {
        let result = callbacks.deliver(CallbackFixture.body(id: id, amount: amount, memo: memo, payer: payer, bookedAt: "\(date)T10:21:07+07:00"))
        guard let transaction = result.bankTransactionID, result.outcome == .accepted else {
            throw FixtureFailure("callback \(id) was not recorded: \(result.outcome) \(result.reason ?? "")")
        }
        return transaction
    }

    /// Records a statement line no callback announced (money out, or in) and books it.
    func statementLine(_ direction: BankDirection, _ amount: Int64, memo: String, on date: String, reference: String) throws -> Int64 {
        try billing.transaction { connection in
            let bank = try Schools.bankAccounts(schoolID: school.id, on: connection)[0]
            let outcome = try IncomingBatch.record([NewBankTransaction(
                schoolID: school.id, bankAccountID: bank.id, origin: .statement, direction: direction, amount: Money(dong: amount),
                bookedOn: try CalendarDate(iso: date), memo: memo, bankReference: reference)], status: "confirmed", school: school, on: connection)
                .sendingReceipts(on: connection)[0]
            guard case .recorded(let id, _, _) = outcome else { preconditionFailure("a statement line is always recorded") }
            return id
        }
    }

    func remaining(_ transaction: Int64) throws -> Money {
        try pool.withConnection { connection in
            let row = try connection.query("""
                SELECT t.direction, coalesce(d.balance, 0)::int8 FROM bank_transactions t
                LEFT JOIN dimension_balances d ON d.school_id = t.school_id AND d.dimension = 'bank_transaction'
                     AND d.dimension_id = t.bank_transaction_id
                     AND d.account_id = (SELECT account_id FROM accounts WHERE school_id = t.school_id AND purpose = 'suspense')
                WHERE t.school_id = \(school.id) AND t.bank_transaction_id = \(transaction)
                """).singleRow()!
            let (direction, balance) = try row.decode((String, Money).self)
            return direction == "in" ? balance.negated : balance
        }
    }

    func balance(_ purpose: AccountPurpose, transaction: Int64? = nil) throws -> Money {
        try pool.withConnection { connection in
            let account = try LedgerQueries.account(schoolID: school.id, purpose: purpose, on: connection)!
            if let transaction {
                return try LedgerQueries.balance(schoolID: school.id, accountID: account.accountID, dimension: .bankTransaction,
                                                 id: transaction, on: connection) ?? .zero
            }
            return account.balance ?? .zero
        }
    }

    func list() throws -> SuspenseListing {
        try pool.withConnection { try Suspense.list(school: school, asOf: try CalendarDate(iso: "2026-09-30"), on: $0) }
    }

    func apply(_ transaction: Int64, _ request: SuspenseApplicationRequest) throws -> PaymentApplicationResult {
        try billing.transaction { connection in
            try Suspense.apply(schoolID: school.id, transactionID: transaction, request, recordedBy: SuspenseFixture.accountant, on: connection)
        }
    }

    func allocation(_ student: Student, _ amount: Int64) throws -> PaymentAllocation {
        PaymentAllocation(invoiceID: try invoice(student).id, amount: Money(dong: amount))
    }

    func count(_ sql: String) throws -> Int64 { try callbacks.count(sql) }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
