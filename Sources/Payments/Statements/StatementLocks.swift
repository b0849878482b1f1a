import Postgres

/// The lock that serialises everything deciding whether money on a bank account is already
/// booked: statement imports, and callbacks checking for a statement line that came first.
/// Taken first in the transaction (before invoices and ledger accounts), held to its end.
enum StatementLocks {
    static let bankAccountLockClass = AdvisoryLockClass.bankAccount.rawValue

    static func lockBankAccount(_ bankAccountID: Int64, on connection: PostgresConnection) throws {
        // Written, not awaited: inside a transaction it travels with the next statements (the server takes it
        // before running them), and its error — a lock timeout — is theirs.
        try connection.write("SELECT pg_advisory_xact_lock(\(bankAccountLockClass), \(AdvisoryLockClass.key(bankAccountID)))")
    }
}
