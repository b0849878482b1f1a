import Core
import Ledger
import Postgres
import Reconciliation

/// Set-based figures over a list of schools, each in one query whatever the number of schools:
/// the monthly report asks them for one school, the province report for hundreds at once.
/// Every table joined is filtered on the school list itself, so the (generic) plan of a prepared
/// statement drives each index by school first instead of scanning a date range of every school.
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
    static func invoiced(schoolIDs: [Int64], from: CalendarMonth, through: CalendarMonth,
                         on connection: PostgresConnection) throws -> [Int64: [CalendarMonth: Money]] {
        var result: [Int64: [CalendarMonth: Money]] = [:]
        for row in try connection.query("""
            SELECT school_id, period, sum(total)::int8 FROM invoices
            WHERE school_id = ANY(\(PostgresInt64Array(schoolIDs))) AND period BETWEEN \(from) AND \(through) AND void_entry_id IS NULL
            GROUP BY school_id, period
            """) {
            let (school, period, amount) = try row.decode((Int64, CalendarMonth, Money).self)
            result[school, default: [:]][period] = amount
        }
        return result
    }

    /// Money collected per school, month and source (`cash`, `bank_transaction`), for entries dated
    /// `from` through `through`; applications unapplied on or before `through` are left out.
    static func collected(schoolIDs: [Int64], from: CalendarDate, through: CalendarDate,
                          on connection: PostgresConnection) throws -> [Int64: [CalendarMonth: (bank: Money, cash: Money)]] {
        var result: [Int64: [CalendarMonth: (bank: Money, cash: Money)]] = [:]
        for row in try connection.query("""
            SELECT a.school_id, date_trunc('month', e.effective_date)::date, a.source, sum(a.amount)::int8
            FROM payment_applications a
            JOIN journal_entries e ON e.school_id = a.school_id AND e.entry_id = a.entry_id
            LEFT JOIN journal_entries r ON r.school_id = a.school_id AND r.entry_id = a.unapply_entry_id
            WHERE a.school_id = ANY(\(PostgresInt64Array(schoolIDs))) AND e.school_id = ANY(\(PostgresInt64Array(schoolIDs)))
              AND a.source IN ('cash', 'bank_transaction') AND e.effective_date BETWEEN \(from) AND \(through) AND (r.entry_id IS NULL OR r.effective_date > \(through))
            GROUP BY 1, 2, 3
            """) {
            let (school, month, source, amount) = try row.decode((Int64, CalendarMonth, String, Money).self)
            var figures = result[school, default: [:]][month] ?? (.zero, .zero)
            if source == "cash" { figures.cash = amount } else { figures.bank = amount }
            result[school, default: [:]][month] = figures
        }
        return result
    }

    /// What every school's invoices still owe at the end of `asOf`: total and number of invoices.
    static func outstanding(schoolIDs: [Int64], asOf: CalendarDate, on connection: PostgresConnection) throws -> [Int64: (amount: Money, count: Int)] {
        var result: [Int64: (amount: Money, count: Int)] = [:]
        for row in try connection.query("""
            SELECT o.school_id, sum(o.owed)::int8, count(*) FROM (
                SELECT p.school_id, p.invoice_id, sum(p.amount) AS owed
                FROM accounts a JOIN postings p ON p.school_id = a.school_id AND p.account_id = a.account_id
                WHERE a.school_id = ANY(\(PostgresInt64Array(schoolIDs))) AND p.school_id = ANY(\(PostgresInt64Array(schoolIDs)))
                  AND a.purpose = 'receivable'
                  AND p.effective_date <= \(asOf) AND p.invoice_id IS NOT NULL
                GROUP BY 1, 2 HAVING sum(p.amount) > 0) o
            GROUP BY 1
            """) {
            let (school, amount, count) = try row.decode((Int64, Money, Int).self)
            result[school] = (amount, count)
        }
        return result
    }

    /// Incoming transactions booked by `asOf` with money left in suspense at `asOf`, per school.
    static func unappliedCounts(schoolIDs: [Int64], asOf: CalendarDate, on connection: PostgresConnection) throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for row in try connection.query("""
            SELECT s.school_id, count(*) FROM (
                SELECT p.school_id, p.bank_transaction_id
                FROM accounts a JOIN postings p ON p.school_id = a.school_id AND p.account_id = a.account_id
                WHERE a.school_id = ANY(\(PostgresInt64Array(schoolIDs))) AND p.school_id = ANY(\(PostgresInt64Array(schoolIDs)))
                  AND a.purpose = 'suspense'
                  AND p.effective_date <= \(asOf) AND p.bank_transaction_id IS NOT NULL
                GROUP BY 1, 2 HAVING sum(p.amount) < 0) s
            JOIN bank_transactions t ON t.school_id = s.school_id AND t.bank_transaction_id = s.bank_transaction_id
            WHERE t.direction = 'in' AND t.booked_on <= \(asOf)
            GROUP BY 1
            """) {
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
