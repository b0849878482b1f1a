import Billing
import Core
import Crypto
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import SchoolFixtures

/// Statements and monthly runs for the reconciliation tests.
extension SuspenseFixture {
    static let finance = Actor(name: "Phòng Tài chính tỉnh", role: .financeOffice)
    static let generatedAt = VietnamTime.instant(try! CalendarDate(iso: "2026-10-02"), hour: 8, minute: 30)

    /// Simulates a statement import: the statement-import code is not in this branch, so the rows an
    /// import writes are inserted directly — one `statement_imports` row, one `bank_statements` row
    /// with the bank's closing balance, and the callbacks the statement lists marked confirmed.
    func importStatement(closingBalance: Int64, closingDate: String, confirming transactions: [Int64], lines: Int? = nil) throws {
        try billing.transaction { connection in
            let bank = try Schools.bankAccounts(schoolID: school.id, on: connection)[0]
            let digest = SHA256Digest.hash(Array("statement \(closingDate) \(closingBalance) \(UUID().uuidString)".utf8))
            let importID = try connection.query("""
                INSERT INTO statement_imports (school_id, bank_account_id, file_name, file_sha256, format, lines_total, lines_new, lines_known,
                                               callbacks_confirmed, lines_conflicting, imported_by)
                VALUES (\(school.id), \(bank.id), \("sao-ke-\(closingDate).sta"), \(digest), 'mt940', \(lines ?? transactions.count), 0, 0,
                        \(transactions.count), 0, 'test')
                RETURNING import_id
                """).singleRow()!.decode(column: 0, as: Int64.self)
            let closing = try CalendarDate(iso: closingDate)
            try connection.query("""
                INSERT INTO bank_statements (school_id, import_id, bank_account_id, reference, opening_balance, opening_date, closing_balance,
                                             closing_date, line_count)
                VALUES (\(school.id), \(importID), \(bank.id), 'STMT', 0, \(closing.calendarMonth.firstDay), \(closingBalance), \(closing),
                        \(lines ?? transactions.count))
                """)
            try connection.query("""
                UPDATE bank_transactions SET status = 'confirmed', confirmed_at = now()
                WHERE school_id = \(school.id) AND bank_transaction_id = ANY(\(PostgresInt64Array(transactions)))
                """)
        }
    }

    /// The bank account's ledger balance at a date.
    func bankBalance(asOf date: String) throws -> Money {
        try pool.withConnection { connection in
            let bank = try Schools.bankAccounts(schoolID: school.id, on: connection)[0]
            return try LedgerQueries.balance(schoolID: school.id, accountID: bank.accountID, asOf: try CalendarDate(iso: date), on: connection) ?? .zero
        }
    }

    func reconcile(_ month: CalendarMonth = BillingFixture.september, close: Bool) throws -> MonthlyRunResult {
        try MonthlyReconciliation(pool: pool).run(schoolID: school.id, month: month, close: close, actor: SuspenseFixture.finance,
                                                  generatedAt: SuspenseFixture.generatedAt)
    }

    func closedThrough() throws -> CalendarDate? {
        try pool.withConnection { try Schools.find(id: school.id, on: $0)!.closedThrough }
    }
}
