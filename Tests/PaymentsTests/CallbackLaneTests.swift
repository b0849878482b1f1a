import BankFormats
import Core
import Foundation
import Ledger
@testable import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// One school never holds up another: while school A's bank account is locked by other work (as a
/// long statement import locks it until its commit), school B's callbacks keep their latency and
/// all succeed; A's are told to try later, and their retries are recorded exactly once.
@Suite struct CallbackLaneTests {
    static let secret = "lane-test-secret"
    static let accountA = "0011000000001"
    static let accountB = "0022000000002"
    /// The issue's scenario: A's lock held for 30 s while both schools keep sending.
    static let holdSeconds = 30.0
    static let baselineSeconds = 3.0
    static let limits = PostgresSessionLimits(lockTimeoutMilliseconds: 1_500, statementTimeoutMilliseconds: 60_000)

    struct Schools2: Sendable {
        let a: School
        let b: School
    }

    struct Timed: Sendable {
        let id: String
        let outcome: CallbackOutcome
        let status: Int
        let seconds: Double
    }

    @Test func aLockedSchoolDelaysOnlyItsOwnCallbacks() throws {
        let database = try TestDatabase.create()
        let pool = PostgresPool(configuration: database.configuration.limited(by: CallbackLaneTests.limits), size: 6, checkoutTimeoutSeconds: 10)
        defer { pool.close() }
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: Repository.bankFormats + "/callbacks"))
        let schools = try pool.transaction(isolation: .readCommitted) { connection in
            Schools2(a: try CallbackLaneTests.school("TH-LANE-A", account: CallbackLaneTests.accountA, catalog: catalog, on: connection),
                     b: try CallbackLaneTests.school("TH-LANE-B", account: CallbackLaneTests.accountB, catalog: catalog, on: connection))
        }
        let now = Date()
        let ingest = CallbackIngest(pool: pool, catalog: catalog, clock: { now })
        let deliver: @Sendable (String, String) -> Timed = { id, account in
            CallbackLaneTests.deliver(id: id, account: account, now: now, ingest: ingest)
        }

        let baseline = CallbackLaneTests.load(seconds: CallbackLaneTests.baselineSeconds, threads: 2, prefix: "B-BASE") { deliver($0, CallbackLaneTests.accountB) }
        #expect(baseline.allSatisfy { $0.outcome == .accepted })

        // Hold A's bank-account lock and every balance row of A, as an import in the middle of its transaction does.
        let holder = try database.connect()
        defer { holder.close() }
        let bankAccountA = try pool.withConnection {
            try $0.query("SELECT bank_account_id FROM bank_accounts WHERE school_id = \(schools.a.id)").singleRow()!.decode(column: 0, as: Int64.self)
        }
        _ = try holder.simpleQuery(unsafeSQL: "BEGIN")
        try StatementLocks.lockBankAccount(bankAccountA, mode: .exclusive, on: holder)
        try holder.query("SELECT 1 FROM account_balances WHERE school_id = \(schools.a.id) FOR UPDATE")

        let during = Mutex<(b: [Timed], a: [Timed])>(([], []))
        BlockingThreads.run(count: 2) { role in
            if role == 0 {
                let b = CallbackLaneTests.load(seconds: CallbackLaneTests.holdSeconds, threads: 2, prefix: "B-HOLD") { deliver($0, CallbackLaneTests.accountB) }
                during.withLock { $0.b = b }
            } else {
                // A's sender keeps trying new payments while the lock is held, two at a time, every half second.
                let deadline = Date().addingTimeInterval(CallbackLaneTests.holdSeconds - 2)
                var a: [Timed] = []
                var round = 0
                while Date() < deadline {
                    let prefix = "A-\(round)"
                    let pair = (try? BlockingThreads.map(count: 2, threads: 2) { deliver("\(prefix)-\($0)", CallbackLaneTests.accountA) }) ?? []
                    a += pair
                    round += 1
                    Thread.sleep(forTimeInterval: 0.5)
                }
                during.withLock { $0.a = a }
            }
        }
        _ = try holder.simpleQuery(unsafeSQL: "ROLLBACK")
        let (bDuring, aDuring) = during.withLock { ($0.b, $0.a) }

        // B: every callback accepted, none waited for A's lock, typical latency as before.
        #expect(bDuring.count > 20)
        #expect(bDuring.allSatisfy { $0.outcome == .accepted })
        let lockTimeout = Double(CallbackLaneTests.limits.lockTimeoutMilliseconds) / 1_000
        let slowest = bDuring.map(\.seconds).max() ?? 0
        #expect(slowest < lockTimeout, "a B callback took \(slowest) s: it waited for A's lock")
        let baseMedian = CallbackLaneTests.median(baseline.map(\.seconds)), holdMedian = CallbackLaneTests.median(bDuring.map(\.seconds))
        #expect(holdMedian <= max(3 * baseMedian, baseMedian + 0.05), "B's median went from \(baseMedian) s to \(holdMedian) s")

        // A: told to try later (the provider's 503), never kept waiting much beyond the lock timeout.
        #expect(aDuring.count >= 4)
        #expect(aDuring.allSatisfy { $0.outcome == .unavailable && $0.status == 503 })
        #expect(aDuring.allSatisfy { $0.seconds < 2 * lockTimeout + 1 })

        // A's retries once the lock is gone (and the sender waited out the lane's "try later" cooldown):
        // each recorded once, a second retry is a duplicate.
        Thread.sleep(forTimeInterval: Double(GroupCommit.Congestion.standard.congestionCooldownNanoseconds) / 1e9 + 0.5)
        for delivery in aDuring {
            let retried = deliver(delivery.id, CallbackLaneTests.accountA)
            #expect(retried.outcome == .accepted, "\(delivery.id)")
            #expect(deliver(delivery.id, CallbackLaneTests.accountA).outcome == .duplicate)
        }
        let (recorded, accepted) = try pool.withConnection { connection in
            (try connection.query("SELECT count(*) FROM bank_transactions WHERE school_id = \(schools.a.id)").singleRow()!.decode(column: 0, as: Int64.self),
             try connection.query("SELECT count(*) FROM callback_deliveries WHERE school_id = \(schools.a.id) AND verdict = 'accepted'")
                .singleRow()!.decode(column: 0, as: Int64.self))
        }
        #expect(recorded == Int64(aDuring.count))
        #expect(accepted == Int64(aDuring.count))
        #expect(try pool.withConnection { try LedgerVerifier.verify(on: $0) }.isClean)
    }

    @Test func pooledSessionsCarryTheConfiguredTimeouts() throws {
        let database = try TestDatabase.create()
        let pool = PostgresPool(configuration: database.configuration.limited(by: CallbackLaneTests.limits), size: 1)
        defer { pool.close() }
        let (lock, statement) = try pool.withConnection {
            try $0.query("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')").singleRow()!.decode((String, String).self)
        }
        #expect(lock == "1500ms")
        #expect(statement == "1min")
    }

    static func school(_ code: String, account: String, catalog: CallbackCatalog, on connection: PostgresConnection) throws -> School {
        let school = try Schools.create(NewSchool(code: code, name: "Trường \(code)", district: "Quận 1", level: .primary, paymentCodePrefix: "HP",
                                                  bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: account, holderName: "TRUONG")]),
                                        on: connection)
        _ = try BankConnections.add(schoolID: school.id, provider: catalog.description(for: "tuition")!, label: "bank",
                                    accounts: [(receiving: account, bankAccountNumber: account)], secret: secret, parameters: [:], on: connection)
        return school
    }

    static func deliver(id: String, account: String, now: Date, ingest: CallbackIngest) -> Timed {
        let body = Array(#"{"transaction_id":"\#(id)","account_number":"\#(account)","amount":250000,"direction":"in","booked_at":"2026-09-15T10:00:00+07:00","memo":"hoc phi"}"#.utf8)
        let signature = TuitionSignature.sign(secret: CallbackSecret(secret)!, timestamp: Int64(now.timeIntervalSince1970), body: body)
        let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: TuitionSignature.header, value: signature)], body: body)
        let started = monotonicNanoseconds()
        let result = ingest.handle(CallbackDelivery(provider: "tuition", request: request, requestID: id))
        return Timed(id: id, outcome: result.outcome, status: result.reply.status,
                     seconds: Double(monotonicNanoseconds() - started) / 1_000_000_000)
    }

    /// `threads` senders delivering new ids one after the other for `seconds`.
    static func load(seconds: Double, threads: Int, prefix: String, _ deliver: @escaping @Sendable (String) -> Timed) -> [Timed] {
        let deadline = Date().addingTimeInterval(seconds)
        let results = Mutex<[Timed]>([])
        BlockingThreads.run(count: threads) { thread in
            var sent = 0
            while Date() < deadline {
                let timed = deliver("\(prefix)-\(thread)-\(sent)")
                results.withLock { $0.append(timed) }
                sent += 1
            }
        }
        return results.withLock { $0 }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
