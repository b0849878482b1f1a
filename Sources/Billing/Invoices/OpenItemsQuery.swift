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
            \(owing(schoolID: schoolID, student: "t.student_id", invoice: "t.invoice_id", invoicesMax: invoicesMax))
            """
    }

    /// `query` for a code that is a pupil code, the first thing a code is taken for and what banks send
    /// almost always: the same answer, without `query`'s two other probes and their sort (about a quarter
    /// of the statement's database time: docs/collection.md, "The inquiry's statement"). Its rows are read by
    /// `decode` too; none means the code is no pupil code, and `query` answers it.
    public static func query(schoolID: Int64, pupilCode code: String, invoicesMax: Int) -> PostgresQuery {
        """
            SELECT owing.*, s.student_id, s.full_name
            FROM students s
            \(owing(schoolID: schoolID, student: "s.student_id", invoice: "NULL::int8", invoicesMax: invoicesMax))
            WHERE s.school_id = \(schoolID) AND s.student_code = \(code)
            """
    }

    /// The pupil's invoices still owing (only `invoice`, when not NULL), joined to the pupil's row.
    private static func owing(schoolID: Int64, student: String, invoice: String, invoicesMax: Int) -> PostgresFragment {
        """
            LEFT JOIN LATERAL (
                \(unescaped: InvoiceQueries.selectFewSQL)
                WHERE school_id = \(schoolID) AND student_id = \(unescaped: student) AND (\(unescaped: invoice) IS NULL OR invoice_id = \(unescaped: invoice))
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
