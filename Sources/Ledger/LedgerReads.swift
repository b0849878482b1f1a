import Core
import Postgres

/// The SQL other modules compose to read the ledger's facts beside their own rows: read models owned here, so
/// `journal_entries`, `postings` and `dimension_balances` are spelled in this module only. Each function returns a
/// `LEFT JOIN` clause; its arguments are SQL expressions of the caller's query (column references, never values).
/// The clauses below them that take values (a school, an account, a date) are `PostgresFragment`s: the values
/// travel as parameters of the caller's query. The ones that read `{schools}` are for `SchoolSet.query`.
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

    /// Which balances a grouped read keeps: what is owed to the school (debit, above zero) or held for
    /// someone (credit, below zero).
    public enum BalanceSign: String, Sendable {
        case debit = ">"
        case credit = "<"
    }

    /// `alias.school_id`, `alias.dimension_id`, `alias.balance`: per school of a `SchoolSet` (`{schools}`), the
    /// balance at `asOf` (an SQL date expression such as `$2`) of each `dimension` id on the school's accounts of
    /// `purpose`; only the balances of `sign`.
    ///
    /// An account with nothing dated after `asOf` stands at `asOf` where it stands now: its balances are the
    /// maintained dimension balances, one row per id — the usual case of a report on the current month, read on
    /// every view of a dashboard. An account with postings dated later has its postings dated on or before
    /// `asOf` summed. One index probe per account tells which.
    public static func schoolSetBalances(as alias: String, purpose: AccountPurpose, dimension: Dimension, asOf: String,
                                         sign: BalanceSign) -> String {
        let column = "p.\(dimension.rawValue)_id"
        // `later` is decided once per account (a one-time filter gates each branch): flattened into the joins,
        // the planner probed it once per balance row and still read every posting.
        return """
            (SELECT a.school_id, v.dimension_id, sum(v.amount) AS balance
                FROM \(SchoolSet.schools)
                JOIN accounts a ON a.school_id = sc.school_id AND a.purpose = '\(purpose.rawValue)'
                CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM postings l WHERE l.school_id = a.school_id AND l.account_id = a.account_id
                                                                            AND l.effective_date > \(asOf)) AS later) x
                CROSS JOIN LATERAL (SELECT d.dimension_id, d.balance AS amount FROM dimension_balances d
                                    WHERE NOT x.later AND d.school_id = a.school_id AND d.account_id = a.account_id
                                      AND d.dimension = '\(dimension.rawValue)'
                                    UNION ALL
                                    SELECT \(column), p.amount FROM postings p
                                    WHERE x.later AND p.school_id = a.school_id AND p.account_id = a.account_id
                                      AND p.effective_date <= \(asOf) AND \(column) IS NOT NULL) v
                WHERE {schools}
                GROUP BY 1, 2 HAVING sum(v.amount) \(sign.rawValue) 0) \(alias)
            """
    }

    /// `alias.<dimension>_id` for each of `dimensions`, `alias.balance`: the school's balances at `date` on
    /// `account`, summed from postings dated on or before it and grouped by the dimensions; only those of
    /// `sign`. With one dimension, postings without it are left out; with several, a missing one is a group.
    public static func balancesAsOf(as alias: String, school: Int64, account: Int64, by dimensions: [Dimension], asOf date: CalendarDate,
                                    sign: BalanceSign) -> PostgresFragment {
        let columns = dimensions.map { "\($0.rawValue)_id" }.joined(separator: ", ")
        let present = dimensions.count == 1 ? "AND \(columns) IS NOT NULL" : ""
        return """
            (SELECT \(unescaped: columns), sum(amount) AS balance FROM postings
                  WHERE school_id = \(school) AND account_id = \(account) AND effective_date <= \(date)
                    \(unescaped: present)
                  GROUP BY \(unescaped: columns) HAVING sum(amount) \(unescaped: sign.rawValue) 0) \(unescaped: alias)
            """
    }

    /// `alias.<dimension>_id`, `alias.balance`: `balancesAsOf` over every account of `purpose` of the school.
    public static func balancesAsOf(as alias: String, school: Int64, purpose: AccountPurpose, by dimension: Dimension,
                                    asOf date: CalendarDate, sign: BalanceSign) -> PostgresFragment {
        let column = "p.\(dimension.rawValue)_id"
        return """
            (SELECT \(unescaped: column), sum(p.amount) AS balance
                  FROM accounts a JOIN postings p ON p.school_id = a.school_id AND p.account_id = a.account_id
                  WHERE a.school_id = \(school) AND a.purpose = '\(unescaped: purpose.rawValue)' AND p.effective_date <= \(date)
                    AND \(unescaped: column) IS NOT NULL
                  GROUP BY \(unescaped: column) HAVING sum(p.amount) \(unescaped: sign.rawValue) 0) \(unescaped: alias)
            """
    }

    /// `alias.school_id`, `alias.dimension_id`, `alias.balance`: the school's current (maintained) balances of
    /// `dimension` on `account`, only those of `sign`. A plain subquery: PostgreSQL flattens it into the caller's join.
    public static func dimensionBalances(as alias: String, school: Int64, account: Int64, dimension: Dimension,
                                         sign: BalanceSign) -> PostgresFragment {
        """
        (SELECT school_id, dimension_id, balance FROM dimension_balances
                WHERE school_id = \(school) AND account_id = \(account) AND dimension = '\(unescaped: dimension.rawValue)'
                  AND balance \(unescaped: sign.rawValue) 0) \(unescaped: alias)
        """
    }

    /// `alias.balance` (null without postings) and `alias.postings` (their number): the balance at `date` of the
    /// account `account` (a column of the caller's query) of school `school`, from postings dated on or before it.
    public static func balanceAsOfJoin(as alias: String, school: String, account: String, asOf date: CalendarDate) -> PostgresFragment {
        """
        LEFT JOIN LATERAL (SELECT sum(p.amount) AS balance, count(*) AS postings FROM postings p
                           WHERE p.school_id = \(unescaped: school) AND p.account_id = \(unescaped: account) AND p.effective_date <= \(date)) \(unescaped: alias) ON true
        """
    }

    /// `alias.bank_account_id`, `bank_bin`, `account_number`, `account_id`, `school_id`: the school's bank
    /// accounts. A plain subquery: PostgreSQL flattens it into the caller's query.
    public static func bankAccounts(as alias: String, school: Int64) -> PostgresFragment {
        """
        (SELECT school_id, bank_account_id, bank_bin, account_number, account_id FROM bank_accounts WHERE school_id = \(school)) \(unescaped: alias)
        """
    }

    /// The effective date of the journal entry `entry` of school `school` (SQL expressions), null without one:
    /// a scalar subquery, for a condition on one entry beside a row that names it.
    public static func entryDate(school: String, entry: String) -> String {
        "(SELECT r.effective_date FROM journal_entries r WHERE r.school_id = \(school) AND r.entry_id = \(entry))"
    }
}
