import Core
import Postgres

/// The ledger as a service: each call is its own transaction, and business refusals are
/// remembered against their idempotency key so a retry fails the same way.
public struct LedgerService: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Records one entry. The same key with the same request returns the first result.
    ///
    /// A new, clean entry is one statement committed on its own (`LedgerWriter.postAlone`); anything
    /// else — a replay, a refusal, an error of that statement — goes through the transaction below,
    /// which decides it as it always did and remembers a refusal.
    @discardableResult
    public func post(_ request: JournalEntryRequest) throws(LedgerError) -> PostedEntry {
        let alone: PostedEntry?
        do {
            alone = try pool.withConnection { connection -> PostedEntry? in
                do {
                    return try LedgerWriter.postAlone(request, on: connection)
                } catch let error as PostgresError where error.isTimeout {
                    // A lock not granted in time (a period being closed) would keep the transaction
                    // waiting as long again, to fail the same way: the sender hears it once, now.
                    throw error
                } catch {
                    return nil
                }
            }
        } catch {
            // The checkout, or a timeout: what the transaction would have answered (`.database`).
            throw LedgerError.database(error as? PostgresError ?? PostgresError(code: .unexpected))
        }
        if let alone { return alone }
        return try remembering(request) { connection throws(LedgerError) in
            try LedgerWriter.post([request], on: connection)[0]
        }
    }

    /// Reverses `entryID` with an entry dated `effectiveDate` that negates every posting.
    /// An entry is reversed at most once; a retry with the same key returns the first reversal.
    @discardableResult
    public func reverse(schoolID: Int64, entryID: Int64, effectiveDate: CalendarDate, idempotencyKey: String,
                        description: String? = nil) throws(LedgerError) -> PostedEntry {
        let request: JournalEntryRequest
        do {
            request = try pool.withConnection { connection in
                try Reversals.request(schoolID: schoolID, entryID: entryID, effectiveDate: effectiveDate,
                                      idempotencyKey: idempotencyKey, description: description, on: connection)
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.database(error as? PostgresError ?? PostgresError(code: .unexpected))
        }
        return try remembering(request) { connection throws(LedgerError) in
            try Reversals.checkNotReversed(schoolID: schoolID, entryID: entryID, idempotencyKey: idempotencyKey, on: connection)
            return try LedgerWriter.post([request], on: connection)[0]
        }
    }

    /// Runs `body` in a read-committed transaction (locks give the ordering); remembers a business refusal.
    private func remembering(_ request: JournalEntryRequest, _ body: (PostgresConnection) throws(LedgerError) -> PostedEntry) throws(LedgerError) -> PostedEntry {
        do {
            return try pool.transaction(isolation: .readCommitted) { connection in try body(connection) }
        } catch let error as LedgerError {
            if error.isRemembered, request.idempotencyKey.utf8.count <= LedgerLimits.idempotencyKeyBytesMax {
                try remember(request, error)
            }
            throw error
        } catch let error as PostgresError {
            throw LedgerError.database(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// Stores the refusal unless an entry with the key exists (then the key succeeded, concurrently).
    private func remember(_ request: JournalEntryRequest, _ error: LedgerError) throws(LedgerError) {
        if case .rememberedFailure = error { return }
        do {
            try pool.transaction(isolation: .readCommitted) { connection in
                try connection.query("""
                    INSERT INTO ledger_failures (school_id, idempotency_key, request_hash, error_code, error_detail)
                    SELECT \(request.schoolID), \(request.idempotencyKey), \(request.requestHash), \(error.code), \(error.description)
                    WHERE EXISTS (SELECT 1 FROM schools WHERE school_id = \(request.schoolID))
                      AND NOT EXISTS (SELECT 1 FROM journal_entries
                                      WHERE school_id = \(request.schoolID) AND idempotency_key = \(request.idempotencyKey))
                    ON CONFLICT (school_id, idempotency_key) DO NOTHING
                    """)
            }
        } catch {
            throw LedgerError.database(error as? PostgresError ?? PostgresError(code: .unexpected))
        }
    }
}

/// Building and checking reversals.
public enum Reversals {
    /// The reversal of `entryID`: every posting negated, same accounts and dimensions.
    public static func request(schoolID: Int64, entryID: Int64, effectiveDate: CalendarDate, idempotencyKey: String,
                               description: String?, on connection: PostgresConnection) throws -> JournalEntryRequest {
        request(reversing: try LedgerQueries.entry(schoolID: schoolID, entryID: entryID, on: connection), schoolID: schoolID,
                effectiveDate: effectiveDate, idempotencyKey: idempotencyKey, description: description)
    }

    /// The reversal of an entry already read (`LedgerQueries.entry`).
    public static func request(reversing entry: RecordedEntry, schoolID: Int64, effectiveDate: CalendarDate, idempotencyKey: String,
                               description: String?) -> JournalEntryRequest {
        let postings = entry.postings.map { PostingRequest(accountID: $0.accountID, amount: $0.amount.negated, dimensions: $0.dimensions) }
        let text = description ?? String("Reversal of entry \(entry.entryID): \(entry.description)".prefix(LedgerLimits.descriptionBytesMax / 4))
        return JournalEntryRequest(schoolID: schoolID, effectiveDate: effectiveDate, kind: .reversal, description: text,
                                   idempotencyKey: idempotencyKey,
                                   references: EntryReferences(invoiceID: entry.references.invoiceID,
                                                               bankTransactionID: entry.references.bankTransactionID,
                                                               reversesEntryID: entry.entryID),
                                   postings: postings)
    }

    /// Refuses a second reversal; a retry of the first (same key) passes through to the replay path.
    public static func checkNotReversed(schoolID: Int64, entryID: Int64, idempotencyKey: String,
                                        on connection: PostgresConnection) throws(LedgerError) {
        do {
            // Locking the original serialises two reversals racing with different keys.
            guard try connection.query("""
                SELECT 1 FROM journal_entries WHERE school_id = \(schoolID) AND entry_id = \(entryID) FOR NO KEY UPDATE
                """).singleRow() != nil else { throw LedgerError.unknownEntry(entryID) }
            guard let row = try connection.query("""
                SELECT entry_id, idempotency_key FROM journal_entries
                WHERE school_id = \(schoolID) AND reverses_entry_id = \(entryID)
                """).singleRow() else { return }
            let (reversal, key) = try row.decode((Int64, String).self)
            guard key == idempotencyKey else { throw LedgerError.alreadyReversed(entryID: entryID, by: reversal) }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.database(error as? PostgresError ?? PostgresError(code: .unexpected))
        }
    }
}
