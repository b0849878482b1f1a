import Core
import Crypto
import Postgres

/// Generated bank lines written set-based, for the benches only (`tuition reconcile bench`): confirmed statement
/// lines, their booking entries' ids, and the month's statement. Payments owns the SQL of its tables, so the bench
/// calls this instead of writing them itself; the booking entries themselves come from `BankBooking` through
/// `LedgerWriter`, as an import's do.
public enum PaymentsBulkLoad {
    public struct StatementLineRow: Sendable {
        public var amount: Money
        public var bookedOn: CalendarDate
        public var memo: String
        public var payerName, virtualAccount: String?
        public var bankReference: String

        public init(amount: Money, bookedOn: CalendarDate, memo: String, payerName: String?, virtualAccount: String?, bankReference: String) {
            (self.amount, self.bookedOn, self.memo, self.payerName, self.virtualAccount, self.bankReference) =
                (amount, bookedOn, memo, payerName, virtualAccount, bankReference)
        }
    }

    /// Confirmed incoming statement lines of one bank account; their ids by bank reference.
    public static func statementLines(schoolID: Int64, bankAccountID: Int64, _ lines: [StatementLineRow],
                                      on connection: PostgresConnection) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        for row in try connection.query("""
            INSERT INTO bank_transactions (school_id, bank_account_id, origin, direction, amount, booked_on, memo, normalized_memo, payer_name,
                                           virtual_account, bank_reference, status, confirmed_at)
            SELECT \(schoolID), \(bankAccountID), 'statement', 'in', u.a, u.d::date, u.m, u.nm, nullif(u.p, ''), nullif(u.v, ''), u.r,
                   'confirmed', now()
            FROM unnest(\(PostgresInt64Array(lines.map(\.amount.dong))), \(PostgresTextArray(lines.map(\.bookedOn.iso))),
                        \(PostgresTextArray(lines.map(\.memo))), \(PostgresTextArray(lines.map { VietnameseText.normalized($0.memo) })),
                        \(PostgresTextArray(lines.map { $0.payerName ?? "" })), \(PostgresTextArray(lines.map { $0.virtualAccount ?? "" })),
                        \(PostgresTextArray(lines.map(\.bankReference)))) AS u(a, d, m, nm, p, v, r)
            RETURNING bank_reference, bank_transaction_id
            """) {
            let (reference, id) = try row.decode((String, Int64).self)
            ids[reference] = id
        }
        return ids
    }

    /// Records each line's booking entry (`entries[i]` books `transactionIDs[i]`).
    public static func bookingEntries(schoolID: Int64, transactionIDs: [Int64], entries: [Int64], on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE bank_transactions t SET entry_id = u.e FROM unnest(\(PostgresInt64Array(transactionIDs)), \(PostgresInt64Array(entries))) AS u(i, e)
            WHERE t.school_id = \(schoolID) AND t.bank_transaction_id = u.i
            """)
    }

    /// The month's statement of `lineCount` lines, opening at zero and closing at `closingBalance`, with its import record.
    public static func statement(schoolID: Int64, bankAccountID: Int64, fileName: String, month: CalendarMonth, lineCount: Int,
                                 closingBalance: Money, on connection: PostgresConnection) throws {
        let digest = SHA256Digest.hash(Array("bench statement \(schoolID) \(month.iso)".utf8))
        let importID = try connection.query("""
            INSERT INTO statement_imports (school_id, bank_account_id, file_name, file_sha256, format, lines_total, lines_new, lines_known,
                                           callbacks_confirmed, lines_conflicting, imported_by)
            VALUES (\(schoolID), \(bankAccountID), \(fileName), \(digest), 'mt940', \(lineCount), \(lineCount), 0, 0, 0, 'bench')
            RETURNING import_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
        try connection.query("""
            INSERT INTO bank_statements (school_id, import_id, bank_account_id, reference, opening_balance, opening_date, closing_balance,
                                         closing_date, line_count)
            VALUES (\(schoolID), \(importID), \(bankAccountID), 'BENCH', 0, \(month.firstDay), \(closingBalance), \(month.lastDay), \(lineCount))
            """)
    }
}
