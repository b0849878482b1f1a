import BankFormats
import Billing
import Core
import Foundation
import Ledger
@testable import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// Two batches of one school in flight on its commit lane (docs/callbacks.md §6, seventh round),
/// against the real database: each test makes two batches overlap by holding a lock both must pass
/// (as another transaction would), checks that both were in flight at once, then releases it — and
/// the money must come out as if the batches had run one after the other.
@Suite struct LaneInFlightTests {
    /// How long a test waits for the batches it expects to block on its lock.
    static let waitSeconds = 20.0

    /// A connection holding, in an open transaction, what `lock` takes.
    final class Holder: Sendable {
        let connection: PostgresConnection

        init(_ fixture: StatementFixture, _ lock: (PostgresConnection) throws -> Void) throws {
            connection = try fixture.billing.database.connect()
            _ = try connection.simpleQuery(unsafeSQL: "BEGIN")
            try lock(connection)
            _ = try connection.query("SELECT 1")
        }

        func release() throws {
            _ = try connection.simpleQuery(unsafeSQL: "COMMIT")
            connection.close()
        }
    }

    /// Waits until at least `count` sessions of this test's database wait for a lock; false when they never
    /// do. (`pg_locks` is the whole cluster's: other tests of the process wait for locks of their own, and a
    /// row lock is waited for on the holder's transaction id, which names no database — hence the sessions.)
    static func awaitWaiters(_ count: Int64, _ fixture: StatementFixture) -> Bool {
        let deadline = Date().addingTimeInterval(waitSeconds)
        while Date() < deadline {
            if ((try? fixture.count("""
                SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted
                    AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())
                """)) ?? 0) >= count { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Delivers `first`, and once its batch waits on `holder`'s lock, `then` at once (one thread each:
    /// enough queued items for a second batch to start beside the first, `GroupCommit.queuedToStartAnotherBatchMin`);
    /// releases the lock once both batches wait on it (so they were in flight together). Results in order, `first`'s first.
    static func deliverInTwoBatches(first: String, then: [String], _ fixture: StatementFixture,
                                    holder: Holder) throws -> (results: [CallbackIngest.Result], together: Bool) {
        precondition(then.count >= GroupCommit.queuedToStartAnotherBatchMin)
        let together = Mutex(false)
        let roles = then.count + 2
        let results = try BlockingThreads.map(count: roles, threads: roles) { role -> CallbackIngest.Result? in
            switch role {
            case 0:
                return fixture.callbacks.deliver(first)
            case roles - 1:
                let waited = awaitWaiters(1, fixture) && awaitWaiters(2, fixture)
                together.withLock { $0 = waited }
                try holder.release()
                return nil
            default:
                guard awaitWaiters(1, fixture) else { return nil }
                return fixture.callbacks.deliver(then[role - 1])
            }
        }
        return (results.dropLast().compactMap { $0 }, together.withLock { $0 })
    }

    /// Payments that name nobody (they wait in suspense and lock no invoice): they fill the second batch.
    static func fillers(_ prefix: String) -> [String] {
        (1..<GroupCommit.queuedToStartAnotherBatchMin).map { CallbackFixture.body(id: "\(prefix)-FILL-\($0)", amount: 123_000, memo: "TIEN AN SANG") }
    }

    func bankAccount(_ fixture: StatementFixture) throws -> Int64 {
        try fixture.pool.withConnection { try Schools.bankAccounts(schoolID: fixture.school.id, on: $0)[0].id }
    }

    /// Both batches read the invoice as owing; the second decides only once the first committed (its
    /// matcher's read waits on the invoice lock), so the invoice is paid once and the second payment
    /// goes where a payment of a paid invoice goes when it comes alone — not "application refused".
    @Test func twoBatchesPayingOneInvoiceApplyItOnce() throws {
        let fixture = try StatementFixture()
        let invoiceID = fixture.invoices[fixture.dung.id]!.id
        let memo = "\(fixture.code(fixture.dung)) LE HOANG DUNG"
        let holder = try Holder(fixture) { connection in
            try connection.query("SELECT 1 FROM invoices WHERE invoice_id = \(invoiceID) FOR UPDATE")
        }
        let (all, together) = try Self.deliverInTwoBatches(first: CallbackFixture.body(id: "PAIR-1", amount: 500_000, memo: memo),
                                                           then: [CallbackFixture.body(id: "PAIR-2", amount: 500_000, memo: memo)] + Self.fillers("PAIR"),
                                                           fixture, holder: holder)
        #expect(together, "the two deliveries were not two batches in flight")
        #expect(all.count == 5 && all.allSatisfy { $0.outcome == .accepted }, "\(all.map(\.reason))")
        let results = Array(all.prefix(2))
        #expect(try fixture.invoice(fixture.dung).status == .paid)
        #expect(try fixture.count("SELECT coalesce(sum(amount), 0) FROM payment_applications WHERE invoice_id = \(invoiceID)") == 500_000)
        #expect(!results.contains { ($0.reason ?? "").contains("refused") }, "\(results.map(\.reason))")
        // The same payment again, alone: the second of the pair went the same way (decided on the paid invoice).
        let alone = fixture.callbacks.deliver(CallbackFixture.body(id: "PAIR-3", amount: 500_000, memo: memo))
        let disposition: (CallbackIngest.Result) -> String = { String(($0.reason ?? "").prefix { $0 != ":" }) }
        #expect(results.contains { ($0.reason ?? "").hasPrefix("applied (") }, "\(results.map(\.reason))")
        #expect(results.map(disposition).contains(disposition(alone)), "pair: \(results.map(\.reason)); alone: \(alone.reason ?? "")")
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 6)
        #expect(try fixture.billing.verify().isClean)
    }

    /// A provider transaction delivered twice at once lands in two batches in flight: the first records
    /// it; the second meets the unique index at its insert (TU023), is rolled back whole and retried
    /// delivery by delivery, and is answered as a duplicate of the first.
    @Test func oneProviderTransactionInTwoBatchesIsRecordedOnce() throws {
        let fixture = try StatementFixture()
        let invoiceID = fixture.invoices[fixture.an.id]!.id
        let body = CallbackFixture.body(id: "TWICE-1", amount: 500_000, memo: "\(fixture.code(fixture.an)) NGUYEN VAN AN")
        let holder = try Holder(fixture) { connection in
            try connection.query("SELECT 1 FROM invoices WHERE invoice_id = \(invoiceID) FOR UPDATE")
        }
        let (all, together) = try Self.deliverInTwoBatches(first: body, then: [body] + Self.fillers("TWICE"), fixture, holder: holder)
        #expect(together, "the two deliveries were not two batches in flight")
        let results = Array(all.prefix(2))
        #expect(Set(results.map(\.outcome)) == [.accepted, .duplicate], "\(results.map(\.reason))")
        #expect(all.dropFirst(2).allSatisfy { $0.outcome == .accepted }, "the batch's other deliveries, retried one by one")
        #expect(Set(results.compactMap(\.bankTransactionID)).count == 1)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE provider_transaction_id = 'TWICE-1'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 4)
        #expect(try fixture.count("SELECT count(*) FROM payment_applications") == 1)
        #expect(try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'") == 4)
        #expect(try fixture.callbacks.deliveries(verdict: "accepted") == 4 && fixture.callbacks.deliveries(verdict: "duplicate") == 1)
        #expect(try fixture.billing.verify().isClean)
    }

    /// Batches take the account's lock shared and run side by side; an import takes it exclusive and
    /// waits for every batch in flight, and a batch arriving meanwhile waits for the import.
    @Test func theAccountLockIsSharedByBatchesAndExclusiveForImports() throws {
        let fixture = try StatementFixture()
        let account = try bankAccount(fixture)
        func session(_ mode: StatementLocks.Mode) throws -> PostgresConnection {
            let connection = try fixture.billing.database.connect()
            do {
                _ = try connection.simpleQuery(unsafeSQL: "BEGIN")
                try connection.query("SET LOCAL lock_timeout = '300ms'")
                try StatementLocks.lockBankAccount(account, mode: mode, on: connection)
                _ = try connection.query("SELECT 1")
                return connection
            } catch {
                connection.close()
                throw error
            }
        }
        func timesOut(_ mode: StatementLocks.Mode) -> Bool {
            do {
                let connection = try session(mode)
                connection.close()
                return false
            } catch {
                return GroupCommit.isTimeout(error)
            }
        }
        let batch1 = try session(.shared), batch2 = try session(.shared)
        #expect(timesOut(.exclusive), "an import ran beside batches in flight")
        batch1.close()
        batch2.close()
        let importing = try session(.exclusive)
        #expect(timesOut(.shared), "a batch ran beside an import")
        importing.close()
        #expect(!timesOut(.shared))
    }

    /// A real import waits for a batch in flight, then sees what it committed: the statement line of a
    /// callback that batch recorded confirms it instead of booking the money a second time.
    @Test func anImportWaitsForABatchInFlightAndConfirmsItsCallback() throws {
        let fixture = try StatementFixture()
        let invoiceID = fixture.invoices[fixture.dung.id]!.id
        let memo = "MBVCB.91.\(fixture.code(fixture.dung)) LE HOANG DUNG"
        let holder = try Holder(fixture) { connection in
            try connection.query("SELECT 1 FROM invoices WHERE invoice_id = \(invoiceID) FOR UPDATE")
        }
        let text = StatementCallbackTests.statement([.init(date: MT940Statement.day(15), amount: 500_000, memo: memo, reference: "5301-1")])
        let outcome = try BlockingThreads.map(count: 3, threads: 3) { role -> String in
            switch role {
            case 0:
                let result = fixture.callbacks.deliver(CallbackFixture.body(id: "BEFORE-IMPORT", amount: 500_000, memo: memo))
                return "\(result.outcome)"
            case 1:
                // Starts once the batch is in flight (blocked on the invoice, holding the account lock shared).
                guard Self.awaitWaiters(1, fixture) else { return "the batch never waited" }
                let result = try fixture.run(text)
                return "confirmed \(result.counts.callbacksConfirmed), new \(result.counts.linesNew)"
            default:
                // The import waits too (on the account lock) before the batch may go on.
                let both = Self.awaitWaiters(2, fixture)
                try holder.release()
                return both ? "both waited" : "the import did not wait"
            }
        }
        #expect(outcome == ["accepted", "confirmed 1, new 0", "both waited"])
        #expect(try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'") == 1)
        #expect(try fixture.billing.verify().isClean)
    }

    /// Two equal late callbacks in two batches in flight, one statement line: the recognition lock lets
    /// one batch at a time look for an unclaimed line, so one claims it and the other is booked.
    @Test func oneStatementLineIsClaimedOnceByBatchesInFlight() throws {
        let fixture = try StatementFixture()
        let memo = "\(fixture.code(fixture.dung)) LE HOANG DUNG"
        _ = try fixture.run(StatementCallbackTests.statement([.init(date: MT940Statement.day(15), amount: 500_000, memo: "IBFT " + memo,
                                                                    reference: "FT26259001")]))
        let line = try fixture.count("SELECT bank_transaction_id FROM statement_lines")
        let account = try bankAccount(fixture)
        let holder = try Holder(fixture) { try StatementLocks.lockRecognition(account, on: $0) }
        let (all, together) = try Self.deliverInTwoBatches(first: CallbackFixture.body(id: "LATE-A", amount: 500_000, memo: memo),
                                                           then: [CallbackFixture.body(id: "LATE-B", amount: 500_000, memo: memo)] + Self.fillers("LATE"),
                                                           fixture, holder: holder)
        #expect(together, "the two deliveries were not two batches in flight")
        let results = Array(all.prefix(2))
        #expect(Set(results.map(\.outcome)) == [.accepted, .duplicate], "\(results.map(\.reason))")
        #expect(results.first { $0.outcome == .duplicate }?.bankTransactionID == line)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 5)
        #expect(try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'") == 5)
        #expect(try fixture.billing.verify().isClean)
    }

    /// Many senders, random payments of a few families' invoices (siblings, partial, over, repeats of
    /// one provider transaction): every delivery is answered (never "try later"), each provider
    /// transaction is recorded once, no invoice is paid beyond its total, and the ledger verifies.
    @Test func randomConcurrentBatchesStayExactlyOnceAndBalanced() throws {
        let fixture = try StatementFixture(poolSize: 8)
        let codes = [fixture.code(fixture.an), fixture.code(fixture.binh), fixture.code(fixture.dung), fixture.an.paymentCode]
        let sendersCount = 8, perSender = 25
        let bodies: [[String]] = (0..<sendersCount).map { sender in
            var generator = SeededGenerator(seed: UInt64(sender + 1))
            return (0..<perSender).map { n in
                // One id in five repeats an id another sender also uses: concurrent duplicates.
                let id = Int.random(in: 0..<5, using: &generator) == 0 ? "SHARED-\(n % 7)" : "R-\(sender)-\(n)"
                let amount = [100_000, 250_000, 500_000, 700_000][Int.random(in: 0..<4, using: &generator)]
                let code = codes[Int.random(in: 0..<codes.count, using: &generator)]
                return CallbackFixture.body(id: id, amount: Int64(id.hasPrefix("SHARED") ? 300_000 : amount), memo: "HOC PHI \(code)")
            }
        }
        let results = try BlockingThreads.map(count: sendersCount, threads: sendersCount) { sender in
            bodies[sender].map { fixture.callbacks.deliver($0) }
        }.flatMap { $0 }
        #expect(results.allSatisfy { $0.outcome == .accepted || $0.outcome == .duplicate }, "\(results.filter { $0.outcome != .accepted && $0.outcome != .duplicate }.map(\.reason))")
        let distinct = Set(bodies.joined().map { String($0.split(separator: ",")[0]) })
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == Int64(distinct.count))
        #expect(try fixture.count("SELECT count(DISTINCT provider_transaction_id) FROM bank_transactions") == Int64(distinct.count))
        #expect(try fixture.count("""
            SELECT count(*) FROM invoices i
            WHERE (SELECT coalesce(sum(a.amount), 0) FROM payment_applications a WHERE a.school_id = i.school_id AND a.invoice_id = i.invoice_id)
                  > i.total
            """) == 0)
        #expect(try fixture.billing.verify().isClean)
    }
}

/// A small deterministic generator (SplitMix64): the random test replays the same deliveries.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BCE_6B7B_6F4D
        return z ^ (z >> 31)
    }
}
