import Foundation
@testable import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// The one group-commit mechanism behind callbacks and collection notices (`GroupCommitter`,
/// `GroupCommitLanes`), driven with a recorder of its own against the real database: items that
/// arrive while a batch commits are recorded together, a poison item fails only itself, every item
/// is stored exactly once, and a lane blocked on a lock answers "try later" without delaying another.
@Suite struct GroupCommitTests {
    /// What a recorder saw: the sizes of the batches it was given.
    final class Probe: Sendable {
        let batches = Mutex<[Int]>([])
        let firstBatchHeld = Mutex(false)
    }

    static func probeTable(_ database: TestDatabase) throws {
        let owner = try database.connectAsOwner()
        defer { owner.close() }
        try owner.simpleQuery(unsafeSQL: """
            CREATE TABLE group_commit_probe (school_id bigint NOT NULL, item text NOT NULL, PRIMARY KEY (school_id, item));
            INSERT INTO group_commit_probe VALUES (0, 'lock-row');
            """)
    }

    /// Inserts the batch's items in one statement; a batch holding "poison" then fails as a CHECK
    /// constraint would, rolling back its neighbours' rows too. The first batch is held a moment,
    /// so that the other submitters queue up behind it as under load.
    static func recorder(_ probe: Probe, schoolID: Int64) -> GroupCommitter<String, Int>.Record {
        { batch, connection in
            probe.batches.withLock { $0.append(batch.count) }
            try connection.query("INSERT INTO group_commit_probe SELECT \(schoolID), unnest(\(PostgresTextArray(batch)))")
            if probe.firstBatchHeld.withLock({ held in defer { held = true }; return !held }) { Thread.sleep(forTimeInterval: 0.3) }
            if batch.contains("poison") { try connection.query("SELECT 1 / 0") }
            return batch.map(\.count)
        }
    }

    /// Submits every item from a thread of its own, all at once; the answers by item.
    static func submitConcurrently(_ items: [String], to lane: GroupCommitter<String, Int>) -> [String: Result<Int, GroupCommit.Failure>] {
        let answers = Mutex<[String: Result<Int, GroupCommit.Failure>]>([:])
        let group = DispatchGroup()
        for item in items {
            group.enter()
            Thread.detachNewThread {
                let answer = lane.submit(item)
                answers.withLock { $0[item] = answer }
                group.leave()
            }
        }
        group.wait()
        return answers.withLock { $0 }
    }

    @Test func concurrentItemsShareACommitAndAPoisonItemFailsOnlyItself() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let pool = database.pool(size: 4)
        defer { pool.close() }
        let probe = Probe()
        let lanes = GroupCommitLanes<String, Int>(pool: pool, record: GroupCommitTests.recorder(probe, schoolID: 1))
        let items = (1...20).map { "item-\($0)" } + ["poison"]
        let answers = GroupCommitTests.submitConcurrently(items, to: lanes.lane(schoolID: 1))

        for item in items where item != "poison" {
            #expect((try? answers[item]?.get()) == item.count, "\(item): \(String(describing: answers[item]))")
        }
        guard case .failure(let failure) = answers["poison"] else { Issue.record("the poison item was acknowledged"); return }
        #expect(failure.reason.contains("22012"), "the poison item fails with its own error: \(failure.reason)")
        let stored = try pool.withConnection { connection in
            try connection.query("SELECT item FROM group_commit_probe WHERE school_id = 1 ORDER BY item").map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(stored == items.filter { $0 != "poison" }.sorted(), "every good item stored exactly once, the poison one not at all")
        let batches = probe.batches.withLock { $0 }
        #expect(batches.contains { $0 > 1 }, "items that arrived during a commit were recorded together: \(batches)")
        #expect(batches.allSatisfy { $0 <= GroupCommit.batchMax })
    }

    @Test func aLaneBlockedOnALockAnswersTryLaterAndDelaysNoOtherLane() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let limits = PostgresSessionLimits(lockTimeoutMilliseconds: 300, statementTimeoutMilliseconds: 10_000)
        let pool = PostgresPool(configuration: database.configuration.limited(by: limits), size: 4, checkoutTimeoutSeconds: 10)
        defer { pool.close() }
        let congestion = GroupCommit.Congestion(slowBatchNanoseconds: 1_000_000_000, congestionCooldownNanoseconds: 400_000_000)
        // School 1's recorder needs the lock row; school 2's does not.
        let lanes = GroupCommitLanes<String, Int>(pool: pool, congestion: congestion) { batch, connection in
            let schoolID: Int64 = batch[0].hasPrefix("a-") ? 1 : 2
            if schoolID == 1 { try connection.query("SELECT item FROM group_commit_probe WHERE school_id = 0 FOR UPDATE") }
            try connection.query("INSERT INTO group_commit_probe SELECT \(schoolID), unnest(\(PostgresTextArray(batch)))")
            return batch.map(\.count)
        }
        let holder = try database.connect()
        defer { holder.close() }
        _ = try holder.simpleQuery(unsafeSQL: "BEGIN; SELECT item FROM group_commit_probe WHERE school_id = 0 FOR UPDATE")

        let started = Date()
        guard case .failure = lanes.submit("a-1", schoolID: 1) else { Issue.record("a blocked lane acknowledged an item"); return }
        #expect(Date().timeIntervalSince(started) < 5, "the lock wait is bounded by lock_timeout")
        let refusedAt = Date()
        guard case .failure(let congested) = lanes.submit("a-2", schoolID: 1) else { Issue.record("a congested lane took an item"); return }
        #expect(congested.reason == GroupCommit.congestedReason)
        #expect(Date().timeIntervalSince(refusedAt) < 0.2, "a congested lane answers at once")
        let other = Date()
        #expect((try? lanes.submit("b-1", schoolID: 2).get()) == 3)
        #expect(Date().timeIntervalSince(other) < 2, "another school's lane does not wait for the lock")

        _ = try holder.simpleQuery(unsafeSQL: "ROLLBACK")
        Thread.sleep(forTimeInterval: 0.5)
        #expect((try? lanes.submit("a-1", schoolID: 1).get()) == 3, "the retry is recorded once the lock is free")
        let stored = try pool.withConnection { connection in
            try connection.query("SELECT item FROM group_commit_probe WHERE school_id > 0 ORDER BY item").map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(stored == ["a-1", "b-1"])
    }

    /// A statement with an array parameter is planned once and then runs its generic plan in every
    /// batch (under `plan_cache_mode = auto` its first five runs, and forever after if they look
    /// cheaper, are planned anew); the setting ends with the batch, so the pooled session keeps its own.
    @Test func batchesRunGenericPlansAndTheSessionKeepsItsOwnSetting() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let pool = database.pool(size: 1)
        defer { pool.close() }
        let lane = GroupCommitter<String, String>(pool: pool) { batch, connection in
            try connection.query("SELECT item FROM group_commit_probe WHERE school_id = 0 AND item = ANY(\(PostgresTextArray(batch)))")
            let mode = try connection.query("SHOW plan_cache_mode").singleRow()?.decode(column: 0, as: String.self) ?? ""
            return batch.map { _ in mode }
        }
        for index in 1...8 {
            #expect((try? lane.submit("item-\(index)").get()) == "force_generic_plan", "batch \(index) ran on generic plans")
        }
        try pool.withConnection { connection in
            let mode = try connection.query("SHOW plan_cache_mode").singleRow()?.decode(column: 0, as: String.self)
            #expect(mode == "auto", "the setting ended with the batch's transaction")
            let plans = try connection.query("""
                SELECT generic_plans, custom_plans FROM pg_prepared_statements
                WHERE statement LIKE '%FROM group_commit_probe WHERE school_id = 0%' AND statement NOT LIKE '%pg_prepared_statements%'
                """).map { try $0.decode((Int64, Int64).self) }
            #expect(plans.count == 1 && plans[0] == (8, 0), "one generic plan run eight times, no custom plan: \(plans)")
        }
    }
}
