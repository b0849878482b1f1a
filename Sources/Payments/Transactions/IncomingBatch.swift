import Billing
import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Records, books and applies many bank transactions of one school in a few statements, inside the
/// caller's READ COMMITTED transaction: the path of callbacks (committed in groups); new statement
/// lines, booked in bulk by the import, take steps 2–4 through `applyBooked`. Per school, the hot
/// accounts (bank, suspense, receivable) are locked once per batch instead of once per payment.
///
/// 1. insert the transactions (a provider's transaction already recorded is a duplicate: unique index);
/// 2. match the new incoming ones against what they can name for certain (`SchoolMatchData.targeted`),
///    in booking order over running balances (`MatchRun`), so two payments of one invoice in a batch agree;
/// 3. post every booking (Dr bank / Cr suspense, or Dr suspense / Cr bank) and every automatic
///    application in one ledger batch (`PaymentBatch`); an application refused by its checks leaves
///    its money in suspense;
/// 4. store each decision (why) and booking entry on its transaction;
/// 5. leave the receipts and applications to the caller, who sends them after its own writes, last before
///    its COMMIT (`Recorded.receipts`): their statement takes the school's receipt counter.
public enum IncomingBatch {
    public static let transactionsMax = 5_000

    public enum Outcome: Hashable, Sendable {
        /// Newly recorded; `applied` tells whether the matcher applied it (else it waits in suspense).
        case recorded(id: Int64, applied: Bool, explanation: String)
        /// Already recorded; `differs` when the recorded amount, direction or account is not this one's
        /// (the first version stands; the difference is flagged for review in the audit).
        case duplicate(id: Int64, differs: Bool)
    }

    /// One outcome per transaction, in order, and the applications' receipts, which the caller must send
    /// (`PaymentBatch.UnsentReceipts.send`) in the same transaction, after its other writes.
    public struct Recorded {
        public let outcomes: [Outcome]
        public let receipts: PaymentBatch.UnsentReceipts

        /// The outcomes, once the receipts are sent: for a caller with nothing else to write before its COMMIT.
        public func sendingReceipts(on connection: PostgresConnection) throws -> [Outcome] {
            _ = try receipts.send(on: connection)
            return outcomes
        }
    }

    /// `claimed`: the batch's claim when the caller sent it earlier (`sendClaim`), with its other
    /// first reads, in one round trip; nil claims here.
    public static func record(_ transactions: [NewBankTransaction], status: String, school: School,
                              claimed: PostgresPending<Claimed>? = nil, on connection: PostgresConnection) throws -> Recorded {
        guard !transactions.isEmpty else { return Recorded(outcomes: [], receipts: .none) }
        precondition(transactions.count <= transactionsMax && transactions.allSatisfy { $0.schoolID == school.id })
        let claim = try (claimed ?? sendClaim(transactions, on: connection)).get()
        precondition(claim.outcomes.count == transactions.count, "a claim of another batch")
        var outcomes = claim.outcomes
        let fresh = claim.fresh
        guard !fresh.isEmpty else { return Recorded(outcomes: outcomes.map { $0! }, receipts: .none) }
        // Sent before matching, whose first read carries them: one round trip for the three.
        let sentFacts = try SchoolFacts.send(schoolID: school.id, on: connection)
        var seen = MatchedReads()
        let decisions = try match(fresh.map { Payment(transactions[$0.index]).matchInput(id: $0.id) }, school: school,
                                  reads: &seen, on: connection)
        let facts = try sentFacts.get(school: school)
        let bookings = fresh.map { booking(transactions[$0.index], id: $0.id, facts: facts) }
        let (payments, paymentOwners) = try paymentRequests(decisions, payments: fresh.map { Payment(transactions[$0.index]) },
                                                            ids: fresh.map(\.id), facts: facts,
                                                            knownStudentOfInvoice: seen.studentOfInvoice, on: connection)
        // The payment keys name the ids the claim just drew: none can have been applied before.
        // The students, the invoices (locked before they were read) and the accounts were read above in this
        // transaction (matching, school facts): not again — a round trip fewer per batch.
        let (results, postedBookings, receipts) = try PaymentBatch.applyLeavingReceipts(payments, leadingEntries: bookings, keysAreNew: true,
                                                                                         lockedInvoices: seen.invoices, knownStudents: seen.students,
                                                                                         accountIDs: facts.accountIDs, on: connection)
        // Each explanation written once: the ones of applied payments are not first written as in suspense.
        var explanations = [String?](repeating: nil, count: fresh.count)
        var applied = [Bool](repeating: false, count: fresh.count)
        for (result, position) in zip(results, paymentOwners) {
            let decision = decisions[position]!
            switch result {
            case .success:
                applied[position] = true
                explanations[position] = "applied (\(decision.rule.rawValue)): \(decision.explanation)"
            case .failure(let error):
                // Refused by its checks (an invoice paid meanwhile, ...): the money stays in suspense.
                explanations[position] = "in suspense: automatic application refused (\(error.code)): \(decision.explanation)"
            }
        }
        // Written once, complete (booking entry and decision): no follow-up UPDATE of the new rows. Sent, not
        // awaited: the server checks its row count, so it travels with the next statement or the COMMIT —
        // before the receipts, which hold the school's counter.
        try sendInsert(transactions, fresh: fresh, status: status, entries: postedBookings.map(\.entryID), decisions: decisions,
                       on: connection)
        for (position, item) in fresh.enumerated() {
            let explanation = explanations[position] ?? "in suspense: " + (decisions[position]?.explanation ?? "money out, for the accountant")
            outcomes[item.index] = .recorded(id: item.id, applied: applied[position], explanation: explanation)
        }
        return Recorded(outcomes: outcomes.map { $0! }, receipts: receipts)
    }

    /// What the claim finds (`sendClaim`): the duplicates' outcomes (nil for the others) and the new ones
    /// with their ids, ascending in batch order (the rows are inserted by `sendInsert` once booked).
    public struct Claimed: Sendable {
        var outcomes: [Outcome?]
        var fresh: [(index: Int, id: Int64)]
    }

    /// One statement, sent now and read later (`PostgresConnection.send`): the id of each provider
    /// transaction already recorded (its outcome a duplicate) and a new id, drawn from the table's
    /// identity, for each one that is not; a provider transaction repeated in the batch is recorded once,
    /// by its first position. It depends on nothing read in the transaction, so it travels with the
    /// batch's BEGIN and locks.
    public static func sendClaim(_ transactions: [NewBankTransaction], on connection: PostgresConnection) throws -> PostgresPending<Claimed> {
        let providers = transactions.map { transaction -> (String?, String?) in
            if case .callback(let provider, let id) = transaction.origin { return (provider, id) }
            return (nil, nil)
        }
        return try connection.send("""
            SELECT u.position, t.bank_transaction_id, t.amount, t.direction, t.bank_account_id,
                   CASE WHEN t.bank_transaction_id IS NULL THEN nextval(s.seq) END
            -- The identity's sequence looked up once, not once per row (a catalog search each time).
            FROM (SELECT pg_get_serial_sequence('bank_transactions', 'bank_transaction_id')::regclass AS seq) s
            CROSS JOIN unnest(\(PostgresNullableTextArray(providers.map(\.0))), \(PostgresNullableTextArray(providers.map(\.1))),
                        \(PostgresInt64Array(transactions.indices.map(Int64.init)))) AS u(provider, provider_id, position)
            -- One index probe per delivery, whatever the statistics: as a plain join, the prepared
            -- statement's plan, made while the school had few transactions, hashed EVERY transaction of
            -- the school on each claim (0.56 ms at 3,000 rows, growing all year). OFFSET 0 keeps the
            -- subquery a parameterized scan of the unique index.
            LEFT JOIN LATERAL (SELECT bank_transaction_id, amount, direction, bank_account_id FROM bank_transactions
                               WHERE school_id = \(transactions[0].schoolID) AND provider = u.provider
                                 AND provider_transaction_id = u.provider_id OFFSET 0) t ON true
            """) { rows in try claimed(transactions, providers: providers, rows: rows) }
    }

    private static func claimed(_ transactions: [NewBankTransaction], providers: [(String?, String?)], rows: PostgresRows) throws -> Claimed {
        var outcomes = [Outcome?](repeating: nil, count: transactions.count)
        var recorded: [Int: (id: Int64, amount: Int64, direction: String, account: Int64)] = [:]
        var drawn: [Int64] = []
        for row in rows {
            let (position, id, amount, direction, account, new) = try row.decode((Int64, Int64?, Int64?, String?, Int64?, Int64?).self)
            if let id, let amount, let direction, let account { recorded[Int(position)] = (id, amount, direction, account) }
            if let new { drawn.append(new) }
        }
        drawn.sort()
        var fresh: [(index: Int, id: Int64)] = []
        var firstOfKey: [String: Int] = [:]
        for (index, transaction) in transactions.enumerated() {
            if case (let provider?, let providerID?) = providers[index] {
                let key = provider + "\u{0}" + providerID
                if let first = firstOfKey[key] {
                    // Repeated in this batch: a duplicate of its first position's outcome.
                    let firstID = recorded[first]?.id ?? fresh.first(where: { $0.index == first })!.id
                    let original = recorded[first].map { ($0.amount, $0.direction, $0.account) }
                        ?? (transactions[first].amount.dong, transactions[first].direction.rawValue, transactions[first].bankAccountID)
                    outcomes[index] = .duplicate(id: firstID, differs: differs(transaction, from: original))
                    continue
                }
                firstOfKey[key] = index
                if let existing = recorded[index] {
                    outcomes[index] = .duplicate(id: existing.id, differs: differs(transaction, from: (existing.amount, existing.direction, existing.account)))
                    continue
                }
            }
            fresh.append((index, drawn[fresh.count]))
        }
        return Claimed(outcomes: outcomes, fresh: fresh)
    }

    static func differs(_ transaction: NewBankTransaction, from recorded: (amount: Int64, direction: String, account: Int64)) -> Bool {
        recorded.amount != transaction.amount.dong || recorded.direction != transaction.direction.rawValue
            || recorded.account != transaction.bankAccountID
    }

    /// The statement failed its server-side row count (`expect_row_count`, migration 0023): a provider
    /// transaction of the batch was recorded by another transaction meanwhile.
    public static let recordedMeanwhileState = SQLState(rawValue: "TU023")

    /// One multi-row insert of the new transactions with the ids the claim drew, their booking entries
    /// and the matcher's decisions, sent now (`PostgresConnection.send`). A provider transaction that
    /// another transaction (another server process) recorded since the claim meets the unique index and
    /// is skipped; the server checks that every row was inserted (`expect_row_count`: SQLSTATE
    /// `recordedMeanwhileState` otherwise), so the handle need not be read before COMMIT: a failed check
    /// aborts the pipeline, the server skips the COMMIT behind it, and the committer retries each
    /// delivery alone, which then sees its transaction recorded.
    @discardableResult
    static func sendInsert(_ transactions: [NewBankTransaction], fresh: [(index: Int, id: Int64)], status: String, entries: [Int64],
                           decisions: [MatchDecision?], on connection: PostgresConnection) throws -> PostgresPending<Void> {
        let rows = fresh.map { transactions[$0.index] }
        let providers = rows.map { transaction -> (String?, String?) in
            if case .callback(let provider, let id) = transaction.origin { return (provider, id) }
            return (nil, nil)
        }
        let memos = rows.map { String($0.memo.prefix(BankTransactions.memoBytesMax / 4)) }
        let texts = decisions.map { $0.map(DecisionStore.json) }
        let count = fresh.count
        return try connection.send("""
            WITH inserted AS (
            INSERT INTO bank_transactions (school_id, bank_transaction_id, bank_account_id, origin, provider, provider_transaction_id,
                direction, amount, booked_on, occurred_at, memo, normalized_memo, payer_name, payer_account, payer_bank, virtual_account,
                bank_reference, status, confirmed_at, entry_id, match_decision)
            OVERRIDING SYSTEM VALUE
            SELECT \(rows[0].schoolID), u.id, u.account, CASE WHEN u.provider IS NULL THEN 'statement' ELSE 'callback' END,
                   u.provider, u.provider_id, u.direction, u.amount, u.booked::date, u.occurred::timestamptz, u.memo, u.normalized,
                   u.payer, u.payer_account, u.payer_bank, u.virtual, u.reference, \(status),
                   CASE WHEN \(status) = 'confirmed' THEN now() END, u.entry, u.decision::json
            FROM unnest(\(PostgresInt64Array(fresh.map(\.id))), \(PostgresInt64Array(rows.map(\.bankAccountID))),
                        \(PostgresNullableTextArray(providers.map(\.0))), \(PostgresNullableTextArray(providers.map(\.1))),
                        \(PostgresTextArray(rows.map(\.direction.rawValue))), \(PostgresInt64Array(rows.map(\.amount.dong))),
                        \(PostgresTextArray(rows.map(\.bookedOn.iso))), \(PostgresNullableTextArray(rows.map { $0.occurredAt?.postgresText })),
                        \(PostgresTextArray(memos)), \(PostgresTextArray(memos.map(VietnameseText.normalized))),
                        \(PostgresNullableTextArray(rows.map(\.payerName))), \(PostgresNullableTextArray(rows.map(\.payerAccount))),
                        \(PostgresNullableTextArray(rows.map(\.payerBank))), \(PostgresNullableTextArray(rows.map(\.virtualAccount))),
                        \(PostgresNullableTextArray(rows.map(\.bankReference))), \(PostgresInt64Array(entries)),
                        \(PostgresNullableTextArray(texts)))
                 AS u(id, account, provider, provider_id, direction, amount, booked, occurred, memo, normalized, payer, payer_account,
                      payer_bank, virtual, reference, entry, decision)
            -- In the unique index's order: two batches in flight that carry the same provider transactions
            -- wait for each other's rows in one order, never in a cycle (docs/callbacks.md §6, seventh round).
            ORDER BY u.provider, u.provider_id, u.id
            ON CONFLICT (school_id, provider, provider_transaction_id) WHERE provider IS NOT NULL DO NOTHING
            RETURNING bank_transaction_id)
            SELECT expect_row_count((SELECT count(*) FROM inserted), \(Int64(count)), 'bank_transactions')
            """) { _ in }
    }

    /// The matcher's decision for each input (nil for nil: money out), in booking order over running
    /// balances, against what the inputs can name for certain.
    static func match(_ inputs: [MatchTransaction?], school: School, on connection: PostgresConnection) throws -> [MatchDecision?] {
        var reads = MatchedReads()
        return try match(inputs, school: school, reads: &reads, on: connection)
    }

    /// What matching read in this transaction that applying its decisions needs again.
    struct MatchedReads {
        var studentOfInvoice: [Int64: Int64] = [:]
        var students: [Int64: Student] = [:]
        /// The open invoices of the students read, locked before they were read.
        var invoices: [Int64: Invoice] = [:]
    }

    /// `match`, also telling what the matcher read (so applying its decisions need not read it again).
    static func match(_ inputs: [MatchTransaction?], school: School, reads: inout MatchedReads,
                      on connection: PostgresConnection) throws -> [MatchDecision?] {
        let incoming = inputs.compactMap { $0 }
        guard !incoming.isEmpty else { return inputs.map { _ in nil } }
        let (context, students, invoices) = try SchoolMatchData.targeted(school: school, transactions: incoming, on: connection)
        for invoice in context.invoices { reads.studentOfInvoice[invoice.id] = invoice.studentId }
        for student in students { reads.students[student.id] = student }
        for invoice in invoices { reads.invoices[invoice.id] = invoice }
        var run = MatchRun(context: context)
        var decisions: [Int64: MatchDecision] = [:]
        for transaction in MatchRun.bookingOrder(incoming) { decisions[transaction.id] = run.match(transaction) }
        return inputs.map { $0.flatMap { decisions[$0.id] } }
    }

    /// Steps 2–4 for transactions already recorded and booked (new statement lines): matched
    /// together, their automatic applications posted in one ledger batch, the decisions stored.
    /// Returns how many were applied to invoices or credit.
    public static func applyBooked(_ ids: [Int64], school: School, on connection: PostgresConnection) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        precondition(ids.count <= transactionsMax)
        let transactions = try BankTransactions.find(schoolID: school.id, ids: ids, on: connection)
        precondition(transactions.count == ids.count && transactions.allSatisfy { $0.entryID != nil }, "applying transactions not booked")
        let facts = try SchoolFacts.load(school: school, on: connection)
        let decisions = try match(transactions.map { Payment($0).matchInput(id: $0.id) }, school: school, on: connection)
        let (payments, _) = try paymentRequests(decisions, payments: transactions.map { Payment($0) }, ids: transactions.map(\.id),
                                                facts: facts, on: connection)
        let (results, _) = try PaymentBatch.apply(payments, leadingEntries: [], on: connection)
        try storeDecisions(transactions.map(\.id), decisions: decisions, entries: transactions.map { $0.entryID! }, schoolID: school.id,
                           on: connection)
        return results.count { if case .success(let applied) = $0 { return !applied.replayed } else { return false } }
    }

    /// The school's accounts and closed period, read once per batch.
    struct SchoolFacts {
        var bankAccounts: [Int64: Int64]
        var suspense: Int64
        var closedThrough: CalendarDate?
        /// The school's cash, suspense and family credit accounts (`PaymentBatch.accountPurposes`).
        var accountIDs: [AccountPurpose: Int64]

        static func load(school: School, on connection: PostgresConnection) throws -> SchoolFacts {
            try send(schoolID: school.id, on: connection).get(school: school)
        }

        /// The facts' two reads sent now (`PostgresConnection.send`), read by `get(school:)`. They need
        /// only the school's id: a caller may send them before it has read the school.
        static func send(schoolID: Int64, on connection: PostgresConnection) throws -> Sent {
            Sent(banks: try Schools.sendBankAccounts(schoolIDs: [schoolID], on: connection),
                 accounts: try LedgerQueries.sendAccountIDs(schoolID: schoolID, purposes: PaymentBatch.accountPurposes, on: connection))
        }

        struct Sent {
            let banks: PostgresPending<[Int64: [SchoolBankAccount]]>
            let accounts: PostgresPending<[AccountPurpose: Int64]>

            /// `school`: the school whose id the reads were sent for, read in this transaction.
            func get(school: School) throws -> SchoolFacts {
                let banks = try self.banks.get()[school.id] ?? []
                let accountIDs = try accounts.get()
                guard let suspense = accountIDs[.suspense] else { throw LedgerError.unknownAccount(0) }
                // `school` was read in this transaction (callers find it after taking their locks): its closed period is current.
                return SchoolFacts(bankAccounts: Dictionary(uniqueKeysWithValues: banks.map { ($0.id, $0.accountID) }),
                                   suspense: suspense, closedThrough: school.closedThrough, accountIDs: accountIDs)
            }
        }
    }

    static func booking(_ transaction: NewBankTransaction, id: Int64, facts: SchoolFacts) -> JournalEntryRequest {
        guard let bank = facts.bankAccounts[transaction.bankAccountID] else { preconditionFailure("bank account of another school") }
        let signed = transaction.direction == .incoming ? transaction.amount : transaction.amount.negated
        return BankBooking.entry(schoolID: transaction.schoolID, transactionID: id,
                                 effectiveDate: BankTransactions.openDate(transaction.bookedOn, closedThrough: facts.closedThrough),
                                 signed: signed, bankLedgerAccountID: bank, counterpartAccountID: facts.suspense,
                                 description: BankTransactions.description(transaction))
    }

    /// What matching and a payment request need of a bank transaction, new or recorded.
    struct Payment {
        var schoolID: Int64
        var direction: BankDirection
        var amount: Money
        var bookedOn: CalendarDate
        var memo: String
        var payerName: String?
        var virtualAccount: String?
        var bankReference: String?

        /// The matcher's input; nil for money out, which the matcher does not decide.
        func matchInput(id: Int64) -> MatchTransaction? {
            guard direction == .incoming else { return nil }
            return MatchTransaction(id: id, amount: amount, bookingDate: bookedOn, memo: memo, payerName: payerName,
                                    virtualAccount: virtualAccount)
        }
    }

    /// The payments that apply the automatic decisions (with the positions of their decisions); the
    /// students they pay are read for all of them at once.
    static func paymentRequests(_ decisions: [MatchDecision?], payments: [Payment], ids: [Int64], facts: SchoolFacts,
                                knownStudentOfInvoice: [Int64: Int64] = [:],
                                on connection: PostgresConnection) throws -> (requests: [PaymentRequest], owners: [Int]) {
        let automatic = decisions.indices.filter { decisions[$0]?.isAutomatic == true }
        guard let schoolID = payments.first?.schoolID, !automatic.isEmpty else { return ([], []) }
        let students = try DecisionApplication.students(schoolID: schoolID, payments: automatic.map { position in
            (decisions[position]!.allocations, creditHolder(decisions[position]!))
        }, knownStudentOfInvoice: knownStudentOfInvoice, on: connection)
        var requests: [PaymentRequest] = []
        var owners: [Int] = []
        for (position, students) in zip(automatic, students) {
            guard let request = paymentRequest(decisions[position]!, payment: payments[position], id: ids[position], students: students,
                                               facts: facts) else { continue }
            requests.append(request)
            owners.append(position)
        }
        return (requests, owners)
    }

    static func creditHolder(_ decision: MatchDecision) -> CreditHolder? {
        if case .credit(let holder) = decision.remainderDisposition { return holder }
        return nil
    }

    /// The payment that applies an automatic decision; nil when it names no student.
    static func paymentRequest(_ decision: MatchDecision, payment transaction: Payment, id: Int64, students: [Int64],
                               facts: SchoolFacts) -> PaymentRequest? {
        let holder = creditHolder(decision)
        let credit = holder == nil ? Money.zero : decision.remainder
        guard !students.isEmpty else { return nil }
        return PaymentRequest(
            schoolID: transaction.schoolID, source: .bankTransaction(id: id, reference: transaction.bankReference),
            paymentKey: DecisionApplication.paymentKey(bankTransactionID: id),
            receivedOn: BankTransactions.openDate(transaction.bookedOn, closedThrough: facts.closedThrough),
            // The receipt holds fewer characters than the transaction: cut as the statement path cuts.
            payerName: transaction.payerName.flatMap { $0.isEmpty ? nil : StatementText.sanitized($0, characterMax: BillingLimits.nameCharactersMax) }
                ?? "Người chuyển khoản", studentIDs: students,
            allocations: decision.allocations.map { PaymentAllocation(invoiceID: $0.invoiceId, amount: $0.amount) }, credit: credit,
            rule: decision.rule.rawValue, explanation: StatementText.sanitized(decision.explanation, characterMax: BillingLimits.explanationBytesMax),
            recordedBy: DecisionApplication.automaticRecordedBy)
    }

    static func storeDecisions(_ ids: [Int64], decisions: [MatchDecision?], entries: [Int64], schoolID: Int64,
                               on connection: PostgresConnection) throws {
        let texts = decisions.map { $0.map(DecisionStore.json) }
        try connection.query("""
            UPDATE bank_transactions AS t SET entry_id = u.entry, match_decision = u.decision::json
            FROM unnest(\(PostgresInt64Array(ids)), \(PostgresInt64Array(entries)), \(PostgresNullableTextArray(texts))) AS u(id, entry, decision)
            WHERE t.school_id = \(schoolID) AND t.bank_transaction_id = u.id
            """)
    }
}

extension IncomingBatch.Payment {
    init(_ transaction: NewBankTransaction) {
        self.init(schoolID: transaction.schoolID, direction: transaction.direction, amount: transaction.amount, bookedOn: transaction.bookedOn,
                  memo: transaction.memo, payerName: transaction.payerName, virtualAccount: transaction.virtualAccount,
                  bankReference: transaction.bankReference)
    }

    init(_ transaction: BankTransaction) {
        self.init(schoolID: transaction.schoolID, direction: transaction.direction, amount: transaction.amount, bookedOn: transaction.bookedOn,
                  memo: transaction.memo, payerName: transaction.payerName, virtualAccount: transaction.virtualAccount,
                  bankReference: transaction.bankReference)
    }
}
