import Core
import Foundation
import Ledger
@testable import Payments
import Postgres
import Testing
import TestSupport

/// A batch of callbacks draws its ids and finds its duplicates in one statement, then writes each
/// new bank transaction once, complete (booking entry and matcher's decision): these tests pin what
/// that must keep — exactly one row per provider transaction, duplicates named with the recorded
/// id, and a provider transaction recorded by another transaction meanwhile rolling the batch back.
@Suite struct IncomingBatchTests {
    static func transaction(_ id: String, amount: Int64, schoolID: Int64, account: Int64) throws -> NewBankTransaction {
        NewBankTransaction(schoolID: schoolID, bankAccountID: account, origin: .callback(provider: "tuition", transactionID: id),
                           direction: .incoming, amount: Money(dong: amount), bookedOn: try CalendarDate(iso: "2026-09-15"),
                           memo: "hoc phi", payerName: "NGUYEN VAN BINH")
    }

    static func bankAccount(_ fixture: CallbackFixture) throws -> Int64 {
        try fixture.pool.withConnection { try Schools.bankAccounts(schoolID: fixture.school.id, on: $0)[0].id }
    }

    @Test func newRowsAreWrittenCompleteAndDuplicatesNameTheRecordedOne() throws {
        let fixture = try CallbackFixture()
        let school = fixture.school, account = try IncomingBatchTests.bankAccount(fixture)
        let first = try fixture.pool.transaction(isolation: .readCommitted) { connection in
            try IncomingBatch.record([try IncomingBatchTests.transaction("T-OLD", amount: 100_000, schoolID: school.id, account: account)],
                                     status: "provisional", school: school, on: connection).sendingReceipts(on: connection)
        }
        guard case .recorded(let oldID, _, _) = first[0] else { Issue.record("not recorded: \(first)"); return }

        let batch = try [("T-NEW-1", 200_000), ("T-OLD", 100_000), ("T-NEW-2", 300_000), ("T-NEW-1", 999_000), ("T-OLD", 5_000)].map {
            try IncomingBatchTests.transaction($0.0, amount: $0.1, schoolID: school.id, account: account)
        }
        let outcomes = try fixture.pool.transaction(isolation: .readCommitted) { connection in
            try IncomingBatch.record(batch, status: "provisional", school: school, on: connection).sendingReceipts(on: connection)
        }
        guard case .recorded(let new1, _, _) = outcomes[0], case .recorded(let new2, _, _) = outcomes[2] else {
            Issue.record("new ones not recorded: \(outcomes)"); return
        }
        #expect(new1 > oldID && new2 > new1, "ids ascend in batch order")
        #expect(outcomes[1] == .duplicate(id: oldID, differs: false))
        #expect(outcomes[3] == .duplicate(id: new1, differs: true))
        #expect(outcomes[4] == .duplicate(id: oldID, differs: true))

        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 3)
        // Each new row carries its booking entry (of its own amount) and the matcher's decision from its insert.
        #expect(try fixture.count("""
            SELECT count(*) FROM bank_transactions t JOIN journal_entries e ON e.school_id = t.school_id AND e.entry_id = t.entry_id
            WHERE t.match_decision IS NOT NULL AND e.bank_transaction_id = t.bank_transaction_id
            """) == 3)
        #expect(try fixture.count("SELECT amount FROM bank_transactions WHERE bank_transaction_id = \(new1)") == 200_000)
        #expect(try fixture.pool.withConnection { try LedgerVerifier.verify(on: $0) }.isClean)
    }

    @Test func aTransactionRecordedMeanwhileRollsTheBatchBack() throws {
        let fixture = try CallbackFixture()
        let school = fixture.school, account = try IncomingBatchTests.bankAccount(fixture)
        let entriesBefore = try fixture.count("SELECT count(*) FROM journal_entries")
        // Another session inserts T-RACE and has not committed: the batch's first look cannot see it.
        let other = try fixture.billing.database.connect()
        defer { other.close() }
        _ = try other.simpleQuery(unsafeSQL: "BEGIN")
        try other.query("""
            INSERT INTO bank_transactions (school_id, bank_account_id, origin, provider, provider_transaction_id, direction, amount,
                                           booked_on, status)
            VALUES (\(school.id), \(account), 'callback', 'tuition', 'T-RACE', 'in', 150000, '2026-09-15', 'provisional')
            """)
        let otherPID = try other.query("SELECT pg_backend_pid()").singleRow()!.decode(column: 0, as: Int64.self)

        let batch = try [IncomingBatchTests.transaction("T-FINE", amount: 200_000, schoolID: school.id, account: account),
                         IncomingBatchTests.transaction("T-RACE", amount: 150_000, schoolID: school.id, account: account)]
        let result = try BlockingThreads.map(count: 2, threads: 2) { role -> String in
            if role == 1 {
                // Commit the other insert once the batch waits on it (at its own insert, after its ledger entries).
                for _ in 0..<500 {
                    let waiting = (try? fixture.count("""
                        SELECT count(*) FROM pg_locks w JOIN pg_locks h ON h.transactionid = w.transactionid AND h.granted
                        WHERE NOT w.granted AND h.pid = \(otherPID)
                        """)) ?? 0
                    if waiting > 0 { break }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                _ = try? other.simpleQuery(unsafeSQL: "COMMIT")
                return "committed"
            }
            do {
                _ = try fixture.pool.transaction(isolation: .readCommitted) { connection in
                    try IncomingBatch.record(batch, status: "provisional", school: school, on: connection).sendingReceipts(on: connection)
                }
                return "recorded"
            } catch {
                return "\(error)"
            }
        }
        // The insert's row count is checked on the server (it travels with the COMMIT): SQLSTATE TU023.
        #expect(result[0].contains(IncomingBatch.recordedMeanwhileState.rawValue), "\(result[0])")
        // Rolled back whole: no entry of the batch stays, T-FINE is not recorded, T-RACE once (the other's).
        #expect(try fixture.count("SELECT count(*) FROM journal_entries") == entriesBefore)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 1)

        // Retried, the batch records T-FINE and names T-RACE a duplicate.
        let retried = try fixture.pool.transaction(isolation: .readCommitted) { connection in
            try IncomingBatch.record(batch, status: "provisional", school: school, on: connection).sendingReceipts(on: connection)
        }
        guard case .recorded = retried[0], case .duplicate(_, false) = retried[1] else { Issue.record("\(retried)"); return }
        #expect(try fixture.pool.withConnection { try LedgerVerifier.verify(on: $0) }.isClean)
    }
}
