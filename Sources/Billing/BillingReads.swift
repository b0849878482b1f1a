import Postgres

/// The SQL other modules compose to read billing's facts beside their own rows (Payments' report and statement
/// queries): read models owned here, so `invoices`, `receipts`, `payment_applications`, `students` and `families`
/// are spelled in this module only, as `LedgerReads` does for the ledger's tables. Arguments named for columns are
/// SQL expressions of the caller's query (column references, never values); a school given as a number travels
/// as a parameter (`PostgresFragment`).
public enum BillingReads {
    /// `alias.*` of the invoices of school `school` (every one: the caller filters by period, status...).
    public static func invoicesJoin(as alias: String, school: String) -> String {
        "JOIN invoices \(alias) ON \(alias).school_id = \(school)"
    }

    /// `alias.*` of invoice `invoice` of the school (inner: rows without it are dropped).
    public static func invoiceJoin(as alias: String, school: Int64, invoice: String) -> PostgresFragment {
        "JOIN invoices \(unescaped: alias) ON \(unescaped: alias).school_id = \(school) AND \(unescaped: alias).invoice_id = \(unescaped: invoice)"
    }

    /// `receipts.*` as `receipts` and, per receipt, its payment applications as `applications`, of school `school`:
    /// every cash or bank payment has a receipt dated as its entry (family credit spent has none).
    public static func receiptApplicationsJoin(receipts: String, applications: String, school: String) -> String {
        """
        JOIN receipts \(receipts) ON \(receipts).school_id = \(school)
        JOIN payment_applications \(applications) ON \(applications).school_id = \(receipts).school_id AND \(applications).receipt_id = \(receipts).receipt_id
        """
    }

    /// `alias.family_key` of family `family` of the school (no row without one).
    public static func familyJoin(as alias: String, school: Int64, family: String) -> PostgresFragment {
        "LEFT JOIN families \(unescaped: alias) ON \(unescaped: alias).school_id = \(school) AND \(unescaped: alias).family_id = \(unescaped: family)"
    }

    /// `alias.*` of student `student` of the school (no row without one).
    public static func studentJoin(as alias: String, school: Int64, student: String) -> PostgresFragment {
        "LEFT JOIN students \(unescaped: alias) ON \(unescaped: alias).school_id = \(school) AND \(unescaped: alias).student_id = \(unescaped: student)"
    }

    /// Who speaks for family `family`: the guardian (else the name) of its first student by id; null without one.
    public static func familyContactName(school: Int64, family: String) -> PostgresFragment {
        """
        (SELECT coalesce(m.guardian_name, m.full_name) FROM students m
                             WHERE m.school_id = \(school) AND m.family_id = \(unescaped: family) ORDER BY m.student_id LIMIT 1)
        """
    }

    /// `alias.student_id`, `alias.virtual_account`: the school's students whose virtual account is one of
    /// `candidates` (an SQL text array expression; inner: rows naming none are dropped).
    public static func virtualAccountHoldersJoin(as alias: String, school: Int64, among candidates: String) -> PostgresFragment {
        "JOIN students \(unescaped: alias) ON \(unescaped: alias).school_id = \(school) AND \(unescaped: alias).virtual_account = ANY(\(unescaped: candidates))"
    }
}
