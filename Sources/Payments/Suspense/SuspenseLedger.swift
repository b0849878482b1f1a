import Core
import Ledger
import Postgres

/// How much of a bank transaction waits in suspense, read from the ledger: the balance of the
/// suspense account for the transaction's dimension. Money in is booked Cr suspense, so what waits
/// is minus the balance; money out is booked Dr suspense, so what waits is the balance.
enum SuspenseLedger {
    static func account(schoolID: Int64, purpose: AccountPurpose, on connection: PostgresConnection) throws -> Int64 {
        guard let account = try LedgerQueries.account(schoolID: schoolID, purpose: purpose, on: connection) else {
            throw SuspenseError.unknownAccount("of purpose \(purpose.rawValue)")
        }
        return account.accountID
    }

    /// What of `transaction` is still in suspense now (0 when nothing; never negative for a sound ledger).
    static func remaining(_ transaction: BankTransaction, suspenseAccountID: Int64, on connection: PostgresConnection) throws -> Money {
        let balance = try LedgerQueries.balance(schoolID: transaction.schoolID, accountID: suspenseAccountID, dimension: .bankTransaction,
                                                id: transaction.id, on: connection) ?? .zero
        return transaction.direction == .incoming ? balance.negated : balance
    }

    /// Locks the transaction's row for the rest of the database transaction (every suspense operation
    /// on one bank transaction is serialised here, before any invoice or account is locked).
    static func lock(schoolID: Int64, transactionID: Int64, on connection: PostgresConnection) throws -> BankTransaction {
        guard let row = try connection.query("""
            SELECT \(unescaped: BankTransactions.columns) FROM bank_transactions
            WHERE school_id = \(schoolID) AND bank_transaction_id = \(transactionID) FOR UPDATE
            """).singleRow() else { throw SuspenseError.unknownTransaction(transactionID) }
        return try BankTransactions.decode(row)
    }

    /// The date money decisions about `transaction` are booked on: its booking day, or the first
    /// open day when that month is closed (nothing is ever posted into a closed month).
    static func decisionDate(_ date: CalendarDate, schoolID: Int64, on connection: PostgresConnection) throws -> CalendarDate {
        BankTransactions.openDate(date, closedThrough: try Periods.closedThrough(schoolID: schoolID, on: connection))
    }

    /// The effective date of a journal entry.
    static func entryDate(schoolID: Int64, entryID: Int64, on connection: PostgresConnection) throws -> CalendarDate {
        try LedgerQueries.entryDate(schoolID: schoolID, entryID: entryID, on: connection)
    }
}
