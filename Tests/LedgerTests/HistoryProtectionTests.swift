import Core
import Foundation
import Ledger
import Postgres
import Testing
import TestSupport

/// The database protects its history from the program: a session with the application's
/// credentials (what `tuition serve` runs as) cannot change, remove or unprotect history, and the
/// ledger still verifies clean after it tried.
@Suite struct HistoryProtectionTests {
    static let historyTables = [
        "journal_entries", "postings", "accounts", "account_balances", "dimension_balances", "ledger_failures", "period_events",
        "schools", "student_changes", "invoices", "invoice_lines", "receipts", "payment_applications", "callback_deliveries",
        "bank_transactions", "statement_imports", "bank_statements", "statement_lines", "suspense_dispositions", "reconciliation_runs",
    ]

    @Test func theApplicationRoleCannotChangeHistory() throws {
        let fixture = try LedgerFixture()
        let school = fixture.school.id
        let posted = try fixture.ledger.post(fixture.entry(key: "kept", postings: [(.bank, 100), (.suspense, -100)]))
        try fixture.pool.transaction(isolation: .readCommitted) {
            try Periods.close(schoolID: school, month: CalendarMonth(year: 2026, month: 9), actor: Actor(name: "kt", role: .accountant), on: $0)
        }
        let app = try fixture.database.connect()
        defer { app.close() }
        #expect(try app.query("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").singleRow()!
            .decode(column: 0, as: Bool.self) == false)
        let denied = "42501"
        let attempts: [(String, String)] = [
            ("UPDATE postings SET amount = 101 WHERE school_id = \(school)", "TU003"),
            ("DELETE FROM journal_entries WHERE entry_id = \(posted.entryID)", "TU003"),
            ("UPDATE period_events SET actor = 'someone else'", "TU003"),
            ("DELETE FROM period_events", "TU003"),
            ("INSERT INTO period_events (school_id, month, action, actor, actor_role, closed_through_after) VALUES (\(school), '2026-09-01', 'reopen', 'x', 'admin', '2026-08-31')", "TU003"),
            ("UPDATE schools SET closed_through = NULL WHERE school_id = \(school)", "TU003"),
            ("ALTER TABLE postings DISABLE TRIGGER postings_immutable", denied),
            ("ALTER TABLE postings DISABLE TRIGGER ALL", denied),
            ("ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_check", denied),
            // A column's rule kept in its domain (migration 0027) belongs to the owner too.
            ("ALTER DOMAIN journal_entries_effective_date DROP CONSTRAINT journal_entries_effective_date_check", denied),
            ("ALTER TABLE journal_entries ALTER COLUMN effective_date TYPE date", denied),
            ("DROP TRIGGER postings_immutable ON postings", denied),
            ("CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$", denied),
            ("SET session_replication_role = replica", denied),
            ("CREATE TABLE shadow (n int)", denied),
        ] + Self.historyTables.map { ("TRUNCATE \($0) CASCADE", denied) }
        for (sql, expected) in attempts {
            #expect(app.failedSQLState(sql) == expected, "\(sql)")
        }
        #expect(try fixture.balance(.bank) == Money(dong: 100))
        let closed = try app.query("SELECT closed_through FROM schools WHERE school_id = \(school)").singleRow()!
        #expect(try closed.decode(column: 0, as: CalendarDate?.self) == CalendarDate(iso: "2026-09-30"))
        #expect(try app.query("SELECT count(*) FROM period_events").singleRow()!.decode(column: 0, as: Int64.self) == 1)
        #expect(try fixture.verify().isClean)
        // What an operator runs afterwards, as the application role: clean.
        let configuration = fixture.database.configuration
        let url = "postgres://\(configuration.value("user")!)@/\(configuration.value("dbname")!)?host=\(configuration.value("host")!)"
            + "&port=\(configuration.value("port")!)"
        let verify = try TuitionBinary.run(["ledger", "verify"], environment: ["DATABASE_URL": url])
        #expect(verify.status == 0 && verify.output.contains("ledger verify: 1 schools"), "\(verify.output)")
    }

    @Test func evenTheOwnerCannotTruncateHistory() throws {
        let fixture = try LedgerFixture()
        let owner = try fixture.database.connectAsOwner()
        defer { owner.close() }
        for table in Self.historyTables {
            #expect(owner.failedSQLState("TRUNCATE \(table) CASCADE") == "TU003", "TRUNCATE \(table)")
        }
    }

    @Test func aPeriodMovesOnlyWithItsEventAndInItsDirection() throws {
        let fixture = try LedgerFixture()
        let app = try fixture.database.connect()
        defer { app.close() }
        let school = fixture.school.id
        #expect(app.failedSQLState("SELECT ledger_change_period(\(school), '2026-09-01', 'close', 'kt', 'accountant')") == nil)
        // Closing the same month again, reopening an open one, or a day other than the first: refused.
        #expect(app.failedSQLState("SELECT ledger_change_period(\(school), '2026-09-01', 'close', 'kt', 'accountant')") == "TU006")
        #expect(app.failedSQLState("SELECT ledger_change_period(\(school), '2026-10-01', 'reopen', 'fo', 'finance_office')") == "TU006")
        #expect(app.failedSQLState("SELECT ledger_change_period(\(school), '2026-09-02', 'close', 'kt', 'accountant')") == "TU006")
        #expect(app.failedSQLState("SELECT ledger_change_period(\(school), '2026-09-01', 'reopen', 'fo', 'finance_office')") == nil)
        let events = try app.query("SELECT action, closed_through_after::text FROM period_events ORDER BY event_id").map {
            try $0.decode((String, String).self)
        }
        #expect(events.map(\.0) == ["close", "reopen"])
        #expect(events.map(\.1) == ["2026-09-30", "2026-08-31"])
        #expect(try fixture.verify().isClean)
    }

    @Test func aReversalMustMirrorItsOriginal() throws {
        let fixture = try LedgerFixture()
        let posted = try fixture.ledger.post(fixture.entry(key: "original", postings: [(.bank, 100), (.suspense, -100)]))
        let app = try fixture.database.connect()
        defer { app.close() }
        let (school, bank) = (fixture.school.id, fixture.account(.bank))
        func reversal(key: String, creditTo account: Int64) -> String {
            """
            WITH e AS (INSERT INTO journal_entries (school_id, effective_date, kind, description, idempotency_key, request_hash,
                                                    posting_count, reverses_entry_id)
                       VALUES (\(school), '2026-09-15', 'reversal', 'raw reversal', '\(key)', decode(repeat('ab', 32), 'hex'), 2,
                               \(posted.entryID)) RETURNING entry_id)
            INSERT INTO postings (school_id, entry_id, line, account_id, amount, effective_date)
            SELECT \(school), entry_id, n, CASE n WHEN 1 THEN \(bank) ELSE \(account) END, CASE n WHEN 1 THEN -100 ELSE 100 END, '2026-09-15'
            FROM e, generate_series(1, 2) n
            """
        }
        // Balanced, but onto another account than the original's: refused at commit.
        #expect(app.failedSQLState(reversal(key: "wrong", creditTo: fixture.account(.feeIncome))) == "TU007")
        #expect(app.failedSQLState(reversal(key: "right", creditTo: fixture.account(.suspense))) == nil)
        #expect(try fixture.balance(.bank) == Money(dong: 0))
        #expect(try fixture.verify().isClean)
    }
}
