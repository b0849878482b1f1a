import Billing
import Ledger
import Postgres

/// Applies the new incoming lines that carry valid payment codes, exactly as callbacks are applied:
/// `IncomingBatch.applyBooked` matches them against the students and invoices their codes name,
/// stores the decisions and posts the automatic ones in one ledger batch (a refused one stays in suspense).
///
/// Locking follows the project's order: `lockInvoices` runs before any booking takes the ledger's
/// account rows, and locks, in ascending id, every invoice those codes can reach (the named
/// students', the named invoices' students', and their siblings'), which is a superset of what
/// the applications will touch.
enum StatementApplications {
    static func lockInvoices(schoolID: Int64, codes: [String], virtualAccounts: [String] = [], on connection: PostgresConnection) throws {
        guard !codes.isEmpty || !virtualAccounts.isEmpty else { return }
        try PaymentBatch.lockInvoices(schoolID: schoolID, ofStudentsIn: Students.reached(schoolID: schoolID, paymentCodes: codes,
                                                                                         virtualAccounts: virtualAccounts), on: connection)
        try connection.flushPipeline()
    }

    /// Applies the transactions in batches of `IncomingBatch.transactionsMax`, as callbacks are applied;
    /// returns how many were applied to invoices or credit.
    static func apply(school: School, transactionIDs: [Int64], progress: StatementImporter.Progress?,
                      on connection: PostgresConnection) throws -> Int {
        var applied = 0
        var done = 0
        for start in stride(from: 0, to: transactionIDs.count, by: IncomingBatch.transactionsMax) {
            let batch = Array(transactionIDs[start..<min(start + IncomingBatch.transactionsMax, transactionIDs.count)])
            applied += try IncomingBatch.applyBooked(batch, school: school, on: connection)
            done += batch.count
            progress?(.applied(lines: done, of: transactionIDs.count))
        }
        return applied
    }
}
