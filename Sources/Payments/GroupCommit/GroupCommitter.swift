import Core
import Foundation
import Postgres

/// The limits and failure of group commit, shared by every kind of lane (`GroupCommitter`).
public enum GroupCommit {
    /// Items committed together at most; bounded so one transaction stays short.
    static let batchMax = 64
    /// Batches of one lane (one school) in flight at once, each in its own transaction on its own
    /// connection. Two keep both of a 2-core machine's cores busy with one school's payments; more
    /// only queue on the school's receipt counter (docs/callbacks.md §6, seventh round).
    public static let batchesInFlightDefault = 2
    /// What `batchesInFlightMax` may be: 1 (one batch at a time, the lane before the seventh round) to 8.
    public static let batchesInFlightRange = 1...8
    /// Items queued before another batch starts beside a running one (docs/callbacks.md §6, seventh
    /// round): about the batch one lane of 8 senders commits at a time.
    static let queuedToStartAnotherBatchMin = 4
    /// How long a waiting sender sleeps between checks of its turn (it is woken when it gets one anyway).
    static let waitSliceNanoseconds: UInt64 = 1_000_000_000

    /// When a lane counts as blocked: a batch still running after `slowBatchNanoseconds` (normal
    /// batches take milliseconds), or the last one failed on a timeout less than
    /// `congestionCooldownNanoseconds` ago. Items arriving then are answered "try later" at once.
    struct Congestion: Sendable {
        var slowBatchNanoseconds: UInt64
        var congestionCooldownNanoseconds: UInt64

        static let standard = Congestion(slowBatchNanoseconds: 1_000_000_000, congestionCooldownNanoseconds: 1_000_000_000)
    }

    static let congestedReason = "this school's payments are waiting for a lock held by other work (a statement import?): try later"

    /// Why an item was not committed: nothing of it is stored, and its sender must be told to try later.
    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// A provider transaction of the batch was recorded by another transaction since the batch's claim
    /// (`IncomingBatch.recordedMeanwhileState`): tried again, it is found recorded.
    static func isRecordedMeanwhile(_ error: any Error) -> Bool {
        (error as? any PostgresErrorCarrying)?.underlyingPostgresError?.sqlState == IncomingBatch.recordedMeanwhileState
    }

    static func isTimeout(_ error: any Error) -> Bool {
        (error as? any PostgresErrorCarrying)?.underlyingPostgresError?.isTimeout ?? false
    }
}

/// Group commit for ONE school's lane (`GroupCommitLanes`), the one mechanism behind bank callbacks
/// and collection payment notices: submitted items queue up, and one of the waiting threads (the
/// leader) records every item queued so far (up to `GroupCommit.batchMax`) in ONE database
/// transaction through `record`, while the others wait for its commit. Up to `batchesInFlightMax`
/// leaders commit at once, each its own batch on its own connection; a deadlock between them
/// (40P01, which their lock order rules out) would re-run the transaction (`PostgresPool.transaction`).
/// Every sender gets its answer only after the commit that stored its item; the school's hot rows (bank account lock, balances)
/// are locked once per batch instead of once per item, and the commit's WAL flush is shared.
///
/// A batch that fails is retried item by item, so one bad item (a poison delivery) cannot fail its
/// neighbours — except when it failed on a timeout (a lock held elsewhere, by a long statement
/// import say): every item would time out alone too, so every item of the lane is answered "try
/// later" at once, and for `congestionCooldownNanoseconds` so are new ones: a blocked school holds
/// no worker threads that other schools need.
final class GroupCommitter<Item: Sendable, Outcome: Sendable>: Sendable {
    /// Records a batch inside the transaction it is given: one outcome per item, in order. Throwing
    /// rolls the whole batch back.
    typealias Record = @Sendable (_ batch: [Item], _ connection: PostgresConnection) throws -> [Outcome]
    typealias Answer = Result<Outcome, GroupCommit.Failure>

    /// Where one submitted item stands, seen by its own sender only: each sender sleeps on its own
    /// condition, so a commit wakes exactly the senders it answered and the ones that lead next.
    /// (One condition for the whole lane woke every waiting sender on every commit — most of them to
    /// find nothing and sleep again: 14–18 % of the server's samples were task switching.)
    private enum Turn {
        case waiting
        /// Lead this batch (the sender's own item among it), formed when the lead was granted.
        case lead([Queued])
        case done(Answer)
    }

    private final class Waiter: Sendable {
        let turn = Monitor(Turn.waiting)

        func hand(_ turn: Turn) {
            self.turn.withLock { $0 = turn }
            self.turn.signal()
        }

        /// Sleeps until the lane hands this sender its answer or the lead.
        func awaitTurn() -> Turn {
            while true {
                let turn = self.turn.wait(untilNanoseconds: monotonicNanoseconds() + GroupCommit.waitSliceNanoseconds) { turn -> Turn? in
                    if case .waiting = turn { return nil }
                    return turn
                }
                if let turn { return turn }
            }
        }
    }

    private struct Queued: Sendable {
        let item: Item
        let waiter: Waiter
    }

    private struct State {
        var queue: [Queued] = []
        /// The batches in flight: each leader's start time, by leader. At most `batchesInFlightMax`.
        var running: [ObjectIdentifier: UInt64] = [:]
        var congestedUntil: UInt64 = 0

        /// Grants the lead to the oldest queued senders while a slot is free; each gets its batch now,
        /// so no two leaders can take the same item. Beside a running batch, another starts only once
        /// `GroupCommit.queuedToStartAnotherBatchMin` items wait: a batch's work is mostly per batch, so
        /// batches of one or two beside each other would cost more CPU per item than they save in waiting.
        mutating func grantLeads(max: Int, now: UInt64) -> [(Waiter, [Queued])] {
            var granted: [(Waiter, [Queued])] = []
            while running.count < max, let next = queue.first,
                  running.isEmpty || queue.count >= GroupCommit.queuedToStartAnotherBatchMin {
                let batch = Array(queue.prefix(GroupCommit.batchMax))
                queue.removeFirst(batch.count)
                running[ObjectIdentifier(next.waiter)] = now
                granted.append((next.waiter, batch))
            }
            return granted
        }
    }

    private enum Admission {
        case congested
        case lead(Waiter, [Queued])
        case wait(Waiter)
    }

    private let monitor = Monitor(State())
    let pool: PostgresPool
    let congestion: GroupCommit.Congestion
    /// Batches of this lane committing at once, each on its own connection (docs/callbacks.md §6,
    /// seventh round): the second's reads and matching overlap the first's writes and commit.
    let batchesInFlightMax: Int
    private let record: Record

    init(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard,
         batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault, record: @escaping Record) {
        precondition(GroupCommit.batchesInFlightRange.contains(batchesInFlightMax), "batches in flight out of range")
        self.pool = pool
        self.congestion = congestion
        self.batchesInFlightMax = batchesInFlightMax
        self.record = record
    }

    /// Queues `item` and returns once the transaction holding it committed (or failed), or at once
    /// with a failure when the lane is blocked.
    func submit(_ item: Item) -> Answer {
        let (admission, others) = monitor.withLock { state -> (Admission, [(Waiter, [Queued])]) in
            let now = monotonicNanoseconds()
            let slow = state.running.values.contains { now - $0 > congestion.slowBatchNanoseconds }
            guard !slow && now >= state.congestedUntil else { return (.congested, []) }
            let waiter = Waiter()
            state.queue.append(Queued(item: item, waiter: waiter))
            // A free slot (and, beside a running batch, enough items queued): the oldest queued sender leads,
            // with whatever queued up to this item. The batch's clock starts now.
            let granted = state.grantLeads(max: batchesInFlightMax, now: now)
            guard let own = granted.first(where: { $0.0 === waiter }) else { return (.wait(waiter), granted) }
            return (.lead(waiter, own.1), granted.filter { $0.0 !== waiter })
        }
        for (next, batch) in others { next.hand(.lead(batch)) }
        switch admission {
        case .congested:
            return .failure(GroupCommit.Failure(reason: GroupCommit.congestedReason))
        case .lead(let waiter, let batch):
            return lead(waiter, batch: batch)
        case .wait(let waiter):
            switch waiter.awaitTurn() {
            case .done(let answer): return answer
            case .lead(let batch): return lead(waiter, batch: batch)
            case .waiting: preconditionFailure("a waiter returned while still waiting")
            }
        }
    }

    /// Commits `batch` (this sender's item among it), then frees its slot and grants the lead to the
    /// oldest senders still queued, before the answers, so the next batch starts while the answered
    /// senders wake.
    private func lead(_ own: Waiter, batch: [Queued]) -> Answer {
        precondition(batch.contains { $0.waiter === own }, "a leader's own item is not in its batch")
        let (answers, timedOut) = commit(batch.map(\.item))
        let (granted, refused) = monitor.withLock { state -> ([(Waiter, [Queued])], [Waiter]) in
            state.running[ObjectIdentifier(own)] = nil
            var refused: [Waiter] = []
            if timedOut {
                // The queued items would only wait for the same lock again.
                state.congestedUntil = monotonicNanoseconds() + congestion.congestionCooldownNanoseconds
                refused = state.queue.map(\.waiter)
                state.queue.removeAll()
            }
            return (state.grantLeads(max: batchesInFlightMax, now: monotonicNanoseconds()), refused)
        }
        for (next, batch) in granted { next.hand(.lead(batch)) }
        var ownAnswer: Answer?
        for (queued, answer) in zip(batch, answers) {
            if queued.waiter === own { ownAnswer = answer } else { queued.waiter.hand(.done(answer)) }
        }
        for waiter in refused { waiter.hand(.done(.failure(GroupCommit.Failure(reason: GroupCommit.congestedReason)))) }
        return ownAnswer!
    }

    /// Records a batch in one transaction; on failure, each item alone — unless it timed out, which
    /// each item alone would too. `timedOut` tells the lane it is blocked.
    private func commit(_ batch: [Item]) -> (answers: [Answer], timedOut: Bool) {
        guard !batch.isEmpty else { return ([], false) }
        do {
            return (try transaction(batch).map { .success($0) }, false)
        } catch {
            let failure = GroupCommit.Failure(reason: "\(error)")
            if GroupCommit.isTimeout(error) { return (batch.map { _ in .failure(failure) }, true) }
            // An item recorded meanwhile by another transaction (TU023: with two batches in flight, its duplicate in
            // the other batch) is found recorded when tried again, even alone: answered "duplicate", not "try later".
            guard batch.count > 1 || GroupCommit.isRecordedMeanwhile(error) else { return ([.failure(failure)], false) }
            return (batch.map { item in
                do { return .success(try transaction([item])[0]) } catch { return .failure(GroupCommit.Failure(reason: "\(error)")) }
            }, false)
        }
    }

    private func transaction(_ batch: [Item]) throws -> [Outcome] {
        // Generic plans: the lane's statements take arrays, and were planned again on every call, as costly as
        // running them (docs/callbacks.md §6, fifth round); their generic plans are the same index probes.
        try pool.transaction(isolation: .readCommitted, plans: .generic, pipelinedBegin: true) { connection in
            let outcomes = try record(batch, connection)
            precondition(outcomes.count == batch.count, "a group commit recorder answered \(outcomes.count) of \(batch.count) items")
            return outcomes
        }
    }
}
