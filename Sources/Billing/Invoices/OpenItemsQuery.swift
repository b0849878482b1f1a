import Core
import Postgres

/// What a code owes, in one statement: the code names a pupil (pupil code, then the pupil's payment
/// code) or one invoice (its payment code); the answer is the pupil and the live invoices still
/// owing — all of the pupil's, or only the invoice named — oldest due first. One round trip because
/// a bank's inquiry asks exactly this at a high rate (docs/collection.md); statuses and outstanding
/// amounts come from `InvoiceQueries.selectFewSQL`, the one definition of an invoice read in its per-invoice form.
public enum OpenItemsQuery {
    public struct Answer: Sendable {
        public let studentID: Int64
        public let studentName: String
        /// Oldest due first; empty when nothing is owed.
        public let invoices: [Invoice]
    }

    /// The one statement; `decode` reads its rows (on a worker's connection, or on an event loop's: docs/collection.md).
    public static func query(schoolID: Int64, code: String, invoicesMax: Int) -> PostgresQuery {
        """
            WITH target AS (
                SELECT student_id, NULL::int8 AS invoice_id, 1 AS preference FROM students
                 WHERE school_id = \(schoolID) AND student_code = \(code)
                UNION ALL
                SELECT student_id, NULL::int8, 2 FROM students WHERE school_id = \(schoolID) AND payment_code = \(code)
                UNION ALL
                SELECT student_id, invoice_id, 3 FROM invoices WHERE school_id = \(schoolID) AND payment_code = \(code.uppercased())
                ORDER BY preference LIMIT 1)
            SELECT owing.*, s.student_id, s.full_name
            FROM target t
            JOIN students s ON s.school_id = \(schoolID) AND s.student_id = t.student_id
            LEFT JOIN LATERAL (
                \(unescaped: InvoiceQueries.selectFewSQL)
                WHERE school_id = \(schoolID) AND student_id = t.student_id AND (t.invoice_id IS NULL OR invoice_id = t.invoice_id)
                  AND NOT reversed AND outstanding > 0
                ORDER BY due_date, period, student_code, school_year, number
                LIMIT \(min(max(invoicesMax, 0), BillingLimits.invoicesPerListingMax))) owing ON true
            """
    }

    /// The answer in the rows of `query`; nil when the code names nothing in this school.
    public static func decode(_ rows: PostgresRows) throws -> Answer? {
        guard let first = rows.first else { return nil }
        let columns = InvoiceQueries.columnCount
        let studentID = try first.decode(column: columns, as: Int64.self)
        let name = try first.decode(column: columns + 1, as: String.self)
        // No invoice owing: the one row carries the pupil with NULL invoice columns.
        let invoices = try rows.compactMap { row in try row.decode(column: 0, as: Int64?.self) == nil ? nil : try InvoiceQueries.decode(row) }
        return Answer(studentID: studentID, studentName: name, invoices: invoices)
    }
}
