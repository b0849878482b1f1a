import Postgres

/// Applies the new incoming lines that carry valid payment codes, exactly as callbacks are applied:
/// `RealtimeApplication` matches each against the students and invoices its codes name, stores the
/// decision and applies it when automatic (inside a savepoint, so a refusal leaves it in suspense).
///
/// Locking follows the project's order: `lockInvoices` runs before any booking takes the ledger's
/// account rows, and locks, in ascending id, every invoice those codes can reach (the named
/// students', the named invoices' students', and their siblings'), which is a superset of what
/// the applications will touch.
enum StatementApplications {
    static func lockInvoices(schoolID: Int64, codes: [String], on connection: PostgresConnection) throws {
        guard !codes.isEmpty else { return }
        let named = PostgresTextArray(codes)
        try connection.query("""
            WITH named AS (
                SELECT student_id FROM students WHERE school_id = \(schoolID) AND payment_code = ANY(\(named))
                UNION SELECT student_id FROM invoices WHERE school_id = \(schoolID) AND payment_code = ANY(\(named))
            ), reached AS (
                SELECT student_id FROM named
                UNION SELECT s.student_id FROM students s
                WHERE s.school_id = \(schoolID) AND s.family_id IN (SELECT family_id FROM students WHERE school_id = \(schoolID)
                                                                    AND student_id IN (SELECT student_id FROM named))
            )
            SELECT invoice_id FROM invoices
            WHERE school_id = \(schoolID) AND student_id IN (SELECT student_id FROM reached)
            ORDER BY invoice_id FOR UPDATE OF invoices
            """)
    }

    /// Applies each transaction in id (file) order; returns how many were applied to invoices or credit.
    static func apply(schoolID: Int64, transactionIDs: [Int64], progress: StatementImporter.Progress?, progressEveryLines: Int,
                      on connection: PostgresConnection) throws -> Int {
        let applier = RealtimeApplication()
        for (index, id) in transactionIDs.enumerated() {
            _ = try applier.apply(schoolID: schoolID, bankTransactionID: id, on: connection)
            if (index + 1) % progressEveryLines == 0 { progress?(.applied(lines: index + 1, of: transactionIDs.count)) }
        }
        guard !transactionIDs.isEmpty else { return 0 }
        return try connection.query("""
            SELECT count(DISTINCT bank_transaction_id)::bigint FROM payment_applications
            WHERE school_id = \(schoolID) AND bank_transaction_id = ANY(\(PostgresInt64Array(transactionIDs)))
            """).singleRow()!.decode(column: 0, as: Int.self)
    }
}
