import Core
import Postgres

/// A callback that arrives after the statement line for the same money was imported: the line
/// already booked it (a bank transaction of origin `statement`), so the callback must not book it
/// again. The callback ingest asks `recognize` first, inside its transaction; a recognised callback
/// is answered as a duplicate and its delivery audited with verdict `duplicate`, pointing at the
/// statement's transaction — that audit row is also what marks the statement transaction as
/// announced, so a second callback cannot claim it and a retry of this one finds it again.
///
/// Matching mirrors `CallbackMatcher` the other way round: same bank account, direction and amount,
/// the line booked within `confirmationWindowDays` of the callback, ranked by equal reference, then
/// similar memo, then closest date, then lowest id.
public enum LateCallbacks {
    public struct Recognition: Hashable, Sendable {
        /// The statement line's bank transaction, which booked the money.
        public let bankTransactionID: Int64
        public let reason: String
    }

    /// Statement transactions compared with one callback.
    static let candidatesMax = 1_000

    /// A cheap first look for a whole batch of one school, in one statement (an index read per
    /// callback): whether any statement transaction of each callback's account with its amount was
    /// booked within the window. Only for those is `recognize` worth its queries.
    public static func mayHaveStatementLines(_ transactions: [NewBankTransaction], on connection: PostgresConnection) throws -> [Bool] {
        try sendMayHaveStatementLines(transactions, on: connection).get()
    }

    /// `mayHaveStatementLines` sent now and read later (`PostgresConnection.send`).
    static func sendMayHaveStatementLines(_ transactions: [NewBankTransaction], on connection: PostgresConnection) throws -> PostgresPending<[Bool]> {
        guard let schoolID = transactions.first?.schoolID else { return PostgresPending(value: []) }
        precondition(transactions.allSatisfy { $0.schoolID == schoolID }, "one school per look")
        let window = StatementImportLimits.confirmationWindowDays
        let count = transactions.count
        return try connection.send("""
            SELECT u.position FROM unnest(\(PostgresInt64Array(transactions.map(\.bankAccountID))),
                                          \(PostgresTextArray(transactions.map(\.direction.rawValue))),
                                          \(PostgresInt64Array(transactions.map(\.amount.dong))),
                                          \(PostgresTextArray(transactions.map { $0.bookedOn.adding(days: -window).iso })),
                                          \(PostgresTextArray(transactions.map { $0.bookedOn.adding(days: window).iso }))) WITH ORDINALITY
                                   AS u(account, direction, amount, earliest, latest, position)
            WHERE EXISTS (SELECT 1 FROM bank_transactions t
                          WHERE t.school_id = \(schoolID) AND t.bank_account_id = u.account AND t.origin = 'statement'
                            AND t.direction = u.direction AND t.amount = u.amount
                            AND t.booked_on BETWEEN u.earliest::date AND u.latest::date)
            """) { rows in
            var found = [Bool](repeating: false, count: count)
            for row in rows { found[Int(try row.decode(column: 0, as: Int64.self)) - 1] = true }
            return found
        }
    }

    /// The statement transaction that already booked this callback's money, if any. The caller holds
    /// the bank account's statement lock (shared; imports take it exclusive), so a callback and an
    /// import never both book it, and the account's recognition lock (`StatementLocks.lockRecognition`,
    /// exclusive), so two batches in flight never both claim one line.
    ///
    /// `claimedInBatch`: statement transactions recognised for other callbacks of the same group
    /// commit, whose audit rows are not written yet — without them, two equal payments announced
    /// late in one batch would both claim one line, and the second would never be booked.
    static func recognize(_ transaction: NewBankTransaction, claimedInBatch: [Int64: Claim],
                          on connection: PostgresConnection) throws -> Recognition? {
        guard case .callback(let provider, let providerID) = transaction.origin else { return nil }
        // A retry of a callback recorded the ordinary way is the ordinary path's duplicate.
        guard try connection.query("""
            SELECT 1 FROM bank_transactions WHERE school_id = \(transaction.schoolID) AND provider = \(provider)
            AND provider_transaction_id = \(providerID)
            """).isEmpty else { return nil }
        let candidates = try statementCandidates(for: transaction, on: connection)
        guard !candidates.isEmpty else { return nil }
        let claims = try claimed(candidates.map(\.transactionID), schoolID: transaction.schoolID, on: connection)
            .merging(claimedInBatch) { recorded, _ in recorded }
        if let earlier = candidates.first(where: { claims[$0.transactionID] == Claim(provider: provider, transactionID: providerID) }) {
            return Recognition(bankTransactionID: earlier.transactionID, reason: reason(earlier))
        }
        let callback = CallbackMatcher.Callback(
            id: 0, isIncoming: transaction.direction == .incoming, amount: transaction.amount.dong,
            day: transaction.bookedOn.daysSinceEpoch,
            normalizedMemo: Array(StatementText.normalized(String(transaction.memo.prefix(StatementImportLimits.transactionMemoCharactersMax))).utf8),
            references: [transaction.bankReference, providerID].compactMap { $0 })
        let best = candidates.filter { claims[$0.transactionID] == nil }.min { a, b in
            (CallbackMatcher.tier(a.line, callback), abs(a.line.day - callback.day), a.transactionID)
                < (CallbackMatcher.tier(b.line, callback), abs(b.line.day - callback.day), b.transactionID)
        }
        return best.map { Recognition(bankTransactionID: $0.transactionID, reason: reason($0)) }
    }

    struct Candidate {
        var transactionID: Int64
        var importID: Int64
        var bookedOn: CalendarDate
        var line: CallbackMatcher.Line
    }

    /// A callback, by its provider's transaction id, that claimed a statement transaction.
    struct Claim: Hashable {
        var provider: String
        var transactionID: String

        init(provider: String, transactionID: String) {
            self.provider = provider
            self.transactionID = transactionID
        }

        init?(_ transaction: NewBankTransaction) {
            guard case .callback(let provider, let id) = transaction.origin else { return nil }
            self.init(provider: provider, transactionID: id)
        }
    }

    static func statementCandidates(for transaction: NewBankTransaction, on connection: PostgresConnection) throws -> [Candidate] {
        let window = StatementImportLimits.confirmationWindowDays
        return try connection.query("""
            SELECT b.bank_transaction_id, l.import_id, b.booked_on, b.normalized_memo, b.bank_reference
            FROM bank_transactions b
            JOIN statement_lines l ON l.school_id = b.school_id AND l.bank_transaction_id = b.bank_transaction_id AND l.outcome = 'new'
            WHERE b.school_id = \(transaction.schoolID) AND b.bank_account_id = \(transaction.bankAccountID) AND b.origin = 'statement'
              AND b.direction = \(transaction.direction.rawValue) AND b.amount = \(transaction.amount)
              AND b.booked_on BETWEEN \(transaction.bookedOn.adding(days: -window)) AND \(transaction.bookedOn.adding(days: window))
            ORDER BY b.bank_transaction_id LIMIT \(candidatesMax)
            """).map { row in
            let (id, importID, booked, memo, reference) = try row.decode((Int64, Int64, CalendarDate, String, String?).self)
            let signed = transaction.direction == .incoming ? transaction.amount.dong : -transaction.amount.dong
            return Candidate(transactionID: id, importID: importID, bookedOn: booked,
                             line: CallbackMatcher.Line(seq: 0, amount: signed, day: booked.daysSinceEpoch, normalizedMemo: Array(memo.utf8),
                                                        references: [reference].compactMap { $0 }))
        }
    }

    /// Which of these statement transactions a callback already claimed (recorded as a duplicate delivery).
    static func claimed(_ ids: [Int64], schoolID: Int64, on connection: PostgresConnection) throws -> [Int64: Claim] {
        var claims: [Int64: Claim] = [:]
        for row in try connection.query("""
            SELECT bank_transaction_id, provider, provider_transaction_id FROM callback_deliveries
            WHERE school_id = \(schoolID) AND verdict = 'duplicate' AND provider_transaction_id IS NOT NULL
              AND bank_transaction_id = ANY(\(PostgresInt64Array(ids)))
            """) {
            let (id, provider, transactionID) = try row.decode((Int64, String, String).self)
            claims[id] = Claim(provider: provider, transactionID: transactionID)
        }
        return claims
    }

    static func reason(_ candidate: Candidate) -> String {
        "already booked from the statement line of import \(candidate.importID) dated \(candidate.bookedOn) "
            + "(bank transaction \(candidate.transactionID)); this callback is its late announcement"
    }
}
