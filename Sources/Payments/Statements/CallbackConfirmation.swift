import Core
import Postgres

/// Finds the staged new lines that confirm provisional callbacks of the bank account (see
/// `CallbackMatcher`), marks them `confirmed` and the callbacks' transactions `confirmed`: the money
/// was booked when the callback arrived and is not booked again.
enum CallbackConfirmation {
    struct Outcome {
        /// Lines that confirmed one of two or more equally good callbacks (the first `reportedItemsMax`).
        var ambiguous: [AmbiguousConfirmation] = []
    }

    static func run(schoolID: Int64, bankAccountID: Int64, file: String, on connection: PostgresConnection) throws -> Outcome {
        guard let range = try StatementStaging.newDateRange(on: connection) else { return Outcome() }
        let window = StatementImportLimits.confirmationWindowDays
        let callbacks = try provisionalCallbacks(schoolID: schoolID, bankAccountID: bankAccountID,
                                                 from: range.lowerBound.adding(days: -window), through: range.upperBound.adding(days: window),
                                                 file: file, on: connection)
        guard !callbacks.isEmpty else { return Outcome() }
        var matcher = CallbackMatcher(callbacks: callbacks, windowDays: window)
        let amounts = Array(Set(callbacks.map(\.amount))).sorted()
        var confirmations: [CallbackMatcher.Confirmation] = []
        var after = 0
        while true {
            let page = try candidateLines(after: after, amounts: amounts, on: connection)
            guard let last = page.last else { break }
            confirmations += matcher.match(page)
            after = last.seq
        }
        try record(confirmations, schoolID: schoolID, on: connection)
        let ambiguous = confirmations.filter { !$0.equallyGood.isEmpty }
        return Outcome(ambiguous: try describe(Array(ambiguous.prefix(StatementImportLimits.reportedItemsMax)), on: connection))
    }

    static func provisionalCallbacks(schoolID: Int64, bankAccountID: Int64, from: CalendarDate, through: CalendarDate, file: String,
                                     on connection: PostgresConnection) throws -> [CallbackMatcher.Callback] {
        let limit = StatementImportLimits.provisionalCallbacksMax
        let rows = try connection.query("""
            SELECT bank_transaction_id, direction = 'in', amount, booked_on, normalized_memo, bank_reference, provider_transaction_id
            FROM bank_transactions
            WHERE school_id = \(schoolID) AND bank_account_id = \(bankAccountID) AND status = 'provisional'
              AND booked_on BETWEEN \(from) AND \(through)
            ORDER BY bank_transaction_id LIMIT \(limit + 1)
            """)
        guard rows.count <= limit else {
            throw StatementImportError(.tooManyCallbacks, file: file,
                                       message: "more than \(limit) provisional callbacks between \(from) and \(through); import shorter statements")
        }
        return try rows.map { row in
            let (id, incoming, amount, booked, memo, reference, providerID) =
                try row.decode((Int64, Bool, Int64, CalendarDate, String, String?, String?).self)
            return CallbackMatcher.Callback(id: id, isIncoming: incoming, amount: amount, day: booked.daysSinceEpoch,
                                            normalizedMemo: Array(memo.utf8), references: [reference, providerID].compactMap { $0 })
        }
    }

    /// The next page of new lines whose amount some callback has, in file order.
    static func candidateLines(after seq: Int, amounts: [Int64], on connection: PostgresConnection) throws -> [CallbackMatcher.Line] {
        try connection.query("""
            SELECT seq, amount, booked_on, bank_reference, customer_reference, normalized_memo FROM statement_staging
            WHERE class = 'new' AND NOT is_fee AND abs(amount) = ANY(\(PostgresInt64Array(amounts))) AND seq > \(seq)
            ORDER BY seq LIMIT \(StatementImportLimits.confirmationPageLines)
            """).map { row in
            let (seq, amount, booked, reference, customerReference, memo) =
                try row.decode((Int, Int64, CalendarDate, String?, String?, String).self)
            return CallbackMatcher.Line(seq: seq, amount: amount, day: booked.daysSinceEpoch, normalizedMemo: Array(memo.utf8),
                                        references: [reference, customerReference].compactMap { $0 })
        }
    }

    static func record(_ confirmations: [CallbackMatcher.Confirmation], schoolID: Int64, on connection: PostgresConnection) throws {
        guard !confirmations.isEmpty else { return }
        let seqs = PostgresInt64Array(confirmations.map { Int64($0.seq) })
        let ids = PostgresInt64Array(confirmations.map(\.callbackID))
        try connection.query("""
            UPDATE statement_staging s SET class = 'confirmed', callback_id = u.callback
            FROM unnest(\(seqs), \(ids)) AS u(seq, callback) WHERE s.seq = u.seq
            """)
        let updated = try connection.query("""
            UPDATE bank_transactions SET status = 'confirmed', confirmed_at = now()
            WHERE school_id = \(schoolID) AND bank_transaction_id = ANY(\(ids)) AND status = 'provisional'
            """).affectedRows
        // The bank account's lock keeps every other import away from these rows.
        precondition(updated == confirmations.count, "confirmed \(updated) callbacks for \(confirmations.count) lines")
    }

    static func describe(_ ambiguous: [CallbackMatcher.Confirmation], on connection: PostgresConnection) throws -> [AmbiguousConfirmation] {
        guard !ambiguous.isEmpty else { return [] }
        var positions: [Int: (Int, String?)] = [:]
        for row in try connection.query("""
            SELECT seq, source_line, xml_path FROM statement_staging WHERE seq = ANY(\(PostgresInt64Array(ambiguous.map { Int64($0.seq) })))
            """) {
            let (seq, line, path) = try row.decode((Int, Int, String?).self)
            positions[seq] = (line, path)
        }
        return ambiguous.map { confirmation in
            let (line, path) = positions[confirmation.seq]!
            return AmbiguousConfirmation(line: line, xmlPath: path, confirmedBankTransactionID: confirmation.callbackID,
                                         otherCandidateIDs: confirmation.equallyGood)
        }
    }
}
