import Core
import Ledger
import Postgres
import Testing
import TestSupport

/// Migrations 0024 and 0028 removed write work done for nobody (docs/ledger.md, "What a callback's
/// rows cost the database"): the unique index of reversals now holds reversals only, dimension
/// balances lost their per-row foreign-key check to `accounts`, entries theirs to `schools` (checked
/// by the entries trigger; schools are kept with their key), and match decisions are stored as
/// `json`. The rules those enforced are still the database's own; these check them as the
/// application role, through plain SQL.
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

    /// An entry alone, as one statement, for `school` (no postings: its declared count is left unmet).
    func bareEntry(school: Int64, key: String) -> String {
        """
        INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
        VALUES (\(school), '2026-09-10', 'adjustment', 'raw', '\(key)', decode(repeat('ab', 32), 'hex'), 2)
        """
    }

    @Test func anEntryNamesASchoolThatExists() throws {
        let fixture = try LedgerFixture()
        let app = try fixture.database.connect()
        defer { app.close() }
        let missing = try app.query("SELECT coalesce(max(school_id), 0) + 1000 FROM schools").singleRow()!.decode(column: 0, as: Int64.self)
        // No school of that id: refused as the foreign key did (23503), before the entry's other rules.
        #expect(app.failedSQLState(bareEntry(school: missing, key: "nowhere")) == "23503")
        // The same statement for a school that exists fails only on its missing postings.
        #expect(app.failedSQLState(bareEntry(school: fixture.school.id, key: "somewhere")) == "TU002")
        let entries = try app.query("SELECT count(*) FROM journal_entries WHERE school_id = \(missing)").singleRow()!
            .decode(column: 0, as: Int64.self)
        #expect(entries == 0)
    }

    @Test func aSchoolIsKeptWithItsKey() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.post(fixture.entry(key: "kept", postings: [(.bank, 100), (.suspense, -100)]))
        let app = try fixture.database.connect()
        defer { app.close() }
        let school = fixture.school.id
        // What the foreign key from entries guaranteed, for ever: the school named stays, under its key.
        #expect(app.failedSQLState("DELETE FROM schools WHERE school_id = \(school)") == "TU003")
        #expect(app.failedSQLState("UPDATE schools SET school_id = DEFAULT WHERE school_id = \(school)") == "TU003")
        // Its other columns still change.
        #expect(app.failedSQLState("UPDATE schools SET name = name || ' (mới)' WHERE school_id = \(school)") == nil)
        let orphans = try app.query("""
            SELECT count(*) FROM journal_entries e WHERE NOT EXISTS (SELECT 1 FROM schools s WHERE s.school_id = e.school_id)
            """).singleRow()!.decode(column: 0, as: Int64.self)
        #expect(orphans == 0)
        #expect(try fixture.verify().isClean)
    }

    @Test func aMatchDecisionIsValidJSONKeptAsWritten() throws {
        let fixture = try LedgerFixture()
        let app = try fixture.database.connect()
        defer { app.close() }
        func insert(_ decision: String) -> String {
            """
            INSERT INTO bank_transactions (school_id, bank_account_id, origin, direction, amount, booked_on, status, match_decision)
            SELECT school_id, bank_account_id, 'statement', 'in', 1000, '2026-09-10', 'provisional', '\(decision)'
            FROM bank_accounts WHERE school_id = \(fixture.school.id)
            """
        }
        // Not JSON: refused by the column's type, as with jsonb.
        #expect(app.failedSQLState(insert(#"{"rule": "payment_code""#)) == "22P02")
        let written = #"{"rule":"payment_code","confidence":"certain"}"#
        #expect(app.failedSQLState(insert(written)) == nil)
        let stored = try app.query("SELECT match_decision::text FROM bank_transactions WHERE school_id = \(fixture.school.id)")
            .singleRow()!.decode(column: 0, as: String.self)
        #expect(stored == written)
    }

    @Test func aBankTransactionNamesABankAccountAndAnEntryOfItsSchool() throws {
        let fixture = try LedgerFixture()
        let entry = try fixture.ledger.post(fixture.entry(key: "booking", postings: [(.bank, 100), (.suspense, -100)])).entryID
        let app = try fixture.database.connect()
        defer { app.close() }
        let school = fixture.school.id
        let account = try app.query("SELECT bank_account_id FROM bank_accounts WHERE school_id = \(school)").singleRow()!
            .decode(column: 0, as: Int64.self)
        func insert(account: Int64, entry: String) -> String {
            """
            INSERT INTO bank_transactions (school_id, bank_account_id, origin, direction, amount, booked_on, status, entry_id)
            VALUES (\(school), \(account), 'statement', 'in', 100, '2026-09-10', 'provisional', \(entry))
            """
        }
        // Checked once per statement by a trigger since 0028, refused as the foreign keys refused them.
        #expect(app.failedSQLState(insert(account: account + 1000, entry: "NULL")) == "23503")
        #expect(app.failedSQLState(insert(account: account, entry: "\(entry + 1000)")) == "23503")
        #expect(app.failedSQLState(insert(account: account, entry: "\(entry)")) == nil)
        // An update naming an entry that does not exist: refused too; clearing it is not.
        #expect(app.failedSQLState("UPDATE bank_transactions SET entry_id = \(entry + 1000) WHERE school_id = \(school)") == "23503")
        #expect(app.failedSQLState("UPDATE bank_transactions SET entry_id = NULL WHERE school_id = \(school)") == nil)
        // What the row locks of the foreign keys guaranteed: the account and the entry stay, under their keys.
        #expect(app.failedSQLState("DELETE FROM bank_accounts WHERE school_id = \(school)") == "TU003")
        #expect(app.failedSQLState("UPDATE bank_accounts SET bank_account_id = DEFAULT WHERE school_id = \(school)") == "TU003")
        #expect(app.failedSQLState("UPDATE bank_accounts SET holder_name = holder_name WHERE school_id = \(school)") == nil)
        #expect(app.failedSQLState("DELETE FROM journal_entries WHERE school_id = \(school) AND entry_id = \(entry)") == "TU003")
        let dangling = try app.query("""
            SELECT count(*) FROM bank_transactions t
            WHERE NOT EXISTS (SELECT 1 FROM bank_accounts a WHERE a.school_id = t.school_id AND a.bank_account_id = t.bank_account_id)
               OR (t.entry_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.school_id = t.school_id AND e.entry_id = t.entry_id))
            """).singleRow()!.decode(column: 0, as: Int64.self)
        #expect(dangling == 0)
    }
}
