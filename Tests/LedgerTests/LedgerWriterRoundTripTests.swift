import Core
import Foundation
import Ledger
import Postgres
import Testing
import TestSupport

/// `LedgerWriter.post` reads the batch's history and inserts in one statement, inserting only a
/// batch the ledger knows nothing of. Whatever the read finds otherwise must be decided exactly as
/// before, with nothing written by that statement: checked inside the caller's transaction, right
/// after the refusal, where an entry the statement wrote would still be visible.
@Suite struct LedgerWriterRoundTripTests {
    func entries(_ connection: PostgresConnection, key: String) throws -> Int64 {
        try connection.query("SELECT count(*) FROM journal_entries WHERE idempotency_key = \(key)").singleRow()!
            .decode(column: 0, as: Int64.self)
    }

    /// Posts `requests` in a transaction; returns the error and how many entries carry `key` in that
    /// transaction after it.
    func refusal(_ fixture: LedgerFixture, _ requests: [JournalEntryRequest], key: String) throws -> (LedgerError?, Int64) {
        try fixture.pool.transaction(isolation: .readCommitted) { connection in
            do {
                _ = try LedgerWriter.post(requests, on: connection)
                return (nil, try entries(connection, key: key))
            } catch let error as LedgerError {
                return (error, try entries(connection, key: key))
            }
        }
    }

    @Test func aBatchTheLedgerKnowsNothingOfIsInsertedAtOnce() throws {
        let fixture = try LedgerFixture()
        let batch = [try fixture.entry(key: "a", postings: [(.bank, 100), (.suspense, -100)]),
                     try fixture.entry(key: "b", postings: [(.suspense, 100), (.receivable, -100)],
                                       dimensions: PostingDimensions(studentID: 3, invoiceID: 9))]
        let posted = try fixture.pool.transaction(isolation: .readCommitted) { try LedgerWriter.post(batch, on: $0) }
        #expect(posted.map(\.replayed) == [false, false])
        #expect(Set(posted.map(\.entryID)).count == 2)
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        #expect(try fixture.balance(.suspense) == Money(dong: 0))
        #expect(try fixture.verify().isClean)
    }

    @Test func replaysAndRefusalsAreDecidedAsBeforeAndWriteNothing() throws {
        let fixture = try LedgerFixture()
        let first = try fixture.entry(key: "first", postings: [(.bank, 100), (.suspense, -100)])
        let firstPosted = try fixture.ledger.post(first)

        // A replay beside a new entry: the replay answers the first result, the new one is written once.
        let fresh = try fixture.entry(key: "fresh", postings: [(.bank, 7), (.suspense, -7)])
        let mixed = try fixture.pool.transaction(isolation: .readCommitted) { try LedgerWriter.post([first, fresh], on: $0) }
        #expect(mixed[0].entryID == firstPosted.entryID && mixed[0].replayed)
        #expect(!mixed[1].replayed)
        #expect(try fixture.balance(.bank) == Money(dong: 107))

        // The same key with another request: a conflict, and the new entry beside it is not written either.
        var changed = first
        changed.description += " (changed)"
        let conflictNeighbour = try fixture.entry(key: "beside-conflict", postings: [(.bank, 1), (.suspense, -1)])
        let conflict = try refusal(fixture, [conflictNeighbour, changed], key: "beside-conflict")
        #expect(conflict.0 == .idempotencyConflict(key: "first") && conflict.1 == 0)

        // An inactive account, an unknown one, an unknown reversed entry: refused, nothing written.
        try fixture.pool.withConnection {
            try $0.query("UPDATE accounts SET is_active = false WHERE account_id = \(fixture.account(.cash))")
        }
        let inactive = try refusal(fixture, [try fixture.entry(key: "inactive", postings: [(.cash, 5), (.bank, -5)])], key: "inactive")
        #expect(inactive.0 == .inactiveAccount(fixture.account(.cash)) && inactive.1 == 0)
        var unknown = try fixture.entry(key: "unknown", postings: [(.bank, 5), (.suspense, -5)])
        unknown.postings[0].accountID = 987_654_321
        let unknownAccount = try refusal(fixture, [unknown], key: "unknown")
        #expect(unknownAccount.0 == .unknownAccount(987_654_321) && unknownAccount.1 == 0)
        var orphan = try fixture.entry(key: "orphan", postings: [(.bank, 5), (.suspense, -5)])
        orphan.references.reversesEntryID = 987_654_321
        orphan.kind = .reversal
        let unknownEntry = try refusal(fixture, [orphan], key: "orphan")
        #expect(unknownEntry.0 == .unknownEntry(987_654_321) && unknownEntry.1 == 0)

        // A closed period: refused with the period it falls in (decided before writing, not by the trigger).
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: fixture.school.id, month: CalendarMonth(iso: "2026-09"), actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        let late = try refusal(fixture, [try fixture.entry(key: "late", date: "2026-09-30", postings: [(.bank, 5), (.suspense, -5)])], key: "late")
        #expect(late.0 == .closedPeriod(effectiveDate: try CalendarDate(iso: "2026-09-30"), closedThrough: try CalendarDate(iso: "2026-09-30")))
        #expect(late.1 == 0)

        // A key remembered as failed fails the same way, and is not written.
        #expect(throws: LedgerError.self) { try fixture.ledger.post(try fixture.entry(key: "late", date: "2026-09-30", postings: [(.bank, 5), (.suspense, -5)])) }
        let remembered = try refusal(fixture, [try fixture.entry(key: "late", date: "2026-09-30", postings: [(.bank, 5), (.suspense, -5)])], key: "late")
        if case .rememberedFailure = remembered.0 {} else { Issue.record("expected a remembered failure, got \(String(describing: remembered.0))") }
        #expect(remembered.1 == 0)

        // A key twice in one batch with the same request: written once, the second answered as a replay of it.
        let twice = try fixture.entry(key: "twice", date: "2026-10-02", postings: [(.bank, 3), (.suspense, -3)])
        let doubled = try fixture.pool.transaction(isolation: .readCommitted) { try LedgerWriter.post([twice, twice], on: $0) }
        #expect(doubled[0].entryID == doubled[1].entryID && doubled.map(\.replayed) == [false, true])
        #expect(try fixture.balance(.bank) == Money(dong: 110))
        #expect(try fixture.verify().isClean)
    }
}
