import Core
import Foundation
import Postgres

/// The limits and failure of group commit, shared by every kind of lane (`GroupCommitter`).
enum GroupCommit {
    /// Items committed together at most; bounded so one transaction stays short.
    static let batchMax = 64
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

    static func isTimeout(_ error: any Error) -> Bool {
        (error as? any PostgresErrorCarrying)?.underlyingPostgresError?.isTimeout ?? false
    }
}

/// Group commit for ONE school's lane (`GroupCommitLanes`), the one mechanism behind bank callbacks
/// and collection payment notices: submitted items queue up, and one of the waiting threads (the
/// leader) records every item queued so far (up to `GroupCommit.batchMax`) in ONE database
/// transaction through `record`, while the others wait for its commit. Every sender gets its answer
/// only after the commit that stored its item; the school's hot rows (bank account lock, balances)
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
    /// condition, so a commit wakes exactly the senders it answered and the one that leads next.
    /// (One condition for the whole lane woke every waiting sender on every commit — most of them to
    /// find nothing and sleep again: 14–18 % of the server's samples were task switching.)
    private enum Turn {
        case waiting
        case lead
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

    private struct Queued {
        let item: Item
        let waiter: Waiter
    }

    private struct State {
        var queue: [Queued] = []
        var leading = false
        var batchStartedAt: UInt64 = 0
        var congestedUntil: UInt64 = 0
    }

    private enum Admission {
        case congested
        case lead(Waiter)
        case wait(Waiter)
    }

    private let monitor = Monitor(State())
    let pool: PostgresPool
    let congestion: GroupCommit.Congestion
    private let record: Record

    init(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard, record: @escaping Record) {
        self.pool = pool
        self.congestion = congestion
        self.record = record
    }

    /// Queues `item` and returns once the transaction holding it committed (or failed), or at once
    /// with a failure when the lane is blocked.
    func submit(_ item: Item) -> Answer {
        let admission = monitor.withLock { state -> Admission in
            let now = monotonicNanoseconds()
            let slow = state.leading && now - state.batchStartedAt > congestion.slowBatchNanoseconds
            guard !slow && now >= state.congestedUntil else { return .congested }
            let waiter = Waiter()
            state.queue.append(Queued(item: item, waiter: waiter))
            guard !state.leading else { return .wait(waiter) }
            // Nobody is committing: this sender leads at once, with whatever queued before it. The
            // batch's clock starts now, not when it takes the batch: a sender arriving in between must
            // not judge the lane by the previous batch's start.
            state.leading = true
            state.batchStartedAt = now
            return .lead(waiter)
        }
        switch admission {
        case .congested:
            return .failure(GroupCommit.Failure(reason: GroupCommit.congestedReason))
        case .lead(let waiter):
            return lead(waiter)
        case .wait(let waiter):
            switch waiter.awaitTurn() {
            case .done(let answer): return answer
            case .lead: return lead(waiter)
            case .waiting: preconditionFailure("a waiter returned while still waiting")
            }
        }
    }

    /// Commits what is queued (this sender's item among it), then hands the lead to the oldest sender
    /// still queued, before the answers, so the next batch starts while the answered senders wake.
    private func lead(_ own: Waiter) -> Answer {
        let batch = monitor.withLock { state -> [Queued] in
            state.batchStartedAt = monotonicNanoseconds()
            let batch = Array(state.queue.prefix(GroupCommit.batchMax))
            state.queue.removeFirst(batch.count)
            return batch
        }
        precondition(batch.contains { $0.waiter === own }, "a leader's own item is not in its batch")
        let (answers, timedOut) = commit(batch.map(\.item))
        let (next, refused) = monitor.withLock { state -> (Waiter?, [Waiter]) in
            var refused: [Waiter] = []
            if timedOut {
                // The queued items would only wait for the same lock again.
                state.congestedUntil = monotonicNanoseconds() + congestion.congestionCooldownNanoseconds
                refused = state.queue.map(\.waiter)
                state.queue.removeAll()
            }
            guard let next = state.queue.first?.waiter else {
                state.leading = false
                return (nil, refused)
            }
            state.batchStartedAt = monotonicNanoseconds()
            return (next, refused)
        }
        next?.hand(.lead)
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
            guard batch.count > 1 else { return ([.failure(failure)], false) }
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
