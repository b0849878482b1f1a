import Billing
import Core
import Ledger
import Postgres
import Reconciliation

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
            FROM \(SchoolSet.schools) \(BillingReads.invoicesJoin(as: "i", school: "sc.school_id"))
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
            FROM \(SchoolSet.schools)
            \(BillingReads.receiptApplicationsJoin(receipts: "rc", applications: "a", school: "sc.school_id"))
            WHERE {schools} AND rc.received_on BETWEEN $2 AND $3 AND a.source IN ('cash', 'bank_transaction')
              AND (a.unapply_entry_id IS NULL
                   OR \(LedgerReads.entryDate(school: "a.school_id", entry: "a.unapply_entry_id")) > $3)
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
            SELECT o.school_id, sum(o.balance)::int8, count(*)
            FROM \(LedgerReads.schoolSetBalances(as: "o", purpose: .receivable, dimension: .invoice, asOf: "$2", sign: .debit))
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
            SELECT s.school_id, count(*)
            FROM \(LedgerReads.schoolSetBalances(as: "s", purpose: .suspense, dimension: .bankTransaction, asOf: "$2", sign: .credit))
            JOIN bank_transactions t ON t.school_id = s.school_id AND t.bank_transaction_id = s.dimension_id
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
