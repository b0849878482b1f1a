/// The SQL other modules compose to read the ledger's facts beside their own rows: read models owned here, so
/// `journal_entries`, `postings` and `dimension_balances` are spelled in this module only. Each function returns a
/// `LEFT JOIN` clause; its arguments are SQL expressions of the caller's query (column references, never values).
public enum LedgerReads {
    /// `alias.balance`: the balance of `dimension` `id` on `account` (no row while nothing was posted).
    public static func dimensionBalanceJoin(as alias: String, school: String, account: String, dimension: Dimension, id: String) -> String {
        """
        LEFT JOIN dimension_balances \(alias) ON \(alias).school_id = \(school) AND \(alias).account_id = \(account)
                                       AND \(alias).dimension = '\(dimension.rawValue)' AND \(alias).dimension_id = \(id)
        """
    }

    /// `alias.balance` as `dimensionBalanceJoin` gives it, probed by primary key row by row: for a handful of
    /// rows (one pupil's invoices). In a prepared statement's generic plan PostgreSQL otherwise scans the
    /// school's whole dimension; `OFFSET 0` keeps the subquery from being flattened back into that join.
    public static func dimensionBalanceProbe(as alias: String, school: String, account: String, dimension: Dimension, id: String) -> String {
        """
        LEFT JOIN LATERAL (SELECT \(alias).balance FROM dimension_balances \(alias)
                           WHERE \(alias).school_id = \(school) AND \(alias).account_id = \(account)
                             AND \(alias).dimension = '\(dimension.rawValue)' AND \(alias).dimension_id = \(id) OFFSET 0) \(alias) ON true
        """
    }

    /// `alias.effective_date` and the other columns of the journal entry `entry`.
    public static func entryJoin(as alias: String, school: String, entry: String) -> String {
        "LEFT JOIN journal_entries \(alias) ON \(alias).school_id = \(school) AND \(alias).entry_id = \(entry)"
    }

    /// `alias.entry_id`: the entry reversing `entry` (no row while it stands).
    public static func reversalJoin(as alias: String, school: String, entry: String) -> String {
        "LEFT JOIN journal_entries \(alias) ON \(alias).school_id = \(school) AND \(alias).reverses_entry_id = \(entry)"
    }

    /// `alias.amount`: the postings of `entry` on `account` for `dimension` `id` (a column of `postings`).
    public static func postingsJoin(as alias: String, school: String, entry: String, account: String, dimension: Dimension, id: String) -> String {
        """
        LEFT JOIN postings \(alias) ON \(alias).school_id = \(school) AND \(alias).entry_id = \(entry)
                              AND \(alias).account_id = \(account) AND \(alias).\(dimension.rawValue)_id = \(id)
        """
    }
}
