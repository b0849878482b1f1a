import Postgres

/// Gapless counters kept in `billing_counters`, advanced inside the caller's transaction.
///
/// The counter row is locked by the update until the transaction ends, so numbers are handed out
/// in commit order and a rollback gives them back: issued numbers have no gaps.
enum BillingCounter: String {
    /// Serials of students' standing payment codes (per school, all years).
    case studentSerial = "student_serial"
    /// Serials of invoices' payment codes (per school, all years).
    case invoiceSerial = "invoice_serial"
    /// Invoice numbers (per school and school year).
    case invoiceNumber = "invoice_number"
    /// Receipt numbers (per school and school year).
    case receiptNumber = "receipt_number"

    /// Reserves `count` consecutive values and returns the first; the last is `first + count - 1`.
    /// `schoolYear` is 0 for counters that are not per year.
    static func reserve(_ counter: BillingCounter, schoolID: Int64, schoolYear: Int, count: Int,
                        on connection: PostgresConnection) throws -> Int64 {
        let row = try connection.query("""
            WITH reserved AS (\(reservation(counter, schoolID: schoolID, schoolYear: schoolYear, count: count))) SELECT before + 1 FROM reserved
            """).singleRow()!
        return try row.decode(column: 0, as: Int64.self)
    }

    /// The reservation as a statement to use in a `WITH` clause: it returns one row, `before`, the value
    /// before the `count` reserved (so they are `before + 1 ... before + count`). A caller that writes the
    /// numbered rows in the same statement holds the counter's row from then to its commit only
    /// (`PaymentBatch`, docs/callbacks.md §6, seventh round).
    static func reservation(_ counter: BillingCounter, schoolID: Int64, schoolYear: Int, count: Int) -> PostgresFragment {
        precondition(count >= 1)
        return """
            INSERT INTO billing_counters AS c (school_id, counter, school_year, last_value)
            VALUES (\(schoolID), \(counter.rawValue), \(schoolYear), \(Int64(count)))
            ON CONFLICT (school_id, counter, school_year) DO UPDATE SET last_value = c.last_value + EXCLUDED.last_value
            RETURNING last_value - \(Int64(count)) AS before
            """
    }
}
