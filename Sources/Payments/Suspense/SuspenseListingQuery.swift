import Billing
import Core
import Ledger
import Postgres
import Reconciliation

/// The accountants' suspense queue of one school: what the bank received (or paid) that no
/// invoice or decision accounts for yet, with the matcher's proposals decided again now against
/// the open invoices, so payments made since the money arrived are taken into account.
public enum Suspense {
    /// Transactions listed at once; a queue longer than this is far beyond a school's month.
    public static let entriesMax = 5_000
    /// Refund candidates offered for one outgoing transaction.
    public static let refundCandidatesMax = 10

    public static func list(school: School, asOf: CalendarDate = VietnamTime.today, on connection: PostgresConnection) throws -> SuspenseListing {
        let (open, isTruncated) = try openTransactions(school: school, only: nil, on: connection)
        let incoming = open.filter { $0.0.direction == .incoming }
        let outgoing = open.filter { $0.0.direction == .outgoing }
        return SuspenseListing(entries: try entries(school: school, open, asOf: asOf, on: connection),
                               incomingCount: incoming.count, incomingTotal: try Money.sum(incoming.map(\.1)),
                               outgoingCount: outgoing.count, outgoingTotal: try Money.sum(outgoing.map(\.1)),
                               isTruncated: isTruncated)
    }

    /// One entry of the queue, or nil when nothing of it is in suspense. Decided alone: each entry of
    /// the listing is decided against the open invoices independently of the others.
    public static func entry(school: School, transactionID: Int64, asOf: CalendarDate = VietnamTime.today,
                             on connection: PostgresConnection) throws -> SuspenseEntry? {
        let (open, _) = try openTransactions(school: school, only: transactionID, on: connection)
        return try entries(school: school, open, asOf: asOf, on: connection).first
    }

    /// The school's transactions with money left in suspense (what is left, positive), in booking
    /// order, at most `entriesMax`; all of them, or only `only`. True when more were left out.
    static func openTransactions(school: School, only: Int64?, on connection: PostgresConnection) throws -> ([(BankTransaction, Money)], Bool) {
        let suspense = try SuspenseLedger.account(schoolID: school.id, purpose: .suspense, on: connection)
        let balances = try LedgerQueries.nonZeroBalances(schoolID: school.id, accountID: suspense, dimension: .bankTransaction,
                                                         id: only, on: connection)
        guard !balances.isEmpty else { return ([], false) }
        let rows = try connection.query("""
            SELECT \(unescaped: BankTransactions.columns) FROM bank_transactions
            WHERE school_id = \(school.id) AND bank_transaction_id = ANY(\(PostgresInt64Array(Array(balances.keys))))
            ORDER BY booked_on, bank_transaction_id
            LIMIT \(entriesMax + 1)
            """)
        var open: [(BankTransaction, Money)] = []
        for row in rows.prefix(entriesMax) {
            let transaction = try BankTransactions.decode(row)
            let balance = balances[transaction.id]!
            let remaining = transaction.direction == .incoming ? balance.negated : balance
            if remaining.isPositive { open.append((transaction, remaining)) }
        }
        return (open, rows.count > entriesMax)
    }

    /// The queue's entries: money in decided by the matcher, then money out with its refund candidates.
    static func entries(school: School, _ open: [(BankTransaction, Money)], asOf: CalendarDate,
                        on connection: PostgresConnection) throws -> [SuspenseEntry] {
        var entries = try incomingEntries(school: school, open.filter { $0.0.direction == .incoming }, asOf: asOf, on: connection)
        for (transaction, remaining) in open where transaction.direction == .outgoing {
            entries.append(SuspenseEntry(
                transaction: transaction, remaining: remaining, ageDays: max(0, transaction.bookedOn.days(until: asOf)), isCertain: false,
                rule: nil, explanation: "Tiền chi ra chưa xác định: ghi nhận hoàn trả hoặc khoản không phải học phí.", proposals: [],
                applications: [], refundCandidateIDs: try refundCandidates(schoolID: school.id, amount: remaining, on: connection)))
        }
        return entries
    }

    /// Money in, each decided by the matcher against the open invoices as they are now: certain
    /// ones first (booking order), then `SuspenseQueue.ranked` (best proposal first).
    static func incomingEntries(school: School, _ incoming: [(BankTransaction, Money)], asOf: CalendarDate,
                                on connection: PostgresConnection) throws -> [SuspenseEntry] {
        guard !incoming.isEmpty else { return [] }
        let context = try SchoolMatchData.full(school: school, on: connection)
        var decisions: [MatchDecision] = []
        var byID: [Int64: (BankTransaction, Money)] = [:]
        for (transaction, remaining) in incoming {
            byID[transaction.id] = (transaction, remaining)
            decisions.append(context.match(MatchTransaction(
                id: transaction.id, amount: remaining, bookingDate: transaction.bookedOn, memo: transaction.memo,
                payerName: transaction.payerName, virtualAccount: transaction.virtualAccount)))
        }
        let certain = decisions.filter(\.isAutomatic)
        let ordered = certain + SuspenseQueue.ranked(decisions)
        let studentOf = try studentsOfInvoices(schoolID: school.id, decisions: ordered, on: connection)
        let applications = try Applications.list(schoolID: school.id, bankTransactionIDs: incoming.map(\.0.id), on: connection)
        return ordered.map { decision in
            let (transaction, remaining) = byID[decision.transactionId]!
            return SuspenseEntry(
                transaction: transaction, remaining: remaining, ageDays: max(0, transaction.bookedOn.days(until: asOf)),
                isCertain: decision.isAutomatic, rule: decision.rule.rawValue, explanation: decision.explanation,
                proposals: proposals(decision, studentOf: studentOf),
                applications: applications[transaction.id] ?? [], refundCandidateIDs: [])
        }
    }

    /// The matcher's decision as proposals the accountant can accept as they are.
    static func proposals(_ decision: MatchDecision, studentOf: [Int64: Int64]) -> [SuspenseProposal] {
        func allocations(_ list: [Allocation]) -> [PaymentAllocation] { list.map { PaymentAllocation(invoiceID: $0.invoiceId, amount: $0.amount) } }
        func holder(_ creditHolder: CreditHolder?, _ allocations: [Allocation], _ students: [Int64]) -> Int64? {
            if case .student(let id)? = creditHolder { return id }
            return allocations.first.flatMap { studentOf[$0.invoiceId] } ?? students.first
        }
        if decision.isAutomatic {
            var holderID: Int64?
            if case .credit(let creditHolder) = decision.remainderDisposition { holderID = holder(creditHolder, decision.allocations, []) }
            let students = Array(Set(decision.allocations.compactMap { studentOf[$0.invoiceId] })).sorted()
            return [SuspenseProposal(rule: decision.rule.rawValue, score: MatchScoring.scoreMax, studentIDs: students,
                                     allocations: allocations(decision.allocations), credit: decision.remainder,
                                     creditStudentID: decision.remainder.isPositive ? holderID ?? students.first : nil,
                                     amountFit: decision.signals.amountFit?.rawValue, explanation: decision.explanation)]
        }
        return decision.proposals.map { proposal in
            SuspenseProposal(rule: proposal.rule.rawValue, score: proposal.score, studentIDs: proposal.studentIds,
                             allocations: allocations(proposal.allocations), credit: proposal.remainder,
                             creditStudentID: proposal.remainder.isPositive
                                ? holder(proposal.creditHolder, proposal.allocations, proposal.studentIds) : nil,
                             amountFit: proposal.amountFit.rawValue, explanation: proposal.explanation)
        }
    }

    /// The student of every invoice the decisions name, in one query.
    static func studentsOfInvoices(schoolID: Int64, decisions: [MatchDecision], on connection: PostgresConnection) throws -> [Int64: Int64] {
        var ids = Set<Int64>()
        for decision in decisions {
            for allocation in decision.allocations { ids.insert(allocation.invoiceId) }
            for proposal in decision.proposals { for allocation in proposal.allocations { ids.insert(allocation.invoiceId) } }
        }
        return try InvoiceQueries.studentIDs(schoolID: schoolID, invoiceIDs: ids.sorted(), on: connection)
    }

    /// Incoming transactions marked refund due whose refund is still owed in full at `amount`.
    static func refundCandidates(schoolID: Int64, amount: Money, on connection: PostgresConnection) throws -> [Int64] {
        let payable = try SuspenseLedger.account(schoolID: schoolID, purpose: .refundsPayable, on: connection)
        return try connection.query("""
            SELECT t.bank_transaction_id FROM bank_transactions t
            \(unescaped: LedgerReads.dimensionBalanceJoin(as: "d", school: "t.school_id", account: String(payable),
                                                         dimension: .bankTransaction, id: "t.bank_transaction_id"))
            WHERE t.school_id = \(schoolID) AND t.disposition = 'refund_due' AND d.balance = \(amount.negated)
            ORDER BY t.booked_on, t.bank_transaction_id LIMIT \(refundCandidatesMax)
            """).map { try $0.decode(column: 0, as: Int64.self) }
    }
}
