import Billing
import Core
import Ledger
import Postgres
import Reconciliation

/// The first step of a monthly run: the matcher decides again every incoming transaction still
/// (partly) in suspense, against the open invoices as they are now, and applies what has become
/// certain — a code of an invoice issued after the money arrived, a student given a virtual account
/// since. Transactions are decided in booking order against running balances (`MatchRun`), so two
/// of them never count on the same open amount; each application is its own short transaction,
/// which locks the bank transaction, checks nothing moved since it was read, and applies.
enum AutomaticReapplication {
    /// Transactions decided again in one run; more is far beyond a school's month.
    static let transactionsMax = 20_000
    static let recordedBy = "monthly reconciliation"

    /// What the step did: how many transactions it applied, and the school's match context when it
    /// built one and applied nothing (still current, so the report can reuse it).
    struct Outcome {
        var applied: Int
        var unchangedContext: MatchContext?
    }

    static func run(school: School, through date: CalendarDate, pool: PostgresPool) throws -> Outcome {
        let (waiting, decisions, context) = try pool.withConnection { connection -> ([Int64: Money], [MatchDecision], MatchContext?) in
            let waiting = try unapplied(schoolID: school.id, through: date, on: connection)
            guard !waiting.isEmpty else { return ([:], [], nil) }
            var remaining: [Int64: Money] = [:]
            for transaction in waiting { remaining[transaction.id] = transaction.amount }
            let context = try SchoolMatchData.full(school: school, on: connection)
            var run = MatchRun(context: context)
            let decisions = MatchRun.bookingOrder(waiting).map { run.match($0) }.filter(\.isAutomatic)
            return (remaining, decisions, context)
        }
        var applied = 0
        for decision in decisions {
            if try apply(decision, schoolID: school.id, expected: waiting[decision.transactionId]!, pool: pool) { applied += 1 }
        }
        return Outcome(applied: applied, unchangedContext: applied == 0 ? context : nil)
    }

    /// Incoming transactions booked by `date`, without a disposition, with money in suspense now.
    static func unapplied(schoolID: Int64, through date: CalendarDate, on connection: PostgresConnection) throws -> [MatchTransaction] {
        let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
        return try connection.query("""
            SELECT t.bank_transaction_id, (-d.balance)::int8, t.booked_on, t.memo, t.payer_name, t.virtual_account
            FROM \(LedgerReads.dimensionBalances(as: "d", school: schoolID, account: suspense, dimension: .bankTransaction, sign: .credit))
            JOIN bank_transactions t ON t.school_id = d.school_id AND t.bank_transaction_id = d.dimension_id
            WHERE t.direction = 'in' AND t.disposition IS NULL AND t.booked_on <= \(date)
            ORDER BY t.booked_on, t.bank_transaction_id LIMIT \(transactionsMax)
            """).map { row in
            let (id, amount, booked, memo, payer, virtual) = try row.decode((Int64, Money, CalendarDate, String, String?, String?).self)
            return MatchTransaction(id: id, amount: amount, bookingDate: booked, memo: memo, payerName: payer, virtualAccount: virtual)
        }
    }

    /// Applies one certain decision unless the transaction changed since it was read (another
    /// person applied or disposed of it) or Billing refuses (an invoice paid meanwhile): then the
    /// money stays in suspense for the accountant, and the run goes on.
    static func apply(_ decision: MatchDecision, schoolID: Int64, expected: Money, pool: PostgresPool) throws -> Bool {
        do {
            return try pool.transaction(isolation: .readCommitted) { connection in
                let transaction = try SuspenseLedger.lock(schoolID: schoolID, transactionID: decision.transactionId, on: connection)
                let suspense = try SuspenseLedger.account(schoolID: schoolID, purpose: .suspense, on: connection)
                guard transaction.disposition == nil,
                      try SuspenseLedger.remaining(transaction, suspenseAccountID: suspense, on: connection) == expected else { return false }
                var holder: CreditHolder?
                if case .credit(let creditHolder) = decision.remainderDisposition { holder = creditHolder }
                let step = try Suspense.nextStep(schoolID: schoolID, transactionID: transaction.id, on: connection)
                _ = try DecisionApplication.apply(
                    transaction, allocations: decision.allocations, credit: holder == nil ? .zero : decision.remainder, creditHolder: holder,
                    rule: decision.rule.rawValue, explanation: decision.explanation,
                    paymentKey: Suspense.paymentKey(transactionID: transaction.id, step: step), recordedBy: recordedBy, on: connection)
                try DecisionStore.save(decision, schoolID: schoolID, bankTransactionID: transaction.id, on: connection)
                return true
            }
        } catch let error as BillingError {
            // A refusal (the invoice changed) leaves the money in suspense; a database failure is not a refusal.
            if let inner = error.underlyingPostgresError { throw inner }
            return false
        }
    }
}
