import Core
import Postgres

/// The rows that record an import: `statement_imports` (with the counts and the file's SHA-256)
/// and one `bank_statements` row per statement with its balances.
enum StatementRecords {
    struct ImportRow {
        var schoolID: Int64
        var bankAccountID: Int64
        var fileName: String
        var sha256: [UInt8]
        var format: String
        var counts: StatementImportCounts
        var importedBy: String
    }

    static func insertImport(_ row: ImportRow, on connection: PostgresConnection) throws -> Int64 {
        let counts = row.counts
        return try connection.query("""
            INSERT INTO statement_imports (school_id, bank_account_id, file_name, file_sha256, format, lines_total, lines_new, lines_known,
                                           callbacks_confirmed, lines_conflicting, imported_by)
            VALUES (\(row.schoolID), \(row.bankAccountID), \(row.fileName), \(row.sha256), \(row.format), \(counts.linesTotal),
                    \(counts.linesNew), \(counts.linesKnown), \(counts.callbacksConfirmed), \(counts.linesConflicting), \(row.importedBy))
            RETURNING import_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
    }

    static func insertStatements(_ statements: [StatementRecord], importID: Int64, schoolID: Int64, bankAccountID: Int64,
                                 on connection: PostgresConnection) throws {
        guard !statements.isEmpty else { return }
        try connection.query("""
            INSERT INTO bank_statements (school_id, import_id, bank_account_id, reference, opening_balance, opening_date,
                                         closing_balance, closing_date, line_count)
            SELECT \(schoolID), \(importID), \(bankAccountID), NULLIF(u.reference, ''), u.opening, NULLIF(u.opening_date, '')::date,
                   u.closing, NULLIF(u.closing_date, '')::date, u.line_count
            FROM unnest(\(PostgresTextArray(statements.map { $0.reference ?? "" })),
                        \(PostgresNullableInt64Array(statements.map(\.opening))),
                        \(PostgresTextArray(statements.map { $0.openingDate?.iso ?? "" })),
                        \(PostgresNullableInt64Array(statements.map(\.closing))),
                        \(PostgresTextArray(statements.map { $0.closingDate?.iso ?? "" })),
                        \(PostgresInt64Array(statements.map { Int64($0.lineCount) })))
                 WITH ORDINALITY AS u(reference, opening, opening_date, closing, closing_date, line_count, ordinal)
            ORDER BY u.ordinal
            """)
    }

    /// The statement lines that confirmed callbacks, pointing at the callbacks' transactions.
    static func insertConfirmedLines(importID: Int64, schoolID: Int64, bankAccountID: Int64, on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO statement_lines (school_id, bank_account_id, import_id, dedup_key, booked_on, value_date, amount, bank_reference,
                                         customer_reference, memo, bank_transaction_id, outcome)
            SELECT \(schoolID), \(bankAccountID), \(importID), dedup_key, booked_on, value_date, amount, bank_reference, customer_reference,
                   memo, callback_id, 'confirmed_callback'
            FROM statement_staging WHERE class = 'confirmed' ORDER BY seq
            """)
    }
}
