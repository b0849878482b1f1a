import Postgres

/// The lock that serialises everything deciding whether money on a bank account is already
/// booked: statement imports, and callbacks checking for a statement line that came first.
/// Taken first in the transaction (before invoices and ledger accounts), held to its end.
enum StatementLocks {
    /// Advisory lock class of bank accounts (7001 periods, 7002 invoice issuing, 7003 payment keys).
    static let bankAccountLockClass: Int32 = 7004

    static func lockBankAccount(_ bankAccountID: Int64, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(\(bankAccountLockClass), \(Int32(bankAccountID % 2_147_483_647)))")
    }
}
