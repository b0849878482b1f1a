import Core
import Foundation
import Ledger
import Postgres
import Synchronization
import Testing
import TestSupport

/// `LedgerService.post` records a new, clean entry as one statement committed on its own
/// (`LedgerWriter.postAlone`, no `BEGIN`/`COMMIT`), and sends everything else through the
/// transaction that decides replays and refusals. The statement must commit what it writes, and
/// write nothing whenever it answers "not alone".
@Suite struct LedgerWriterAloneTests {
    func entries(_ fixture: LedgerFixture, key: String) throws -> Int64 {
        try fixture.pool.withConnection {
            try $0.query("SELECT count(*) FROM journal_entries WHERE school_id = \(fixture.school.id) AND idempotency_key = \(key)")
                .singleRow()!.decode(column: 0, as: Int64.self)
        }
    }

    func alone(_ fixture: LedgerFixture, _ request: JournalEntryRequest) throws -> PostedEntry? {
        try fixture.pool.withConnection { connection in
            let posted = try LedgerWriter.postAlone(request, on: connection)
            #expect(connection.isOutsideTransaction, "postAlone left its connection inside a transaction")
            return posted
        }
    }

    @Test func aNewCleanEntryIsCommittedByItsOwnStatement() throws {
        let fixture = try LedgerFixture()
        let request = try fixture.entry(key: "alone", postings: [(.bank, 250), (.suspense, -100), (.receivable, -150)],
                                        dimensions: PostingDimensions(studentID: 4, invoiceID: 12))
        let posted = try fixture.pool.withConnection { connection -> PostedEntry? in
            let posted = try LedgerWriter.postAlone(request, on: connection)
            #expect(connection.isOutsideTransaction)
            // Seen from another session while this connection is still checked out: committed.
            #expect(try entries(fixture, key: "alone") == 1)
            return posted
        }
        #expect(posted?.replayed == false)
        #expect(try fixture.balance(.bank) == Money(dong: 250))
        #expect(try fixture.balance(.receivable) == Money(dong: -150))
        #expect(try fixture.verify().isClean)
        // Through the service, the same request is now a replay of that entry (decided by the transaction).
        #expect(try fixture.ledger.post(request) == PostedEntry(entryID: try #require(posted).entryID, replayed: true))
        #expect(try entries(fixture, key: "alone") == 1)
    }

    @Test func anythingElseWritesNothingAndTheServiceDecidesItAsBefore() throws {
        let fixture = try LedgerFixture()
        // A replay: not alone, nothing written; the service answers the first result.
        let first = try fixture.entry(key: "first", postings: [(.bank, 100), (.suspense, -100)])
        let firstPosted = try fixture.ledger.post(first)
        #expect(!firstPosted.replayed)
        #expect(try alone(fixture, first) == nil)
        #expect(try fixture.ledger.post(first) == PostedEntry(entryID: firstPosted.entryID, replayed: true))
        #expect(try entries(fixture, key: "first") == 1)

        // The same key with another request: a conflict, as before.
        var changed = first
        changed.description += " (changed)"
        #expect(try alone(fixture, changed) == nil)
        #expect(throws: LedgerError.idempotencyConflict(key: "first")) { try fixture.ledger.post(changed) }

        // An inactive account: nothing written, refused by the service.
        try fixture.pool.withConnection {
            try $0.query("UPDATE accounts SET is_active = false WHERE account_id = \(fixture.account(.cash))")
        }
        let inactive = try fixture.entry(key: "inactive", postings: [(.cash, 5), (.bank, -5)])
        #expect(try alone(fixture, inactive) == nil)
        #expect(throws: LedgerError.inactiveAccount(fixture.account(.cash))) { try fixture.ledger.post(inactive) }
        #expect(try entries(fixture, key: "inactive") == 0)

        // A closed period: nothing written; the service refuses it and remembers the refusal, which
        // then keeps the statement from writing the key even once the request would pass.
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: fixture.school.id, month: CalendarMonth(iso: "2026-09"), actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        let late = try fixture.entry(key: "late", date: "2026-09-30", postings: [(.bank, 5), (.suspense, -5)])
        #expect(try alone(fixture, late) == nil)
        #expect(throws: LedgerError.closedPeriod(effectiveDate: try CalendarDate(iso: "2026-09-30"),
                                                 closedThrough: try CalendarDate(iso: "2026-09-30"))) { try fixture.ledger.post(late) }
        #expect(try alone(fixture, late) == nil)
        do {
            try fixture.ledger.post(late)
            Issue.record("a remembered failure was recorded")
        } catch .rememberedFailure {
        } catch {
            Issue.record("expected a remembered failure, got \(error)")
        }
        #expect(try entries(fixture, key: "late") == 0)

        // An invalid request is refused before any statement, with the same error as the service's.
        let unbalanced = try fixture.entry(key: "unbalanced", date: "2026-10-01", postings: [(.bank, 5), (.suspense, -4)])
        #expect(throws: LedgerError.unbalanced(sum: 1)) { try alone(fixture, unbalanced) }
        #expect(throws: LedgerError.unbalanced(sum: 1)) { try fixture.ledger.post(unbalanced) }
        #expect(try entries(fixture, key: "unbalanced") == 0)
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        #expect(try fixture.verify().isClean)
    }

    /// A statement that gives up waiting for a lock (here the school's period lock, held as closing a
    /// period holds it) fails at once with the timeout, as the transaction would: not again after
    /// waiting a second time through the transaction.
    @Test func aLockTimeoutIsAnsweredOnceNotWaitedForTwice() throws {
        let fixture = try LedgerFixture()
        let lockTimeout = 1_000
        let limits = PostgresSessionLimits(lockTimeoutMilliseconds: lockTimeout, statementTimeoutMilliseconds: 60_000)
        let pool = PostgresPool(configuration: fixture.database.configuration.limited(by: limits), size: 2)
        defer { pool.close() }
        let ledger = LedgerService(pool: pool)
        let request = try fixture.entry(key: "waits", postings: [(.bank, 9), (.suspense, -9)])
        let holder = try fixture.database.connect()
        try holder.simpleQuery(unsafeSQL: "BEGIN")
        try holder.query("SELECT pg_advisory_xact_lock(\(AdvisoryLockClass.period.rawValue), \(AdvisoryLockClass.key(fixture.school.id)))")
        let started = monotonicNanoseconds()
        do {
            try ledger.post(request)
            Issue.record("posted while the period lock was held")
        } catch .database(let error) {
            #expect(error.isTimeout, "\(error)")
        } catch {
            Issue.record("expected a lock timeout, got \(error)")
        }
        let waitedMilliseconds = Int((monotonicNanoseconds() - started) / 1_000_000)
        try holder.simpleQuery(unsafeSQL: "ROLLBACK")
        #expect(waitedMilliseconds >= lockTimeout && waitedMilliseconds < lockTimeout * 19 / 10, "waited \(waitedMilliseconds) ms")
        #expect(try entries(fixture, key: "waits") == 0)
        // Once the lock is free the same request is recorded: the timeout was not remembered as a refusal.
        #expect(try !ledger.post(request).replayed)
        #expect(try fixture.verify().isClean)
    }

    /// A key another transaction is inserting: the statement waits for it on the key's index, skips
    /// the key once it commits (or sees it in its history read, if it came later) and the service
    /// answers a replay of the other transaction's entry. Either order gives the same answer.
    @Test func aKeyRecordedMeanwhileByAnotherTransactionIsAReplay() throws {
        let fixture = try LedgerFixture()
        let request = try fixture.entry(key: "race", postings: [(.bank, 40), (.suspense, -40)])
        let outcome = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let holderEntry = try fixture.pool.withConnection { holder -> Int64 in
            try holder.simpleQuery(unsafeSQL: "BEGIN")
            let held = try LedgerWriter.post([request], on: holder)[0]
            Thread {
                let text: String
                do {
                    let posted = try fixture.ledger.post(request)
                    text = "\(posted.entryID) \(posted.replayed)"
                } catch {
                    text = "error \(error)"
                }
                outcome.withLock { $0 = text }
                done.signal()
            }.start()
            // Long enough for the other poster to reach the key's index and wait there, usually.
            Thread.sleep(forTimeInterval: 0.3)
            try holder.simpleQuery(unsafeSQL: "COMMIT")
            return held.entryID
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(outcome.withLock { $0 } == "\(holderEntry) true")
        #expect(try entries(fixture, key: "race") == 1)
        #expect(try fixture.balance(.bank) == Money(dong: 40))
        #expect(try fixture.verify().isClean)
    }
}
