import Core
import Crypto
import Postgres

/// Records journal entries inside the caller's transaction, so a service can record an invoice
/// and its entry, or a payment and its applications, atomically.
///
/// Order of work, chosen so concurrent writers never deadlock: every account balance row the
/// batch touches is locked first, in ascending account order; then entries are inserted in one
/// statement (a key already present is a replay or a conflict), then all postings in one statement.
/// The database re-checks every invariant (balance, closed period, same school) on its own.
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
            try lockAccounts(schoolID: schoolID, requests: requests, on: connection)
            let hashes = requests.map(\.requestHash)
            let history = try readHistory(schoolID: schoolID, keys: requests.map(\.idempotencyKey), on: connection)
            var results = try resolve(requests, hashes: hashes, history: history)
            let fresh = requests.indices.filter { results[$0] == nil }
            if !fresh.isEmpty {
                let inserted = try insertEntries(schoolID: schoolID, requests: fresh.map { requests[$0] }, hashes: fresh.map { hashes[$0] }, on: connection)
                try resolveInserted(requests, hashes: hashes, fresh: fresh, inserted: inserted, results: &results, schoolID: schoolID, on: connection)
            }
            let final = results.map { $0! }
            try insertPostings(schoolID: schoolID, requests: requests, results: final, on: connection)
            return final
        } catch let error as LedgerError {
            throw error
        } catch let error as PostgresError {
            throw LedgerError.from(error, effectiveDate: first.effectiveDate)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Locks the balance rows of every account involved, in ascending order, and checks each
    /// account exists in the school and is active.
    static func lockAccounts(schoolID: Int64, requests: [JournalEntryRequest], on connection: PostgresConnection) throws {
        let accountIDs = Array(Set(requests.flatMap { $0.postings.map(\.accountID) })).sorted()
        let rows = try connection.query("""
            SELECT b.account_id, a.is_active FROM account_balances b
            JOIN accounts a ON a.school_id = b.school_id AND a.account_id = b.account_id
            WHERE b.school_id = \(schoolID) AND b.account_id = ANY(\(PostgresInt64Array(accountIDs)))
            ORDER BY b.account_id FOR UPDATE OF b
            """)
        var found: [Int64: Bool] = [:]
        for row in rows {
            let (id, active) = try row.decode((Int64, Bool).self)
            found[id] = active
        }
        for id in accountIDs {
            guard let active = found[id] else { throw LedgerError.unknownAccount(id) }
            guard active else { throw LedgerError.inactiveAccount(id) }
        }
    }

    /// What the ledger already knows about these keys, and the school's closed period, in one round trip.
    struct History {
        var schoolExists = false
        var closedThrough: CalendarDate?
        var entries: [String: (entryID: Int64, hash: [UInt8])] = [:]
        var failures: [String: (hash: [UInt8], code: String, detail: String)] = [:]
    }

    static func readHistory(schoolID: Int64, keys: [String], on connection: PostgresConnection) throws -> History {
        let keyArray = PostgresTextArray(Array(Set(keys)))
        let rows = try connection.query("""
            SELECT 'school', NULL::text, NULL::int8, NULL::bytea, closed_through::text, NULL::text FROM schools WHERE school_id = \(schoolID)
            UNION ALL
            SELECT 'entry', idempotency_key, entry_id, request_hash, NULL, NULL FROM journal_entries
                WHERE school_id = \(schoolID) AND idempotency_key = ANY(\(keyArray))
            UNION ALL
            SELECT 'failure', idempotency_key, NULL, request_hash, error_code, error_detail FROM ledger_failures
                WHERE school_id = \(schoolID) AND idempotency_key = ANY(\(keyArray))
            """)
        var history = History()
        for row in rows {
            let (kind, key, entryID, hash, text, detail) = try row.decode((String, String?, Int64?, [UInt8]?, String?, String?).self)
            switch kind {
            case "school":
                history.schoolExists = true
                history.closedThrough = try text.map { try CalendarDate(iso: $0) }
            case "entry":
                history.entries[key!] = (entryID!, hash!)
            default:
                history.failures[key!] = (hash!, text!, detail!)
            }
        }
        return history
    }

    /// Replays, conflicts, remembered failures and closed periods, decided before writing anything.
    /// Returns a result for each request already recorded; nil for the ones to insert.
    static func resolve(_ requests: [JournalEntryRequest], hashes: [[UInt8]], history: History) throws -> [PostedEntry?] {
        guard history.schoolExists else { throw LedgerError.unknownSchool(requests[0].schoolID) }
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

    /// Inserts the entries in one statement; returns the new entry ids by idempotency key.
    static func insertEntries(schoolID: Int64, requests: [JournalEntryRequest], hashes: [[UInt8]],
                              on connection: PostgresConnection) throws -> [String: Int64] {
        let rows = try connection.query("""
            INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash,
                                         posting_count, reverses_entry_id, invoice_id, bank_transaction_id)
            SELECT \(schoolID), u.d::date, u.k, u.t, u.i, decode(u.h, 'hex'), u.c, u.r, u.v, u.b
            FROM unnest(\(PostgresTextArray(requests.map(\.effectiveDate.iso))), \(PostgresTextArray(requests.map(\.kind.rawValue))),
                        \(PostgresTextArray(requests.map(\.description))), \(PostgresTextArray(requests.map(\.idempotencyKey))),
                        \(PostgresTextArray(hashes.map(Hex.encode))), \(PostgresInt64Array(requests.map { Int64($0.postings.count) })),
                        \(PostgresNullableInt64Array(requests.map(\.references.reversesEntryID))),
                        \(PostgresNullableInt64Array(requests.map(\.references.invoiceID))),
                        \(PostgresNullableInt64Array(requests.map(\.references.bankTransactionID))))
                 AS u(d, k, t, i, h, c, r, v, b)
            ON CONFLICT (school_id, idempotency_key) DO NOTHING
            RETURNING idempotency_key, entry_id
            """)
        var inserted: [String: Int64] = [:]
        for row in rows {
            let (key, id) = try row.decode((String, Int64).self)
            inserted[key] = id
        }
        return inserted
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

    /// Inserts the postings of the newly inserted entries in one statement.
    static func insertPostings(schoolID: Int64, requests: [JournalEntryRequest], results: [PostedEntry],
                               on connection: PostgresConnection) throws {
        var entryIDs: [Int64] = [], lines: [Int64] = [], accounts: [Int64] = [], amounts: [Int64] = [], dates: [String] = []
        var students: [Int64?] = [], families: [Int64?] = [], invoices: [Int64?] = [], transactions: [Int64?] = []
        for (request, result) in zip(requests, results) where !result.replayed {
            for (index, posting) in request.postings.enumerated() {
                entryIDs.append(result.entryID)
                lines.append(Int64(index + 1))
                accounts.append(posting.accountID)
                amounts.append(posting.amount.dong)
                dates.append(request.effectiveDate.iso)
                students.append(posting.dimensions.studentID)
                families.append(posting.dimensions.familyID)
                invoices.append(posting.dimensions.invoiceID)
                transactions.append(posting.dimensions.bankTransactionID)
            }
        }
        guard !entryIDs.isEmpty else { return }
        try connection.query("""
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date,
                                  student_id, family_id, invoice_id, bank_transaction_id)
            SELECT \(schoolID), u.e, u.l, u.a, u.m, u.d::date, u.s, u.f, u.i, u.b
            FROM unnest(\(PostgresInt64Array(entryIDs)), \(PostgresInt64Array(lines)), \(PostgresInt64Array(accounts)),
                        \(PostgresInt64Array(amounts)), \(PostgresTextArray(dates)), \(PostgresNullableInt64Array(students)),
                        \(PostgresNullableInt64Array(families)), \(PostgresNullableInt64Array(invoices)),
                        \(PostgresNullableInt64Array(transactions)))
                 AS u(e, l, a, m, d, s, f, i, b)
            """)
    }
}
