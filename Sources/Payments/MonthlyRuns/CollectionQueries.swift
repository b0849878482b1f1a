import Core
import Ledger
import Postgres
import Reconciliation

/// The schools a set-based query covers: one school, or those of some managing authorities, or the whole province (nil).
///
/// Each query joins the small `schools` table restricted by `predicate`, so its plan — generic
/// plans of prepared statements included — starts from the schools and reaches every big table
/// through indexes that lead with `school_id`: a handful of index lookups for one school, a hash
/// or per-school index join for hundreds, never a per-row search through a list of ids.
enum SchoolSet: Sendable {
    case school(Int64)
    case authorities([String]?)

    /// Restricts `schools sc`, with parameter $1.
    var predicate: String {
        switch self {
        case .school: return "sc.school_id = $1"
        case .authorities: return "sc.authority_code = ANY(coalesce($1::text[], ARRAY[sc.authority_code]))"
        }
    }

    var parameter: PostgresParameter {
        switch self {
        case .school(let id): return PostgresParameter(id)
        case .authorities(let codes): return codes.map { PostgresParameter(PostgresTextArray($0)) } ?? PostgresParameter(null: .textArray)
        }
    }

    /// `sql` with `{schools}` replaced by the predicate; `parameters` are $2, $3, ...
    func query(_ sql: String, _ parameters: PostgresParameter...) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "{schools}", with: predicate), parameters: [parameter] + parameters)
    }
}

/// Set-based figures over a set of schools, each in one query whatever the number of schools: the
/// monthly report asks them for one school, the province report for hundreds at once.
///
/// Definitions (docs/reconciliation.md):
/// - invoiced: the totals of the invoices billed for a month (their period), not void;
/// - collected: money applied from cash or a bank transaction (to invoices or kept as credit) by
///   entries dated in the month, unless unapplied by the end of the report's month; family credit
///   spent is not new money and is not counted;
/// - outstanding: what the receivable of each invoice still holds at a date (invoices paid in full
///   or void hold nothing);
/// - unapplied: incoming bank transactions booked by a date with money left in suspense at that date.
enum CollectionQueries {
    /// Invoiced per school and billing month, for months `from` through `through`.
    static func invoiced(_ schools: SchoolSet, from: CalendarMonth, through: CalendarMonth,
                         on connection: PostgresConnection) throws -> [Int64: [CalendarMonth: Money]] {
        var result: [Int64: [CalendarMonth: Money]] = [:]
        for row in try connection.query(schools.query("""
            SELECT i.school_id, i.period, sum(i.total)::int8
            FROM schools sc JOIN invoices i ON i.school_id = sc.school_id
            WHERE {schools} AND i.period BETWEEN $2 AND $3 AND i.void_entry_id IS NULL
            GROUP BY 1, 2
            """, PostgresParameter(from), PostgresParameter(through))) {
            let (school, period, amount) = try row.decode((Int64, CalendarMonth, Money).self)
            result[school, default: [:]][period] = amount
        }
        return result
    }

    /// Money collected per school, month and source (`cash`, `bank_transaction`), for entries dated
    /// `from` through `through`; applications unapplied on or before `through` are left out.
    static func collected(_ schools: SchoolSet, from: CalendarDate, through: CalendarDate,
                          on connection: PostgresConnection) throws -> [Int64: [CalendarMonth: (bank: Money, cash: Money)]] {
        try payments(schools, from: from, through: through, on: connection).mapValues { months in
            months.mapValues { (bank: $0.bank, cash: $0.cash) }
        }
    }

    /// Money collected and the number of payments (receipts) that brought it, per school, month and
    /// source: the one definition of "collected" above, which the KPI report counts as well as sums.
    /// Read through receipts: every cash or bank application has one, dated as its entry, and their
    /// (school, date) index finds a month's money without touching the journal.
    static func payments(_ schools: SchoolSet, from: CalendarDate, through: CalendarDate,
                         on connection: PostgresConnection) throws -> [Int64: [CalendarMonth: PaymentTally]] {
        var result: [Int64: [CalendarMonth: PaymentTally]] = [:]
        for row in try connection.query(schools.query("""
            SELECT a.school_id, date_trunc('month', rc.received_on)::date, a.source, sum(a.amount)::int8, count(DISTINCT rc.receipt_id)::int8
            FROM schools sc
            JOIN receipts rc ON rc.school_id = sc.school_id
            JOIN payment_applications a ON a.school_id = rc.school_id AND a.receipt_id = rc.receipt_id
            WHERE {schools} AND rc.received_on BETWEEN $2 AND $3 AND a.source IN ('cash', 'bank_transaction')
              AND (a.unapply_entry_id IS NULL
                   OR (SELECT r.effective_date FROM journal_entries r WHERE r.school_id = a.school_id AND r.entry_id = a.unapply_entry_id) > $3)
            GROUP BY 1, 2, 3
            """, PostgresParameter(from), PostgresParameter(through))) {
            let (school, month, source, amount, count) = try row.decode((Int64, CalendarMonth, String, Money, Int64).self)
            var tally = result[school, default: [:]][month] ?? PaymentTally()
            if source == "cash" {
                tally.cash = amount
                tally.cashCount = Int(count)
            } else {
                tally.bank = amount
                tally.bankCount = Int(count)
            }
            result[school, default: [:]][month] = tally
        }
        return result
    }

    /// What every school's invoices still owe at the end of `asOf`: total and number of invoices.
    static func outstanding(_ schools: SchoolSet, asOf: CalendarDate, on connection: PostgresConnection) throws -> [Int64: (amount: Money, count: Int)] {
        var result: [Int64: (amount: Money, count: Int)] = [:]
        for row in try connection.query(schools.query("""
            SELECT o.school_id, sum(o.owed)::int8, count(*) FROM (
                SELECT p.school_id, p.invoice_id, sum(p.amount) AS owed
                FROM schools sc
                JOIN accounts a ON a.school_id = sc.school_id AND a.purpose = 'receivable'
                JOIN postings p ON p.school_id = a.school_id AND p.account_id = a.account_id
                WHERE {schools} AND p.effective_date <= $2 AND p.invoice_id IS NOT NULL
                GROUP BY 1, 2 HAVING sum(p.amount) > 0) o
            GROUP BY 1
            """, PostgresParameter(asOf))) {
            let (school, amount, count) = try row.decode((Int64, Money, Int).self)
            result[school] = (amount, count)
        }
        return result
    }

    /// Incoming transactions booked by `asOf` with money left in suspense at `asOf`, per school.
    static func unappliedCounts(_ schools: SchoolSet, asOf: CalendarDate, on connection: PostgresConnection) throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for row in try connection.query(schools.query("""
            SELECT s.school_id, count(*) FROM (
                SELECT p.school_id, p.bank_transaction_id
                FROM schools sc
                JOIN accounts a ON a.school_id = sc.school_id AND a.purpose = 'suspense'
                JOIN postings p ON p.school_id = a.school_id AND p.account_id = a.account_id
                WHERE {schools} AND p.effective_date <= $2 AND p.bank_transaction_id IS NOT NULL
                GROUP BY 1, 2 HAVING sum(p.amount) < 0) s
            JOIN bank_transactions t ON t.school_id = s.school_id AND t.bank_transaction_id = s.bank_transaction_id
            WHERE t.direction = 'in' AND t.booked_on <= $2
            GROUP BY 1
            """, PostgresParameter(asOf))) {
            let (school, count) = try row.decode((Int64, Int).self)
            result[school] = count
        }
        return result
    }

    /// The month's figures of one school from the maps above.
    static func figures(school: Int64, month: CalendarMonth, invoiced: [Int64: [CalendarMonth: Money]],
                        collected: [Int64: [CalendarMonth: (bank: Money, cash: Money)]], outstanding: Money) -> CollectionFigures {
        let money = collected[school]?[month] ?? (.zero, .zero)
        return CollectionFigures(invoiced: invoiced[school]?[month] ?? .zero, collectedByBank: money.bank, collectedInCash: money.cash,
                                 outstanding: outstanding)
    }
}

/// What a school collected in a month by bank and in cash: amounts and numbers of payments (receipts).
struct PaymentTally: Hashable, Sendable {
    var bank = Money.zero
    var cash = Money.zero
    var bankCount = 0
    var cashCount = 0
}
