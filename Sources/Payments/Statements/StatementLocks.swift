import Postgres

/// The locks that serialise everything deciding whether money on a bank account is already booked.
///
/// - The bank account's lock (7004): EXCLUSIVE for statement and notification imports, which book
///   lines and confirm callbacks against everything recorded on the account; SHARED for the batches
///   of the commit lanes (callbacks, collection notices), so a school's batches run side by side
///   (docs/callbacks.md §6, seventh round) while an import waits for them and they for it. Batches
///   among themselves need no lock for exactly-once: the unique index on the provider's transaction
///   id sees to it.
/// - The account's recognition lock (7005): EXCLUSIVE, only in a batch holding a callback that may
///   be the late announcement of a statement line (`LateCallbacks.recognize`): the claim of a line is
///   an uncommitted audit row, so two batches must not look for unclaimed lines at once.
///
/// Both are taken first in the transaction (before invoices and ledger rows), in ascending account id,
/// the account locks before any recognition lock, and held to its end.
enum StatementLocks {
    static let bankAccountLockClass = AdvisoryLockClass.bankAccount.rawValue
    static let recognitionLockClass = AdvisoryLockClass.lateCallbackRecognition.rawValue

    enum Mode {
        /// Statement and notification imports.
        case exclusive
        /// Callback and notice batches of the commit lanes.
        case shared
    }

    static func lockBankAccount(_ bankAccountID: Int64, mode: Mode, on connection: PostgresConnection) throws {
        let function = mode == .exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared"
        // Written, not awaited: inside a transaction it travels with the next statements (the server takes it
        // before running them), and its error — a lock timeout — is theirs.
        try connection.write("SELECT \(unescaped: function)(\(bankAccountLockClass), \(AdvisoryLockClass.key(bankAccountID)))")
    }

    /// Before looking for a statement line a callback may announce late: one batch at a time per account.
    static func lockRecognition(_ bankAccountID: Int64, on connection: PostgresConnection) throws {
        try connection.write("SELECT pg_advisory_xact_lock(\(recognitionLockClass), \(AdvisoryLockClass.key(bankAccountID)))")
    }
}
