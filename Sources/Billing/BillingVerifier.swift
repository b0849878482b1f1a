import Ledger
import Postgres

/// An independent look at billing's own invariants, the companion of `LedgerVerifier`: it derives
/// everything again from the rows and the ledger and reports what does not agree.
public enum BillingVerifier {
    /// Findings are capped so a badly broken school still gives a readable report.
    public static let findingsMax = 1_000

    /// Every finding, as text naming the invoice, application or counter; empty when all holds.
    public static func verify(schoolID: Int64, on connection: PostgresConnection) throws -> [String] {
        var findings: [String] = []
        for (check, query) in checks(schoolID) {
            for row in try connection.query(query) {
                guard findings.count < findingsMax else { return findings }
                findings.append("\(check): " + (try row.decode(column: 0, as: String.self)))
            }
        }
        return findings
    }

    static func checks(_ school: Int64) -> [(String, PostgresQuery)] {
        [
            ("invoice lines", """
                SELECT 'invoice ' || i.invoice_id || ' totals ' || i.gross || '/' || i.discount || '/' || i.total || ' but its lines sum to '
                       || coalesce(sum(l.gross), 0) || '/' || coalesce(sum(l.discount), 0) || '/' || coalesce(sum(l.net), 0)
                FROM invoices i LEFT JOIN invoice_lines l ON l.school_id = i.school_id AND l.invoice_id = i.invoice_id
                WHERE i.school_id = \(school) GROUP BY i.invoice_id, i.gross, i.discount, i.total
                HAVING coalesce(sum(l.gross), 0) <> i.gross OR coalesce(sum(l.discount), 0) <> i.discount OR coalesce(sum(l.net), 0) <> i.total
                """),
            ("invoice entries", """
                SELECT 'invoice ' || i.invoice_id || ' total ' || i.total || ' but its entry debits the receivable ' || coalesce(sum(p.amount), 0)
                FROM invoices i \(unescaped: LedgerReads.postingsJoin(as: "p", school: "i.school_id", entry: "i.entry_id",
                                                            account: "i.receivable_account_id", dimension: .invoice, id: "i.invoice_id"))
                WHERE i.school_id = \(school) GROUP BY i.invoice_id, i.total HAVING coalesce(sum(p.amount), 0) <> i.total
                """),
            ("void mirror", """
                SELECT 'invoice ' || i.invoice_id || ' void_entry_id ' || coalesce(i.void_entry_id::text, 'none')
                       || ' but the reversal of its entry is ' || coalesce(r.entry_id::text, 'none')
                FROM invoices i \(unescaped: LedgerReads.reversalJoin(as: "r", school: "i.school_id", entry: "i.entry_id"))
                WHERE i.school_id = \(school) AND i.void_entry_id IS DISTINCT FROM r.entry_id
                """),
            // An application whose entry is also its money's arrival (`PaymentEntries.merged`) and stands unreversed
            // may instead be undone by the move back to suspense (migration 0030).
            ("unapply mirror", """
                SELECT 'application ' || a.application_id || ' unapply_entry_id ' || coalesce(a.unapply_entry_id::text, 'none')
                       || ' but the reversal of its entry is ' || coalesce(r.entry_id::text, 'none')
                FROM payment_applications a \(unescaped: LedgerReads.reversalJoin(as: "r", school: "a.school_id", entry: "a.entry_id"))
                \(unescaped: LedgerReads.entryJoin(as: "e", school: "a.school_id", entry: "a.entry_id"))
                WHERE a.school_id = \(school) AND a.unapply_entry_id IS DISTINCT FROM r.entry_id
                  AND NOT (e.kind = '\(unescaped: EntryKind.paymentReceived.rawValue)' AND r.entry_id IS NULL
                           AND ledger_moves_back_to_suspense(a.school_id, a.entry_id, a.unapply_entry_id, a.bank_transaction_id, a.amount))
                """),
            ("gapless numbers", """
                SELECT c.counter || ' ' || c.school_year || ': counter at ' || c.last_value || ' but ' || coalesce(n.used, 0)
                       || ' numbers used up to ' || coalesce(n.highest, 0)
                FROM billing_counters c
                LEFT JOIN (SELECT 'invoice_number' AS counter, school_year, count(*) AS used, max(number) AS highest
                           FROM invoices WHERE school_id = \(school) GROUP BY school_year
                           UNION ALL
                           SELECT 'receipt_number', school_year, count(*), max(number)
                           FROM receipts WHERE school_id = \(school) GROUP BY school_year) n
                       ON n.counter = c.counter AND n.school_year = c.school_year
                WHERE c.school_id = \(school) AND c.counter IN ('invoice_number', 'receipt_number')
                  AND (coalesce(n.used, 0) <> c.last_value OR coalesce(n.highest, 0) <> c.last_value)
                """),
            ("receipt amounts", """
                SELECT 'receipt ' || r.receipt_id || ' amount ' || r.amount || ' but its applications sum to ' || coalesce(sum(a.amount), 0)
                FROM receipts r LEFT JOIN payment_applications a ON a.school_id = r.school_id AND a.receipt_id = r.receipt_id
                WHERE r.school_id = \(school) GROUP BY r.receipt_id, r.amount HAVING coalesce(sum(a.amount), 0) <> r.amount
                """),
        ]
    }
}
