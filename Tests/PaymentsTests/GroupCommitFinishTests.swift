import Foundation
@testable import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// Senders that do not wait (`GroupCommitter.submit(_:finish:)`, docs/callbacks.md §6, ninth round):
/// the leader calls each item's finish once, after the commit that stored it, in the batch's order,
/// inside the lane's delivery scope; a failing batch answers each item once; a blocked lane answers
/// every queued item "try later" once. Against the real database, with the recorder of `GroupCommitTests`.
@Suite struct GroupCommitFinishTests {
    /// What the finishes saw: each item's answer, whether its row was committed (seen from another
    /// session) when it was answered, and the delivery scope it was called in.
    final class Answers: Sendable {
        struct Entry: Sendable {
            let item: String
            let answer: Result<Int, GroupCommit.Failure>
            let committedWhenAnswered: Bool
            let scope: Int?
        }

        let entries = Mutex<[Entry]>([])
        let scopes = Atomic<Int>(0)
        let group = DispatchGroup()

        var all: [Entry] { entries.withLock { $0 } }
    }

    /// The delivery scope of the test: numbers each scope, so a finish can tell which one it ran in.
    final class ScopeMarker: Sendable {
        let current = Mutex<[ObjectIdentifier: Int]>([:])
    }

    /// A session of its own that looks for a committed row, one finish at a time.
    final class Observer: Sendable {
        let connection: PostgresConnection
        let lock = Mutex(())

        init(_ connection: PostgresConnection) { self.connection = connection }

        func committed(_ item: String, schoolID: Int64) -> Bool {
            lock.withLock { _ in
                (try? connection.query("SELECT 1 FROM group_commit_probe WHERE school_id = \(schoolID) AND item = \(item)").singleRow()) != nil
            }
        }
    }

    /// Submits every item without waiting, each from a thread of its own, all at once.
    static func submitConcurrently(_ items: [String], lane: GroupCommitter<String, Int>, answers: Answers, observe: @escaping @Sendable (String) -> Bool,
                                   scope: @escaping @Sendable () -> Int?) {
        let started = DispatchGroup()
        for item in items {
            answers.group.enter()
            started.enter()
            Thread.detachNewThread {
                lane.submit(item) { answer in
                    let entry = Answers.Entry(item: item, answer: answer, committedWhenAnswered: observe(item), scope: scope())
                    answers.entries.withLock { $0.append(entry) }
                    answers.group.leave()
                }
                started.leave()
            }
        }
        started.wait()
    }

    @Test func eachFinishIsCalledOnceAfterTheCommitInTheBatchOrderAndAPoisonItemFailsOnlyItself() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let pool = database.pool(size: 4)
        defer { pool.close() }
        let session = try database.connect()
        defer { session.close() }
        let observer = Observer(session)
        let probe = GroupCommitTests.Probe()
        let answers = Answers()
        // Each delivery scope gets a number, visible to the finishes it runs (thread-local through a task local).
        let delivery: GroupCommit.Delivery = { deliveries in
            let number = answers.scopes.add(1, ordering: .relaxed).newValue
            DeliveryScope.$number.withValue(number) { deliveries() }
        }
        let lane = GroupCommitter<String, Int>(pool: pool, delivery: delivery, record: GroupCommitTests.recorder(probe, schoolID: 1))
        let items = (1...20).map { "item-\($0)" } + ["poison"]
        GroupCommitFinishTests.submitConcurrently(items, lane: lane, answers: answers,
                                                  observe: { observer.committed($0, schoolID: 1) },
                                                  scope: { DeliveryScope.number })
        #expect(answers.group.wait(timeout: .now() + 30) == .success, "every finish was called")
        Thread.sleep(forTimeInterval: 0.2)

        let entries = answers.all
        #expect(entries.count == items.count, "one answer per item, none twice: \(entries.map(\.item).sorted())")
        #expect(Set(entries.map(\.item)) == Set(items))
        for entry in entries where entry.item != "poison" {
            #expect((try? entry.answer.get()) == entry.item.count, "\(entry.item): \(entry.answer)")
            #expect(entry.committedWhenAnswered, "\(entry.item) was answered before its commit")
        }
        let poison = entries.first { $0.item == "poison" }
        guard case .failure(let failure)? = poison?.answer else { Issue.record("the poison item was acknowledged"); return }
        #expect(failure.reason.contains("22012"), "the poison item fails with its own error: \(failure.reason)")
        #expect(poison?.committedWhenAnswered == false)
        #expect(entries.allSatisfy { $0.scope != nil }, "every finish ran inside the lane's delivery scope")
        let batches = probe.batches.withLock { $0 }
        #expect(batches.contains { $0 > 1 }, "items that arrived during a commit were recorded together: \(batches)")
        let stored = try pool.withConnection { connection in
            try connection.query("SELECT item FROM group_commit_probe WHERE school_id = 1 ORDER BY item").map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(stored == items.filter { $0 != "poison" }.sorted(), "every good item stored exactly once")
    }

    /// One thread submits every item without waiting while the first batch is held: nobody waits, so
    /// the leader takes the queued items itself, batch after batch, answering them in submission order.
    @Test func aLeaderTakesTheQueuedItemsItselfWhenNoSenderWaits() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let pool = database.pool(size: 4)
        defer { pool.close() }
        let probe = GroupCommitTests.Probe()
        let lane = GroupCommitter<String, Int>(pool: pool, batchesInFlightMax: 1, record: GroupCommitTests.recorder(probe, schoolID: 1))
        let order = Mutex<[String]>([])
        let threads = Mutex<Set<UInt>>([])
        let firstThread = Mutex<UInt>(0)
        let done = DispatchGroup()
        let items = (1...30).map { String(format: "item-%02d", $0) }
        for _ in 0...items.count { done.enter() }
        let submitter = Thread {
            for item in items {
                lane.submit(item) { answer in
                    if (try? answer.get()) == item.count { order.withLock { $0.append(item) } }
                    threads.withLock { _ = $0.insert(UInt(pthread_self())) }
                    done.leave()
                }
            }
        }
        // The first item leads on the submitter's thread (its batch is held 0.3 s), so submit the rest from another thread.
        let first = Thread {
            firstThread.withLock { $0 = UInt(pthread_self()) }
            lane.submit("item-00") { _ in done.leave() }
        }
        first.start()
        Thread.sleep(forTimeInterval: 0.1)
        submitter.start()
        #expect(done.wait(timeout: .now() + 30) == .success, "every item was answered without a waiting sender")
        #expect(order.withLock { $0 } == items, "answered once each, in the order submitted")
        let batches = probe.batches.withLock { $0 }
        #expect(batches.count < items.count + 1, "the queued items were committed together: \(batches)")
        #expect(threads.withLock { $0 } == [firstThread.withLock { $0 }], "the first leader took the queued items itself")
    }

    /// Leaders started on threads of their own, counted (what the HTTP layer's worker jobs are to the lanes).
    final class Leaders: Sendable {
        let started = Atomic<Int>(0)
        let refuse: Bool

        init(refuse: Bool = false) { self.refuse = refuse }

        var start: GroupCommit.Leaders {
            { [self] lead in
                guard !refuse else { return false }
                started.add(1, ordering: .relaxed)
                Thread.detachNewThread { lead() }
                return true
            }
        }
    }

    /// A sender that must not block (an event loop, docs/callbacks.md §6, tenth round) submits every item
    /// from one thread while the first batch is held 0.3 s: it never leads nor waits, each item is
    /// answered once after its commit, and leaders are started per batch, not per item.
    @Test func aSenderThatMustNotBlockNeverLeadsAndStartsALeaderPerBatch() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let pool = database.pool(size: 4)
        defer { pool.close() }
        let session = try database.connect()
        defer { session.close() }
        let observer = Observer(session)
        let probe = GroupCommitTests.Probe()
        let recordingThreads = Mutex<Set<UInt>>([])
        let record = GroupCommitTests.recorder(probe, schoolID: 1)
        let lane = GroupCommitter<String, Int>(pool: pool) { batch, connection in
            recordingThreads.withLock { _ = $0.insert(UInt(pthread_self())) }
            return try record(batch, connection)
        }
        let leaders = Leaders()
        let answers = Answers()
        let items = (1...40).map { String(format: "loop-%02d", $0) }
        let submitter = Mutex<UInt>(0)
        let longestSubmit = Mutex<Double>(0)
        let submitted = DispatchGroup()
        submitted.enter()
        Thread.detachNewThread {
            submitter.withLock { $0 = UInt(pthread_self()) }
            for item in items {
                answers.group.enter()
                let started = Date()
                lane.submit(item, finish: { answer in
                    let entry = Answers.Entry(item: item, answer: answer, committedWhenAnswered: observer.committed(item, schoolID: 1), scope: nil)
                    answers.entries.withLock { $0.append(entry) }
                    answers.group.leave()
                }, leaders: leaders.start)
                let took = Date().timeIntervalSince(started)
                longestSubmit.withLock { $0 = max($0, took) }
                usleep(2_000)
            }
            submitted.leave()
        }
        #expect(submitted.wait(timeout: .now() + 30) == .success)
        #expect(answers.group.wait(timeout: .now() + 30) == .success, "every finish was called")
        Thread.sleep(forTimeInterval: 0.1)
        let entries = answers.all
        #expect(entries.count == items.count, "one answer each")
        for entry in entries {
            #expect((try? entry.answer.get()) == entry.item.count, "\(entry.item): \(entry.answer)")
            #expect(entry.committedWhenAnswered, "\(entry.item) was answered before its commit")
        }
        #expect(longestSubmit.withLock { $0 } < 0.2, "the submitter never waited for the held first batch")
        #expect(!recordingThreads.withLock { $0 }.contains(submitter.withLock { $0 }), "the submitter never led a batch")
        let batches = probe.batches.withLock { $0 }
        #expect(leaders.started.load(ordering: .relaxed) < items.count / 2, "a leader per batch, not per item: \(batches)")
        #expect(leaders.started.load(ordering: .relaxed) <= batches.count)
    }

    /// When no leader can be started (the server's worker queue is full, or it is stopping), the batch and
    /// everything queued behind it are answered "try later" once, nothing is stored, and the lane works
    /// again for the next sender.
    @Test func aBatchNoLeaderCanTakeIsAnsweredTryLaterAndTheLaneGoesOn() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let pool = database.pool(size: 4)
        defer { pool.close() }
        let probe = GroupCommitTests.Probe()
        probe.firstBatchHeld.withLock { $0 = true }
        let lane = GroupCommitter<String, Int>(pool: pool, record: GroupCommitTests.recorder(probe, schoolID: 1))
        let answers = Answers()
        for item in ["refused-1", "refused-2"] {
            answers.group.enter()
            lane.submit(item, finish: { answer in
                answers.entries.withLock { $0.append(Answers.Entry(item: item, answer: answer, committedWhenAnswered: false, scope: nil)) }
                answers.group.leave()
            }, leaders: Leaders(refuse: true).start)
        }
        #expect(answers.group.wait(timeout: .now() + 5) == .success)
        let refused = answers.all
        #expect(refused.map(\.item) == ["refused-1", "refused-2"], "one answer each, at once")
        for entry in refused {
            guard case .failure(let failure) = entry.answer else { Issue.record("\(entry.item) was acknowledged"); continue }
            #expect(failure.reason == GroupCommit.noLeaderReason)
        }
        let accepted = Mutex<Result<Int, GroupCommit.Failure>?>(nil)
        let done = DispatchSemaphore(value: 0)
        lane.submit("accepted", finish: { answer in
            accepted.withLock { $0 = answer }
            done.signal()
        }, leaders: Leaders().start)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect((try? accepted.withLock { $0 }?.get()) == "accepted".count)
        let stored = try pool.withConnection { connection in
            try connection.query("SELECT item FROM group_commit_probe WHERE school_id = 1").map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(stored == ["accepted"], "nothing of the refused items is stored")
    }

    @Test func aBlockedLaneAnswersEveryQueuedItemTryLaterOnce() throws {
        let database = try TestDatabase.create()
        try GroupCommitTests.probeTable(database)
        let limits = PostgresSessionLimits(lockTimeoutMilliseconds: 300, statementTimeoutMilliseconds: 10_000)
        let pool = PostgresPool(configuration: database.configuration.limited(by: limits), size: 4, checkoutTimeoutSeconds: 10)
        defer { pool.close() }
        let lane = GroupCommitter<String, Int>(pool: pool, batchesInFlightMax: 1) { batch, connection in
            try connection.query("SELECT item FROM group_commit_probe WHERE school_id = 0 FOR UPDATE")
            try connection.query("INSERT INTO group_commit_probe SELECT 1, unnest(\(PostgresTextArray(batch)))")
            return batch.map(\.count)
        }
        let holder = try database.connect()
        defer { holder.close() }
        _ = try holder.simpleQuery(unsafeSQL: "BEGIN; SELECT item FROM group_commit_probe WHERE school_id = 0 FOR UPDATE")
        let answers = Answers()
        GroupCommitFinishTests.submitConcurrently((1...6).map { "a-\($0)" }, lane: lane, answers: answers, observe: { _ in false }, scope: { nil })
        #expect(answers.group.wait(timeout: .now() + 10) == .success, "every item was answered")
        Thread.sleep(forTimeInterval: 0.1)
        let entries = answers.all
        #expect(entries.count == 6, "one answer each: \(entries.map(\.item))")
        for entry in entries {
            guard case .failure = entry.answer else { Issue.record("\(entry.item) was acknowledged by a blocked lane"); continue }
        }
        _ = try holder.simpleQuery(unsafeSQL: "ROLLBACK")
        let stored = try pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM group_commit_probe WHERE school_id = 1").singleRow()?.decode(column: 0, as: Int64.self)
        }
        #expect(stored == 0, "nothing of a refused item is stored")
    }
}

/// The number of the delivery scope a finish runs in (thread-bound: a task local outside any task).
enum DeliveryScope {
    @TaskLocal static var number: Int?
}
