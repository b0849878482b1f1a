import Core
import Postgres

/// Recomputes every balance from postings and checks every invariant; `tuition ledger verify`.
///
/// The database enforces the invariants as entries are written; this is the independent second
/// look an auditor (or a test after thousands of random operations) wants: it trusts nothing
/// maintained and derives everything again from the postings.
public enum LedgerVerifier {
    public struct Finding: Hashable, Sendable, Codable, CustomStringConvertible {
        public var schoolID: Int64
        public var check: String
        public var detail: String
        public var description: String { "school \(schoolID): \(check): \(detail)" }
    }

    public struct Report: Sendable, Codable {
        public var schoolsChecked: Int
        public var entriesChecked: Int64
        public var postingsChecked: Int64
        public var findings: [Finding]
        public var isClean: Bool { findings.isEmpty }
    }

    /// Findings are capped so a badly broken ledger still gives a readable report.
    public static let findingsMax = 1_000

    public static func verify(schoolID: Int64? = nil, on connection: PostgresConnection) throws -> Report {
        let schools = try connection.query("SELECT school_id FROM schools WHERE \(schoolID) IS NULL OR school_id = \(schoolID) ORDER BY school_id")
            .map { try $0.decode(column: 0, as: Int64.self) }
        var report = Report(schoolsChecked: schools.count, entriesChecked: 0, postingsChecked: 0, findings: [])
        for school in schools {
            let counts = try connection.query("""
                SELECT (SELECT count(*) FROM journal_entries WHERE school_id = \(school)),
                       (SELECT count(*) FROM postings WHERE school_id = \(school))
                """).singleRow()!.decode((Int64, Int64).self)
            report.entriesChecked += counts.0
            report.postingsChecked += counts.1
            for (check, sql) in checks(school) {
                for row in try connection.query(sql) {
                    guard report.findings.count < findingsMax else { return report }
                    report.findings.append(Finding(schoolID: school, check: check, detail: try row.decode(column: 0, as: String.self)))
                }
            }
        }
        return report
    }

    /// Each check is a query returning one text row per violation.
    static func checks(_ school: Int64) -> [(String, PostgresQuery)] {
        [
            ("entry balances", """
                SELECT 'entry ' || e.entry_id || ' sums to ' || coalesce(sum(p.amount), 0) || ' over ' || count(p.line) || ' postings (declares ' || e.posting_count || ')'
                FROM journal_entries e LEFT JOIN postings p ON p.school_id = e.school_id AND p.entry_id = e.entry_id
                WHERE e.school_id = \(school)
                GROUP BY e.entry_id, e.posting_count
                HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.line) < 2 OR count(p.line) <> e.posting_count
                """),
            ("school balance", """
                SELECT 'all postings sum to ' || sum(amount) FROM postings WHERE school_id = \(school) HAVING sum(amount) <> 0
                """),
            ("maintained account balances", """
                SELECT 'account ' || a.account_id || ' maintained ' || coalesce(b.total, 0) || '/' || coalesce(b.counted, 0)
                       || ' recomputed ' || coalesce(p.total, 0) || '/' || coalesce(p.counted, 0)
                FROM accounts a
                LEFT JOIN (SELECT account_id, sum(balance) AS total, sum(posting_count) AS counted FROM account_balances
                           WHERE school_id = \(school) GROUP BY account_id) b ON b.account_id = a.account_id
                LEFT JOIN (SELECT account_id, sum(amount) AS total, count(*) AS counted FROM postings
                           WHERE school_id = \(school) GROUP BY account_id) p ON p.account_id = a.account_id
                WHERE a.school_id = \(school)
                  AND (coalesce(b.total, 0) <> coalesce(p.total, 0) OR coalesce(b.counted, 0) <> coalesce(p.counted, 0))
                """),
            ("postings on unknown accounts or entries", """
                SELECT 'posting ' || p.entry_id || '/' || p.line || ' refers to a missing account or entry'
                FROM postings p
                LEFT JOIN accounts a ON a.school_id = p.school_id AND a.account_id = p.account_id
                LEFT JOIN journal_entries e ON e.school_id = p.school_id AND e.entry_id = p.entry_id
                WHERE p.school_id = \(school) AND (a.account_id IS NULL OR e.entry_id IS NULL)
                """),
            ("maintained dimension balances", """
                WITH recomputed AS (
                    SELECT account_id, 'student' AS dimension, student_id AS id, sum(amount) AS total, count(*) AS counted
                        FROM postings WHERE school_id = \(school) AND student_id IS NOT NULL GROUP BY 1, 2, 3
                    UNION ALL SELECT account_id, 'family', family_id, sum(amount), count(*)
                        FROM postings WHERE school_id = \(school) AND family_id IS NOT NULL GROUP BY 1, 2, 3
                    UNION ALL SELECT account_id, 'invoice', invoice_id, sum(amount), count(*)
                        FROM postings WHERE school_id = \(school) AND invoice_id IS NOT NULL GROUP BY 1, 2, 3
                    UNION ALL SELECT account_id, 'bank_transaction', bank_transaction_id, sum(amount), count(*)
                        FROM postings WHERE school_id = \(school) AND bank_transaction_id IS NOT NULL GROUP BY 1, 2, 3
                )
                SELECT 'account ' || coalesce(r.account_id, d.account_id) || ' ' || coalesce(r.dimension, d.dimension) || ' '
                       || coalesce(r.id, d.dimension_id) || ' maintained ' || coalesce(d.balance::text, 'none')
                       || ' recomputed ' || coalesce(r.total::text, 'none')
                FROM recomputed r
                FULL JOIN (SELECT * FROM dimension_balances WHERE school_id = \(school)) d
                    ON d.account_id = r.account_id AND d.dimension = r.dimension AND d.dimension_id = r.id
                WHERE d.balance IS DISTINCT FROM r.total OR d.posting_count IS DISTINCT FROM r.counted
                """),
            ("posting dates", """
                SELECT 'posting ' || p.entry_id || '/' || p.line || ' dated ' || p.effective_date || ' but its entry ' || e.effective_date
                FROM postings p JOIN journal_entries e ON e.school_id = p.school_id AND e.entry_id = p.entry_id
                WHERE p.school_id = \(school) AND p.effective_date <> e.effective_date
                """),
            ("closed periods", """
                SELECT 'entry ' || e.entry_id || ' dated ' || e.effective_date || ' was recorded at ' || e.recorded_at
                       || ' after the period was closed at ' || c.happened_at
                FROM journal_entries e
                JOIN LATERAL (SELECT happened_at, closed_through_after FROM period_events
                              WHERE school_id = e.school_id AND action = 'close' AND happened_at < e.recorded_at
                              ORDER BY happened_at DESC LIMIT 1) c ON true
                WHERE e.school_id = \(school) AND e.effective_date <= c.closed_through_after
                  AND NOT EXISTS (SELECT 1 FROM period_events r WHERE r.school_id = e.school_id AND r.action = 'reopen'
                                  AND r.happened_at > c.happened_at AND r.happened_at < e.recorded_at
                                  AND r.closed_through_after < e.effective_date)
                """),
            ("reversals", """
                SELECT 'reversal ' || r.entry_id || ' does not negate entry ' || r.reverses_entry_id
                FROM journal_entries r
                WHERE r.school_id = \(school) AND r.reverses_entry_id IS NOT NULL AND EXISTS (
                    SELECT account_id, sum(amount) FROM postings WHERE school_id = r.school_id
                        AND entry_id IN (r.entry_id, r.reverses_entry_id) GROUP BY account_id HAVING sum(amount) <> 0)
                """),
        ]
    }
}
