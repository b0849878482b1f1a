import Core
import Ledger
import Postgres
import Testing
import TestSupport

/// Migration 0024 removed write work done for nobody (docs/ledger.md, "What a callback's rows cost
/// the database"): the unique index of reversals now holds reversals only, and dimension balances
/// lost their per-row foreign-key check to `accounts`. The rules those enforced are still the
/// database's own; these check them as the application role, through plain SQL.
@Suite struct WritePathCostTests {
    /// A reversal of `original` (bank -amount, suspense +amount) with its own key, as one statement.
    func reversalStatement(_ fixture: LedgerFixture, key: String, original: Int64, amount: Int64) -> String {
        """
        WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash,
                                                posting_count, reverses_entry_id)
                   VALUES (\(fixture.school.id), '2026-09-20', 'reversal', 'raw reversal', '\(key)', decode(repeat('ab', 32), 'hex'), 2,
                           \(original))
                   RETURNING entry_id)
        INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
        SELECT \(fixture.school.id), e.entry_id, v.line, v.account, v.amount, '2026-09-20'
        FROM e, (VALUES (1, \(fixture.account(.bank)), \(-amount)), (2, \(fixture.account(.suspense)), \(amount))) AS v(line, account, amount)
        """
    }

    @Test func anEntryIsReversedOnceByTheDatabaseItself() throws {
        let fixture = try LedgerFixture()
        let original = try fixture.ledger.post(fixture.entry(key: "orig", postings: [(.bank, 700), (.suspense, -700)]))
        let plain = try fixture.ledger.post(fixture.entry(key: "plain", postings: [(.bank, 5), (.suspense, -5)]))
        let app = try fixture.database.connect()
        defer { app.close() }
        #expect(app.failedSQLState(reversalStatement(fixture, key: "rev-1", original: original.entryID, amount: 700)) == nil)
        // A second reversal of the same entry, bypassing the service's own check: the partial unique index refuses it.
        #expect(app.failedSQLState(reversalStatement(fixture, key: "rev-2", original: original.entryID, amount: 700)) == "23505")
        // Ordinary entries (no reversal) are not in that index and never collide with each other.
        try fixture.ledger.post(fixture.entry(key: "after", postings: [(.bank, 1), (.suspense, -1)]))
        #expect(app.failedSQLState(reversalStatement(fixture, key: "rev-plain", original: plain.entryID, amount: 5)) == nil)
        let reversals = try app.query("SELECT count(*) FROM journal_entries WHERE reverses_entry_id IS NOT NULL").singleRow()!
            .decode(column: 0, as: Int64.self)
        #expect(reversals == 2)
        #expect(try fixture.balance(.bank) == Money(dong: 1))
        #expect(try fixture.verify().isClean)
    }

    @Test func dimensionBalancesStayOnAccountsOfTheirSchool() throws {
        let fixture = try LedgerFixture()
        let other = try fixture.pool.transaction(isolation: .readCommitted) {
            try Schools.create(NewSchool(code: "TH-OTHER", name: "Trường khác", district: "Quận 3", level: .primary, paymentCodePrefix: "TK",
                                         bankAccounts: []), on: $0)
        }
        let otherCash = try fixture.pool.withConnection { try LedgerQueries.account(schoolID: other.id, purpose: .cash, on: $0)!.accountID }
        try fixture.ledger.post(fixture.entry(key: "with-student", postings: [(.bank, 100), (.receivable, -100)],
                                              dimensions: PostingDimensions(studentID: 7)))
        let app = try fixture.database.connect()
        defer { app.close() }
        // A posting with a dimension on another school's account: refused by the postings trigger,
        // before any balance row is written.
        #expect(app.failedSQLState("""
            WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
                       VALUES (\(fixture.school.id), '2026-09-10', 'adjustment', 'raw', 'cross-dimension', decode(repeat('ab', 32), 'hex'), 2)
                       RETURNING entry_id)
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date, student_id)
            SELECT \(fixture.school.id), entry_id, n, CASE n WHEN 1 THEN \(otherCash) ELSE \(fixture.account(.bank)) END,
                   CASE n WHEN 1 THEN 5 ELSE -5 END, '2026-09-10', 7 FROM e, generate_series(1, 2) n
            """) == "23503")
        // Written directly: refused by the guard, whatever the account.
        #expect(app.failedSQLState("""
            INSERT INTO dimension_balances (school_id, account_id, dimension, dimension_id, balance, posting_count)
            VALUES (\(fixture.school.id), \(otherCash), 'student', 7, 5, 1)
            """) != nil)
        // An account with balances keeps its key: its id is generated always, it cannot move to another
        // school (account_balances' foreign key), and it is never deleted.
        #expect(app.failedSQLState("""
            UPDATE accounts SET account_id = account_id + 1000000 WHERE school_id = \(fixture.school.id) AND account_id = \(fixture.account(.receivable))
            """) == "428C9")
        #expect(app.failedSQLState("""
            UPDATE accounts SET school_id = \(other.id), code = code || '-moved' WHERE school_id = \(fixture.school.id) AND account_id = \(fixture.account(.receivable))
            """) == "23503")
        #expect(app.failedSQLState("DELETE FROM accounts WHERE school_id = \(fixture.school.id) AND account_id = \(fixture.account(.receivable))") != nil)
        let foreign = try app.query("""
            SELECT count(*) FROM dimension_balances d
            WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.school_id = d.school_id AND a.account_id = d.account_id)
            """).singleRow()!.decode(column: 0, as: Int64.self)
        #expect(foreign == 0)
        #expect(try fixture.verify().isClean)
    }
}
