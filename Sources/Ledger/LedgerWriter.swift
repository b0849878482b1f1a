import Core
import Crypto
import Postgres

/// Records journal entries inside the caller's transaction, so a service can record an invoice
/// and its entry, or a payment and its applications, atomically.
///
/// One round trip per batch when the ledger knows nothing of its keys, two otherwise. The accounts
/// are checked and the history of the idempotency keys is read: a key already recorded is a replay
/// or a conflict, a key that failed before fails again. The new entries and all their postings are
/// inserted in one statement — the same statement as the read, which inserts only when the read
/// finds the batch clean (the usual case); otherwise a second statement inserts the entries left
/// once replays and refusals are decided. The postings trigger
/// adds them to the balances in account order (the fixed lock order that keeps concurrent writers
/// free of deadlocks), in the shard of the writing transaction — so writers of one hot account
/// rarely wait for each other. The database re-checks every invariant (balance, closed period,
/// same school).
public enum LedgerWriter {
    /// Records `requests` (all of one school) and returns one result per request, in order.
    public static func post(_ requests: [JournalEntryRequest], on connection: PostgresConnection) throws(LedgerError) -> [PostedEntry] {
        guard let first = requests.first else { return [] }
        precondition(requests.count <= LedgerLimits.entriesPerBatchMax, "batch larger than entriesPerBatchMax")
        let schoolID = first.schoolID
        for request in requests {
            precondition(request.schoolID == schoolID, "a ledger batch belongs to one school")
            try request.validate()
        }
        do {
            let hashes = requests.map(\.requestHash)
            let history: History
            if Set(requests.map(\.idempotencyKey)).count == requests.count {
                // One round trip when the ledger knows nothing of these keys (the usual case).
                let attempt = try insert(schoolID: schoolID, requests: requests, hashes: hashes, fresh: Array(requests.indices),
                                         resolvedBeforehand: false, on: connection)
                if attempt.clean {
                    var results = [PostedEntry?](repeating: nil, count: requests.count)
                    try resolveInserted(requests, hashes: hashes, fresh: Array(requests.indices), inserted: attempt.inserted,
                                        results: &results, schoolID: schoolID, on: connection)
                    return results.map { $0! }
                }
                let (accountIDs, reversedIDs) = lookedUp(requests)
                history = try attempt.checked(schoolID: schoolID, accountIDs: accountIDs, reversedIDs: reversedIDs)
            } else {
                history = try checkAccountsAndReadHistory(schoolID: schoolID, requests: requests, on: connection)
            }
            var results = try resolve(requests, hashes: hashes, history: history)
            let fresh = requests.indices.filter { results[$0] == nil }
            if !fresh.isEmpty {
                let attempt = try insert(schoolID: schoolID, requests: requests, hashes: hashes, fresh: fresh,
                                         resolvedBeforehand: true, on: connection)
                try resolveInserted(requests, hashes: hashes, fresh: fresh, inserted: attempt.inserted, results: &results,
                                    schoolID: schoolID, on: connection)
            }
            return results.map { $0! }
        } catch let error as LedgerError {
            throw error
        } catch let error as PostgresError {
            throw LedgerError.from(error, effectiveDate: first.effectiveDate)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Records one entry as a statement of its own, which the server commits when it ends: no `BEGIN`
    /// and `COMMIT` round trips, the one statement `post` sends first (history read and insert) being
    /// the whole transaction. That is two round trips of three, and two statements the database runs,
    /// on the path of every single entry (docs/ledger.md, "One entry, one statement").
    ///
    /// Returns the entry only when the ledger knew nothing of its key and the read found it clean
    /// (school, accounts active, reversed entry, open period): then it is committed. Otherwise it
    /// returns nil having written nothing (the statement inserts nothing unless clean), and the caller
    /// records the request through `post` inside a transaction, which decides replays and refusals.
    /// An error is thrown as is: nothing was written unless the error is a lost connection, after
    /// which the entry may have committed (a retry with its key replays it). The connection must be
    /// outside any transaction.
    public static func postAlone(_ request: JournalEntryRequest, on connection: PostgresConnection) throws -> PostedEntry? {
        precondition(connection.isOutsideTransaction, "postAlone commits its statement: call it outside a transaction")
        try request.validate()
        let attempt = try insert(schoolID: request.schoolID, requests: [request], hashes: [request.requestHash], fresh: [0],
                                 resolvedBeforehand: false, on: connection)
        // Clean but not inserted: another transaction recorded the key meanwhile (ON CONFLICT); `post` replays it.
        guard attempt.clean, let entryID = attempt.inserted[request.idempotencyKey] else { return nil }
        return PostedEntry(entryID: entryID, replayed: false)
    }

    /// What the ledger already knows about these keys, and the school's closed period.
    struct History {
        var schoolExists = false
        var closedThrough: CalendarDate?
        var entries: [String: (entryID: Int64, hash: [UInt8])] = [:]
        var failures: [String: (hash: [UInt8], code: String, detail: String)] = [:]
    }

    /// In one round trip: checks every account involved exists in the school and is active, and every
    /// entry reversed exists in it, and reads the school's closed period and what the ledger already
    /// recorded for these keys.
    static func checkAccountsAndReadHistory(schoolID: Int64, requests: [JournalEntryRequest], on connection: PostgresConnection) throws -> History {
        let (accountIDs, reversedIDs) = lookedUp(requests)
        // ledger_entry_history (migrations/0021): one probe of a unique index per wanted row, with
        // plans made once per session whatever the lengths of the lists.
        let rows = try connection.query("""
            SELECT kind, idempotency_key, number, request_hash, detail, error_detail
            FROM ledger_entry_history(\(schoolID), \(PostgresInt64Array(accountIDs)), \(PostgresInt64Array(reversedIDs)),
                                      \(PostgresTextArray(requests.map(\.idempotencyKey))))
            """)
        return try ReadBack(rows: rows).checked(schoolID: schoolID, accountIDs: accountIDs, reversedIDs: reversedIDs)
    }

    /// The rows of a history read, and of an insert attempt: `ledger_entry_history()`'s rows, then
    /// whether the batch was clean (inserted at once) and the entries inserted.
    struct ReadBack {
        var history = History()
        var active: [Int64: Bool] = [:]
        var reversable = Set<Int64>()
        var clean = false
        var inserted: [String: Int64] = [:]

        init(rows: PostgresRows) throws {
            for row in rows {
                let (kind, key, number, hash, text, detail) = try row.decode((String, String?, Int64?, [UInt8]?, String?, String?).self)
                switch kind {
                case "account": active[number!] = text == "true"
                case "reversed": reversable.insert(number!)
                case "school":
                    history.schoolExists = true
                    history.closedThrough = try text.map { try CalendarDate(iso: $0) }
                case "entry": history.entries[key!] = (number!, hash!)
                case "failure": history.failures[key!] = (hash!, text!, detail!)
                case "clean": clean = text == "true"
                case "inserted": inserted[key!] = number!
                default: preconditionFailure("ledger history row of unknown kind \(kind)")
                }
            }
        }

        /// The history, once the school, every account involved (active) and every entry reversed are known.
        func checked(schoolID: Int64, accountIDs: [Int64], reversedIDs: [Int64]) throws -> History {
            guard history.schoolExists else { throw LedgerError.unknownSchool(schoolID) }
            for id in accountIDs {
                guard let isActive = active[id] else { throw LedgerError.unknownAccount(id) }
                guard isActive else { throw LedgerError.inactiveAccount(id) }
            }
            for id in reversedIDs where !reversable.contains(id) { throw LedgerError.unknownEntry(id) }
            return history
        }
    }

    /// The ids the history read looks up: every account involved and every entry reversed, each once.
    static func lookedUp(_ requests: [JournalEntryRequest]) -> (accountIDs: [Int64], reversedIDs: [Int64]) {
        (Array(Set(requests.flatMap { $0.postings.map(\.accountID) })).sorted(), Array(Set(requests.compactMap(\.references.reversesEntryID))).sorted())
    }

    /// Replays by history only (used after a race on insert).
    static func readHistory(schoolID: Int64, keys: [String], on connection: PostgresConnection) throws -> History {
        var history = History(schoolExists: true)
        for row in try connection.query("""
            SELECT idempotency_key, entry_id, request_hash FROM journal_entries
            WHERE school_id = \(schoolID) AND idempotency_key = ANY(\(PostgresTextArray(keys)))
            """) {
            let (key, id, hash) = try row.decode((String, Int64, [UInt8]).self)
            history.entries[key] = (id, hash)
        }
        return history
    }

    /// Replays, conflicts, remembered failures and closed periods, decided before writing anything.
    /// Returns a result for each request already recorded; nil for the ones to insert.
    static func resolve(_ requests: [JournalEntryRequest], hashes: [[UInt8]], history: History) throws -> [PostedEntry?] {
        var firstUse: [String: [UInt8]] = [:]
        var results: [PostedEntry?] = []
        for (request, hash) in zip(requests, hashes) {
            let key = request.idempotencyKey
            if let entry = history.entries[key] {
                guard ConstantTime.equal(entry.hash, hash) else { throw LedgerError.idempotencyConflict(key: key) }
                results.append(PostedEntry(entryID: entry.entryID, replayed: true))
            } else if let failure = history.failures[key] {
                guard ConstantTime.equal(failure.hash, hash) else { throw LedgerError.idempotencyConflict(key: key) }
                throw LedgerError.rememberedFailure(code: failure.code, detail: failure.detail)
            } else {
                // A key repeated inside one batch must carry the same request as its first use.
                if let earlier = firstUse[key], !ConstantTime.equal(earlier, hash) { throw LedgerError.idempotencyConflict(key: key) }
                firstUse[key] = hash
                if let closed = history.closedThrough, request.effectiveDate <= closed {
                    throw LedgerError.closedPeriod(effectiveDate: request.effectiveDate, closedThrough: closed)
                }
                results.append(nil)
            }
        }
        return results
    }

    /// Inserts the fresh entries and their postings in one statement, which also reads the batch's
    /// history (`ledger_entry_history()`, as `checkAccountsAndReadHistory`). Unless `resolvedBeforehand`
    /// (replays and refusals already decided from an earlier read), it inserts only a clean batch: every
    /// account known and active, every entry reversed known, no key recorded or remembered as failed,
    /// nothing dated in the closed period — what `resolve` would find all fresh. Otherwise it inserts
    /// nothing and the caller decides from the history it returns.
    /// An entry another transaction inserted meanwhile is skipped (ON CONFLICT), and so are its postings.
    static func insert(schoolID: Int64, requests: [JournalEntryRequest], hashes: [[UInt8]], fresh: [Int],
                       resolvedBeforehand: Bool, on connection: PostgresConnection) throws -> ReadBack {
        let (accountIDs, reversedIDs) = lookedUp(requests)
        var firstUses: [Int] = []
        var seen = Set<String>()
        for index in fresh where seen.insert(requests[index].idempotencyKey).inserted { firstUses.append(index) }
        let entries = firstUses.map { requests[$0] }
        var keys: [String] = [], lines: [Int64] = [], accounts: [Int64] = [], amounts: [Int64] = []
        var students: [Int64?] = [], families: [Int64?] = [], invoices: [Int64?] = [], transactions: [Int64?] = []
        // Sized once: grown posting by posting, the eight columns were copied over and over on every batch.
        let postingCount = entries.reduce(0) { $0 + $1.postings.count }
        keys.reserveCapacity(postingCount)
        lines.reserveCapacity(postingCount)
        accounts.reserveCapacity(postingCount)
        amounts.reserveCapacity(postingCount)
        students.reserveCapacity(postingCount)
        families.reserveCapacity(postingCount)
        invoices.reserveCapacity(postingCount)
        transactions.reserveCapacity(postingCount)
        for request in entries {
            for (index, posting) in request.postings.enumerated() {
                keys.append(request.idempotencyKey)
                lines.append(Int64(index + 1))
                accounts.append(posting.accountID)
                amounts.append(posting.amount.dong)
                students.append(posting.dimensions.studentID)
                families.append(posting.dimensions.familyID)
                invoices.append(posting.dimensions.invoiceID)
                transactions.append(posting.dimensions.bankTransactionID)
            }
        }
        let earliest = requests.map(\.effectiveDate).min()!
        let rows = try connection.query("""
            WITH history AS MATERIALIZED (
                SELECT * FROM ledger_entry_history(\(schoolID), \(PostgresInt64Array(accountIDs)), \(PostgresInt64Array(reversedIDs)),
                                                   \(PostgresTextArray(requests.map(\.idempotencyKey))))
            ), clean AS MATERIALIZED (
                SELECT \(resolvedBeforehand) OR (
                    (SELECT count(*) FROM history WHERE kind = 'account' AND detail = 'true') = \(Int64(accountIDs.count))
                    AND (SELECT count(*) FROM history WHERE kind = 'reversed') = \(Int64(reversedIDs.count))
                    AND NOT EXISTS (SELECT 1 FROM history WHERE kind IN ('entry', 'failure'))
                    AND EXISTS (SELECT 1 FROM history WHERE kind = 'school'
                                AND (detail IS NULL OR CASE WHEN kind = 'school' THEN detail::date END < \(earliest.iso)::date))
                ) AS go
            ), new_entries AS (
                INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash,
                                             posting_count, reverses_entry_id, invoice_id, bank_transaction_id)
                SELECT \(schoolID), u.d::date, u.k, u.t, u.i, decode(u.h, 'hex'), u.c, u.r, u.v, u.b
                FROM unnest(\(PostgresTextArray(entries.map(\.effectiveDate.iso))), \(PostgresTextArray(entries.map(\.kind.rawValue))),
                            \(PostgresTextArray(entries.map(\.description))), \(PostgresTextArray(entries.map(\.idempotencyKey))),
                            \(PostgresTextArray(firstUses.map { Hex.encode(hashes[$0]) })),
                            \(PostgresInt64Array(entries.map { Int64($0.postings.count) })),
                            \(PostgresNullableInt64Array(entries.map(\.references.reversesEntryID))),
                            \(PostgresNullableInt64Array(entries.map(\.references.invoiceID))),
                            \(PostgresNullableInt64Array(entries.map(\.references.bankTransactionID))))
                     AS u(d, k, t, i, h, c, r, v, b)
                WHERE (SELECT go FROM clean)
                ON CONFLICT (school_id, idempotency_key) DO NOTHING
                RETURNING idempotency_key, entry_id, effective_date
            ), new_postings AS (
                INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date,
                                      student_id, family_id, invoice_id, bank_transaction_id)
                SELECT \(schoolID), e.entry_id, p.l, p.a, p.m, e.effective_date, p.s, p.f, p.i, p.b
                FROM unnest(\(PostgresTextArray(keys)), \(PostgresInt64Array(lines)), \(PostgresInt64Array(accounts)),
                            \(PostgresInt64Array(amounts)), \(PostgresNullableInt64Array(students)),
                            \(PostgresNullableInt64Array(families)), \(PostgresNullableInt64Array(invoices)),
                            \(PostgresNullableInt64Array(transactions)))
                     AS p(k, l, a, m, s, f, i, b)
                JOIN new_entries e ON e.idempotency_key = p.k
                RETURNING 1
            )
            SELECT kind, idempotency_key, number, request_hash, detail, error_detail FROM history
            UNION ALL
            SELECT 'clean', NULL, NULL, NULL, go::text, NULL FROM clean
            UNION ALL
            SELECT 'inserted', idempotency_key, entry_id, NULL, NULL, NULL FROM new_entries
            """)
        return try ReadBack(rows: rows)
    }

    /// Fills the results of the inserted requests. A key that another transaction committed between
    /// our history read and our insert is looked up again: a replay if the request is the same.
    static func resolveInserted(_ requests: [JournalEntryRequest], hashes: [[UInt8]], fresh: [Int], inserted: [String: Int64],
                                results: inout [PostedEntry?], schoolID: Int64, on connection: PostgresConnection) throws {
        var claimed = Set<String>()
        var raced: [Int] = []
        for index in fresh {
            let key = requests[index].idempotencyKey
            if let id = inserted[key] {
                results[index] = PostedEntry(entryID: id, replayed: !claimed.insert(key).inserted)
            } else {
                raced.append(index)
            }
        }
        guard !raced.isEmpty else { return }
        let history = try readHistory(schoolID: schoolID, keys: raced.map { requests[$0].idempotencyKey }, on: connection)
        for index in raced {
            let key = requests[index].idempotencyKey
            guard let entry = history.entries[key], ConstantTime.equal(entry.hash, hashes[index]) else {
                throw LedgerError.idempotencyConflict(key: key)
            }
            results[index] = PostedEntry(entryID: entry.entryID, replayed: true)
        }
    }
}
