import Core
import Foundation
import Ledger
import Postgres
import Testing
import TestSupport

/// Migration 0021 moved where the database checks an entry (per statement instead of a deferred
/// per-row trigger; the balance guard decided by the trigger's WHEN clause). Each rule is still the
/// database's own: these run as the application role, through plain SQL.
@Suite struct EntryCheckPlacementTests {
    /// An entry declaring `count` postings, with `lines` of them (bank +100, suspense -100, ...) in the same statement.
    func entryStatement(_ fixture: LedgerFixture, key: String, count: Int, lines: [(line: Int, purpose: AccountPurpose, amount: Int64)]) -> String {
        let values = lines.map { "(\($0.line), \(fixture.account($0.purpose)), \($0.amount))" }.joined(separator: ", ")
        return """
            WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
                       VALUES (\(fixture.school.id), '2026-09-10', 'adjustment', 'raw', '\(key)', decode(repeat('ab', 32), 'hex'), \(count))
                       RETURNING entry_id)
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(fixture.school.id), e.entry_id, v.line, v.account, v.amount, '2026-09-10'
            FROM e, (VALUES \(values)) AS v(line, account, amount)
            """
    }

    func postingsTo(_ fixture: LedgerFixture, key: String, lines: [(line: Int, purpose: AccountPurpose, amount: Int64)]) -> String {
        let values = lines.map { "(\($0.line), \(fixture.account($0.purpose)), \($0.amount))" }.joined(separator: ", ")
        return """
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(fixture.school.id), e.entry_id, v.line, v.account, v.amount, '2026-09-10'
            FROM journal_entries e, (VALUES \(values)) AS v(line, account, amount)
            WHERE e.school_id = \(fixture.school.id) AND e.idempotency_key = '\(key)'
            """
    }

    @Test func postingsCannotBeAddedToAnEntryLaterInItsTransaction() throws {
        let fixture = try LedgerFixture()
        let app = try fixture.database.connect()
        defer { app.close() }
        let pair: [(line: Int, purpose: AccountPurpose, amount: Int64)] = [(1, .bank, 100), (2, .suspense, -100)]
        // A balanced pair more, on new lines, in the same transaction: the entry declared two.
        #expect(app.failedSQLState(entryStatement(fixture, key: "later-new-lines", count: 2, lines: pair) + "; "
                        + postingsTo(fixture, key: "later-new-lines", lines: [(3, .bank, 5), (4, .suspense, -5)])) == "TU002")
        // The same lines again: taken.
        #expect(app.failedSQLState(entryStatement(fixture, key: "later-same-lines", count: 2, lines: pair) + "; "
                        + postingsTo(fixture, key: "later-same-lines", lines: [(1, .bank, 5), (2, .suspense, -5)])) == "23505")
        // An entry whose postings come in a later statement is refused at its own statement,
        // even though the later statement would have completed it.
        let entryOnly = """
            INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
            VALUES (\(fixture.school.id), '2026-09-10', 'adjustment', 'raw', 'split', decode(repeat('ab', 32), 'hex'), 2)
            """
        #expect(app.failedSQLState(entryOnly + "; " + postingsTo(fixture, key: "split", lines: pair)) == "TU002")
        // Too few postings for the count declared, too many, or lines beyond it: refused.
        #expect(app.failedSQLState(entryStatement(fixture, key: "short", count: 3, lines: pair)) == "TU002")
        #expect(app.failedSQLState(entryStatement(fixture, key: "long", count: 2, lines: pair + [(3, .cash, 7), (4, .cash, -7)])) == "TU002")
        #expect(app.failedSQLState(entryStatement(fixture, key: "gap", count: 2, lines: [(1, .bank, 100), (3, .suspense, -100)])) == "TU002")
        #expect(app.failedSQLState(entryStatement(fixture, key: "unbalanced", count: 2, lines: [(1, .bank, 100), (2, .suspense, -99)])) == "TU002")
        // Nothing of it reached the ledger.
        #expect(try app.query("SELECT count(*) FROM journal_entries").singleRow()!.decode(column: 0, as: Int64.self) == 0)
        #expect(try fixture.balance(.bank) == nil)
        // Well formed, through plain SQL, and two entries in one statement: accepted, balances follow.
        #expect(app.failedSQLState(entryStatement(fixture, key: "good", count: 2, lines: pair)) == nil)
        #expect(app.failedSQLState("""
            WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash, posting_count)
                       VALUES (\(fixture.school.id), '2026-09-10', 'adjustment', 'raw', 'two-a', decode(repeat('ab', 32), 'hex'), 2),
                              (\(fixture.school.id), '2026-09-10', 'adjustment', 'raw', 'two-b', decode(repeat('ab', 32), 'hex'), 2)
                       RETURNING entry_id)
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(fixture.school.id), e.entry_id, v.line, v.account, v.amount, '2026-09-10'
            FROM e, (VALUES (1, \(fixture.account(.bank)), 10), (2, \(fixture.account(.suspense)), -10)) AS v(line, account, amount)
            """) == nil)
        #expect(try fixture.balance(.bank) == Money(dong: 120))
        #expect(try fixture.verify().isClean)
    }

    @Test func theApplicationRoleWritesNoBalanceWhicheverWay() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.post(fixture.entry(key: "kept", postings: [(.bank, 100), (.receivable, -100)],
                                              dimensions: PostingDimensions(studentID: 7)))
        let app = try fixture.database.connect()
        defer { app.close() }
        let (school, bank, receivable) = (fixture.school.id, fixture.account(.bank), fixture.account(.receivable))
        let attempts = [
            "INSERT INTO account_balances VALUES (\(school), \(bank), 15, 1, 1)",
            "UPDATE account_balances SET balance = balance + 1 WHERE school_id = \(school)",
            "DELETE FROM account_balances WHERE school_id = \(school)",
            "INSERT INTO dimension_balances VALUES (\(school), \(receivable), 'student', 8, 5, 1)",
            "UPDATE dimension_balances SET balance = 0 WHERE school_id = \(school)",
            "DELETE FROM dimension_balances WHERE school_id = \(school)",
            // From inside a statement of its own (a data-modifying CTE) or a DO block: still depth 0.
            "WITH x AS (UPDATE account_balances SET balance = 0 WHERE school_id = \(school) RETURNING 1) SELECT count(*) FROM x",
            "DO $$ BEGIN UPDATE dimension_balances SET balance = 0 WHERE school_id = \(school); END $$",
            // An upsert the way the postings trigger writes them.
            """
            INSERT INTO account_balances AS b VALUES (\(school), \(bank), 0, 5, 1)
            ON CONFLICT (school_id, account_id, shard) DO UPDATE SET balance = b.balance + 5
            """,
        ]
        for sql in attempts {
            #expect(app.failedSQLState(sql) == "TU003", "\(sql)")
        }
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        #expect(try fixture.verify().isClean)
    }

    /// A session's temporary tables come first in its search path: named like the ledger's, they must
    /// not stand in for them inside the checks (migration 0022).
    @Test func temporaryTablesCannotStandInForTheLedgers() throws {
        let fixture = try LedgerFixture()
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: fixture.school.id, month: CalendarMonth(year: 2026, month: 9),
                              actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        let app = try fixture.database.connect()
        defer { app.close() }
        let pair: [(line: Int, purpose: AccountPurpose, amount: Int64)] = [(1, .bank, 100), (2, .suspense, -100)]
        // A school with no closed period, in front of the real one: the entry is still in a closed month.
        #expect(app.failedSQLState("CREATE TEMP TABLE schools (school_id bigint, closed_through date); "
                        + "INSERT INTO pg_temp.schools VALUES (\(fixture.school.id), NULL); "
                        + entryStatement(fixture, key: "shadow-school", count: 2, lines: pair)) == "TU001")
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.reopen(schoolID: fixture.school.id, month: CalendarMonth(year: 2026, month: 9),
                               actor: Actor(name: "stc", role: .financeOffice), on: $0)
        }
        // Postings sent to a temporary `postings`: the entry has none of its own and is refused.
        #expect(app.failedSQLState("CREATE TEMP TABLE postings (LIKE public.postings); "
                        + entryStatement(fixture, key: "shadow-postings", count: 2, lines: pair)) == "TU002")
        #expect(try fixture.verify().isClean)
    }

    /// A trigger of the session's own, on a temporary table, runs at depth 1 like the postings
    /// trigger: the guard refuses it because it does not run as the owner (migration 0022).
    @Test func aTriggerOfTheApplicationsOwnWritesNoBalance() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.post(fixture.entry(key: "kept", postings: [(.bank, 100), (.receivable, -100)],
                                              dimensions: PostingDimensions(studentID: 7)))
        let app = try fixture.database.connect()
        defer { app.close() }
        for table in ["account_balances", "dimension_balances"] {
            #expect(app.failedSQLState("""
                CREATE FUNCTION pg_temp.sneak() RETURNS trigger LANGUAGE plpgsql AS $f$
                BEGIN UPDATE public.\(table) SET balance = balance + 1 WHERE school_id = \(fixture.school.id); RETURN NULL; END $f$;
                CREATE TEMP TABLE poke (x integer);
                CREATE TRIGGER poke_after AFTER INSERT ON poke FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.sneak();
                INSERT INTO poke VALUES (1)
                """) == "TU003", "\(table)")
        }
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        #expect(try fixture.verify().isClean)
    }

    /// A deployment may run the program as the owner itself (one role): its postings still keep
    /// their balances, and its direct writes to balances are still refused.
    @Test func theOwnersOwnSessionPostsButWritesNoBalance() throws {
        let fixture = try LedgerFixture()
        let owner = try fixture.database.connectAsOwner()
        defer { owner.close() }
        #expect(owner.failedSQLState(entryStatement(fixture, key: "by-owner", count: 2, lines: [(1, .bank, 70), (2, .suspense, -70)])) == nil)
        #expect(try fixture.balance(.bank) == Money(dong: 70))
        #expect(owner.failedSQLState("UPDATE account_balances SET balance = 0 WHERE school_id = \(fixture.school.id)") == "TU003")
        #expect(try fixture.verify().isClean)
    }

    /// Every function of the schema resolves table names in the schema, temporary tables last: a
    /// function added by a later migration without `SET search_path` fails here.
    @Test func everyFunctionStatesItsSearchPath() throws {
        let fixture = try LedgerFixture()
        let app = try fixture.database.connect()
        defer { app.close() }
        let unset = try app.query("""
            SELECT p.proname::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
              AND p.proname NOT IN ('ledger_acting_as_owner', 'ledger_balance_shards')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
              AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS c(setting) WHERE c.setting = 'search_path=public, pg_temp')
            ORDER BY 1
            """).map { try $0.decode(column: 0, as: String.self) }
        #expect(unset == [])
        let definers = try app.query("SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosecdef ORDER BY 1")
            .map { try $0.decode(column: 0, as: String.self) }
        #expect(definers == ["ledger_change_period", "ledger_postings_inserted"])
    }

    @Test func theHistoryReadSeesOnlyItsSchool() throws {
        let fixture = try LedgerFixture()
        let posted = try fixture.ledger.post(fixture.entry(key: "mine", postings: [(.bank, 100), (.suspense, -100)]))
        let other = try fixture.pool.transaction(isolation: .readCommitted) {
            try Schools.create(NewSchool(code: "TH-OTHER", name: "Trường khác", district: "Quận 3", level: .primary,
                                         paymentCodePrefix: "TK", bankAccounts: []), on: $0)
        }
        let app = try fixture.database.connect()
        defer { app.close() }
        func kinds(_ school: Int64) throws -> [String] {
            try app.query("""
                SELECT kind || ':' || coalesce(number::text, '') FROM ledger_entry_history(\(school),
                    \(PostgresInt64Array([fixture.account(.bank), fixture.account(.suspense)])), \(PostgresInt64Array([posted.entryID])),
                    \(PostgresTextArray(["mine", "absent"])))
                ORDER BY 1
                """).map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(try kinds(fixture.school.id) == ["account:\(fixture.account(.bank))", "account:\(fixture.account(.suspense))",
                                                 "entry:\(posted.entryID)", "reversed:\(posted.entryID)", "school:"].sorted())
        // The same ids asked for in another school: only that school's row.
        #expect(try kinds(other.id) == ["school:"])
    }
}
