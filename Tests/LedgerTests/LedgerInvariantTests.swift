import Core
import Foundation
import Ledger
import Postgres
import Synchronization
import Testing
import TestSupport

/// The invariants hold against plain SQL, not only through the Swift API.
@Suite struct DatabaseInvariantTests {
    /// Runs `sql` in its own transaction and returns the SQLSTATE it failed with (nil if it succeeded).
    func failure(_ fixture: LedgerFixture, _ sql: String) throws -> String? {
        let connection = try fixture.database.connect()
        defer { connection.close() }
        return connection.failedSQLState(sql)
    }

    @Test func postingsAndEntriesCannotBeChangedOrDeleted() throws {
        let fixture = try LedgerFixture()
        let posted = try fixture.ledger.post(fixture.entry(key: "x", postings: [(.bank, 100), (.suspense, -100)]))
        let school = fixture.school.id
        #expect(try failure(fixture, "UPDATE postings SET amount = 101 WHERE school_id = \(school)") == "TU003")
        #expect(try failure(fixture, "DELETE FROM postings WHERE school_id = \(school)") == "TU003")
        // The application role may not truncate at all (HistoryProtectionTests: nor may the owner).
        #expect(try failure(fixture, "TRUNCATE postings CASCADE") == "42501")
        #expect(try failure(fixture, "UPDATE journal_entries SET description = 'x' WHERE entry_id = \(posted.entryID)") == "TU003")
        #expect(try failure(fixture, "DELETE FROM journal_entries WHERE entry_id = \(posted.entryID)") == "TU003")
        #expect(try failure(fixture, "UPDATE account_balances SET balance = 0 WHERE school_id = \(school)") == "TU003")
        #expect(try failure(fixture, "INSERT INTO dimension_balances VALUES (\(school), \(fixture.account(.bank)), 'student', 1, 5, 1)") == "TU003")
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        #expect(try fixture.verify().isClean)
    }

    @Test func unbalancedOrLonelyEntriesFailAtCommit() throws {
        let fixture = try LedgerFixture()
        let (school, bank, suspense) = (fixture.school.id, fixture.account(.bank), fixture.account(.suspense))
        let entry = """
            WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
                       VALUES (\(school), '2026-09-10', 'adjustment', 'raw', 'raw-KEY', decode(repeat('ab', 32), 'hex'), 2) RETURNING entry_id)
            """
        #expect(try failure(fixture, entry.replacingOccurrences(of: "KEY", with: "1") + """
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(school), entry_id, n, CASE n WHEN 1 THEN \(bank) ELSE \(suspense) END, CASE n WHEN 1 THEN 100 ELSE -99 END, '2026-09-10'
            FROM e, generate_series(1, 2) n
            """) == "TU002")
        #expect(try failure(fixture, entry.replacingOccurrences(of: "KEY", with: "2") + " SELECT 1") == "TU002")
        #expect(try failure(fixture, entry.replacingOccurrences(of: "KEY", with: "3") + """
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(school), entry_id, n, CASE n WHEN 1 THEN \(bank) ELSE \(suspense) END, CASE n WHEN 1 THEN 100 ELSE -100 END, '2026-09-11'
            FROM e, generate_series(1, 2) n
            """) == "TU005")
        // Balanced and well formed through plain SQL: accepted, and balances follow.
        #expect(try failure(fixture, entry.replacingOccurrences(of: "KEY", with: "4") + """
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(school), entry_id, n, CASE n WHEN 1 THEN \(bank) ELSE \(suspense) END, CASE n WHEN 1 THEN 100 ELSE -100 END, '2026-09-10'
            FROM e, generate_series(1, 2) n
            """) == nil)
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        // A posting added later to a committed entry is refused, balanced or not.
        let entryID = try fixture.pool.withConnection {
            try $0.query("SELECT entry_id FROM journal_entries WHERE idempotency_key = 'raw-4'").singleRow()!.decode(column: 0, as: Int64.self)
        }
        #expect(try failure(fixture, """
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date) VALUES
            (\(school), \(entryID), 3, \(bank), 5, '2026-09-10'), (\(school), \(entryID), 4, \(suspense), -5, '2026-09-10')
            """) == "TU004")
        #expect(try fixture.verify().isClean)
    }

    @Test func nothingPostsIntoAClosedPeriod() throws {
        let fixture = try LedgerFixture()
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: fixture.school.id, month: CalendarMonth(iso: "2026-09"), actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        #expect(try failure(fixture, """
            INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
            VALUES (\(fixture.school.id), '2026-09-30', 'adjustment', 'late', 'late', decode(repeat('ab', 32), 'hex'), 2)
            """) == "TU001")
        #expect(throws: LedgerError.closedPeriod(effectiveDate: try CalendarDate(iso: "2026-09-01"), closedThrough: try CalendarDate(iso: "2026-09-30"))) {
            try fixture.ledger.post(fixture.entry(key: "late-api", date: "2026-09-01", postings: [(.bank, 1), (.suspense, -1)]))
        }
        try fixture.ledger.post(fixture.entry(key: "october", date: "2026-10-01", postings: [(.bank, 1), (.suspense, -1)]))
        #expect(try fixture.verify().isClean)
    }

    @Test func accountsOfAnotherSchoolAreRefused() throws {
        let fixture = try LedgerFixture()
        let other = try fixture.pool.transaction(isolation: .readCommitted) {
            try Schools.create(NewSchool(code: "TH-OTHER", name: "Trường khác", district: "Quận 3", level: .primary, paymentCodePrefix: "TK", bankAccounts: []), on: $0)
        }
        let otherCash = try fixture.pool.withConnection { try LedgerQueries.account(schoolID: other.id, purpose: .cash, on: $0)!.accountID }
        let request = JournalEntryRequest(schoolID: fixture.school.id, effectiveDate: try CalendarDate(iso: "2026-09-10"), kind: .adjustment,
                                          description: "cross-school", idempotencyKey: "cross",
                                          postings: [PostingRequest(accountID: otherCash, amount: Money(dong: 5)),
                                                     PostingRequest(accountID: fixture.account(.bank), amount: Money(dong: -5))])
        #expect(throws: LedgerError.unknownAccount(otherCash)) { try fixture.ledger.post(request) }
        #expect(try failure(fixture, """
            WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
                       VALUES (\(fixture.school.id), '2026-09-10', 'adjustment', 'raw', 'cross-raw', decode(repeat('ab', 32), 'hex'), 2) RETURNING entry_id)
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(fixture.school.id), entry_id, n, CASE n WHEN 1 THEN \(otherCash) ELSE \(fixture.account(.bank)) END,
                   CASE n WHEN 1 THEN 5 ELSE -5 END, '2026-09-10' FROM e, generate_series(1, 2) n
            """) == "23503")
    }
}

/// Seeded random streams of operations, checked after every step.
@Suite struct LedgerRandomStreamTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func randomOperationsKeepEveryInvariant(seed: UInt64) throws {
        let fixture = try LedgerFixture()
        var random = SplitMix64(seed: seed)
        let purposes: [AccountPurpose] = [.bank, .cash, .receivable, .suspense, .familyCredit, .feeIncome]
        var posted: [(key: String, request: JournalEntryRequest, entryID: Int64)] = []
        var reversed = Set<Int64>()
        var closedThrough: CalendarDate?
        for step in 0..<120 {
            let before = try fixture.allBalances()
            let choice = random.next() % 10
            var mustFail = false
            do {
                switch choice {
                case 0...4:
                    let request = try randomEntry(fixture, &random, key: "s\(seed)-\(step)", purposes: purposes)
                    mustFail = closedThrough.map { request.effectiveDate <= $0 } ?? false
                    let result = try fixture.ledger.post(request)
                    posted.append((request.idempotencyKey, request, result.entryID))
                case 5:
                    // A replay returns the first result, even after its period was closed.
                    guard let earlier = posted.randomElement(using: &random) else { continue }
                    let replay = try fixture.ledger.post(earlier.request)
                    #expect(replay.replayed && replay.entryID == earlier.entryID)
                case 6:
                    guard let target = posted.randomElement(using: &random) else { continue }
                    mustFail = reversed.contains(target.entryID)
                    let date = try CalendarDate(iso: "2026-12-0\(1 + random.next() % 9)")
                    _ = try fixture.ledger.reverse(schoolID: fixture.school.id, entryID: target.entryID, effectiveDate: date, idempotencyKey: "rev-\(step)")
                    reversed.insert(target.entryID)
                case 7:
                    mustFail = true
                    var request = try randomEntry(fixture, &random, key: "bad-\(step)", purposes: purposes)
                    request.postings[0].amount = try request.postings[0].amount.adding(Money(dong: 1))
                    try fixture.ledger.post(request)
                case 8:
                    mustFail = true
                    guard let earlier = posted.randomElement(using: &random) else { throw LedgerError.postingCount(0) }
                    var changed = earlier.request
                    changed.description += " (changed)"
                    try fixture.ledger.post(changed)
                default:
                    let month = try CalendarMonth(iso: "2026-0\(1 + random.next() % 8)")
                    mustFail = closedThrough.map { month.lastDay <= $0 } ?? false
                    try fixture.pool.transaction(isolation: .readCommitted) {
                        try Periods.close(schoolID: fixture.school.id, month: month, actor: Actor(name: "kt", role: .accountant), on: $0)
                    }
                    closedThrough = month.lastDay
                }
                #expect(!mustFail, "step \(step) (choice \(choice)) should have been refused")
            } catch {
                #expect(mustFail, "step \(step) (choice \(choice)) failed unexpectedly: \(error)")
                #expect(try fixture.allBalances() == before, "a refused operation changed a balance")
            }
            let report = try fixture.verify()
            #expect(report.isClean, "step \(step): \(report.findings)")
            let total = try fixture.allBalances().values.compactMap { $0 }.reduce(Int64(0)) { $0 + $1.dong }
            #expect(total == 0)
        }
    }

    func randomEntry(_ fixture: LedgerFixture, _ random: inout SplitMix64, key: String, purposes: [AccountPurpose]) throws -> JournalEntryRequest {
        let count = 2 + Int(random.next() % 3)
        // The first amount is positive, the middle ones random, the last balances them; never zero.
        var amounts = [Int64(random.next() % 2_000_000) + 1]
        for _ in 0..<(count - 2) {
            let magnitude = Int64(random.next() % 2_000_000) + 1
            amounts.append(random.next() % 2 == 0 ? magnitude : -magnitude)
        }
        if amounts.reduce(0, +) == 0 { amounts[0] += 1 }
        amounts.append(-amounts.reduce(0, +))
        let day = 1 + Int(random.next() % 28)
        let month = 1 + Int(random.next() % 12)
        let date = try CalendarDate(year: 2026, month: month, day: day)
        let dimensions = PostingDimensions(studentID: Int64(random.next() % 5), invoiceID: random.next() % 2 == 0 ? Int64(random.next() % 7) : nil)
        return JournalEntryRequest(schoolID: fixture.school.id, effectiveDate: date, kind: .adjustment, description: "random \(key)",
                                   idempotencyKey: key,
                                   postings: amounts.map { PostingRequest(accountID: fixture.account(purposes[Int(random.next() % UInt64(purposes.count))]),
                                                                          amount: Money(dong: $0), dimensions: dimensions) })
    }
}

/// Many writers on the same hot accounts, with keys repeated across threads.
@Suite struct LedgerConcurrencyTests {
    @Test func sixteenThreadsOnHotAccountsApplyEachKeyOnce() throws {
        let fixture = try LedgerFixture(poolSize: 16)
        let keys = 200
        let errors = Mutex<[String]>([])
        let newEntries = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { thread in
            for index in 0..<keys where (index + thread) % 2 == 0 || index % 5 == 0 {
                do {
                    // Every payment touches the same bank and suspense accounts; keys repeat across threads.
                    let request = try fixture.entry(key: "hot-\(index)", postings: [(.bank, 1_001 + Int64(index)), (.suspense, -500),
                                                                                    (.suspense, -500), (.receivable, -1 - Int64(index))])
                    let result = try fixture.ledger.post(request)
                    if !result.replayed { newEntries.withLock { $0 += 1 } }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(errors.withLock { $0 } == [])
        #expect(newEntries.withLock { $0 } == keys)
        let expectedBank = (0..<keys).reduce(Int64(0)) { $0 + 1_001 + Int64($1) }
        #expect(try fixture.balance(.bank) == Money(dong: expectedBank))
        #expect(try fixture.balance(.suspense) == Money(dong: -1_000 * Int64(keys)))
        let count = try fixture.pool.withConnection { try $0.query("SELECT count(*) FROM journal_entries").singleRow()!.decode(column: 0, as: Int64.self) }
        #expect(count == Int64(keys))
        #expect(try fixture.verify().isClean)
    }
}

