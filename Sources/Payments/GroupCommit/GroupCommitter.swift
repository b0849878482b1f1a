import Core
import Foundation
import Postgres

/// The limits and failure of group commit, shared by every kind of lane (`GroupCommitter`).
enum GroupCommit {
    /// Items committed together at most; bounded so one transaction stays short.
    static let batchMax = 64
    /// How long a waiting thread sleeps between checks (it is woken on every commit anyway).
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

    private struct State {
        var nextTicket: UInt64 = 0
        var queue: [(ticket: UInt64, item: Item)] = []
        var leading = false
        var batchStartedAt: UInt64 = 0
        var congestedUntil: UInt64 = 0
        var answers: [UInt64: Answer] = [:]
    }

    private enum Step {
        case done(Answer)
        case lead([(ticket: UInt64, item: Item)])
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
        let ticket = monitor.withLock { state -> UInt64? in
            let now = monotonicNanoseconds()
            let slow = state.leading && now - state.batchStartedAt > congestion.slowBatchNanoseconds
            guard !slow && now >= state.congestedUntil else { return nil }
            state.nextTicket += 1
            state.queue.append((state.nextTicket, item))
            return state.nextTicket
        }
        guard let ticket else { return .failure(GroupCommit.Failure(reason: GroupCommit.congestedReason)) }
        while true {
            let step = monitor.wait(untilNanoseconds: monotonicNanoseconds() + GroupCommit.waitSliceNanoseconds) { state -> Step? in
                if let answer = state.answers.removeValue(forKey: ticket) { return .done(answer) }
                guard !state.leading else { return nil }
                state.leading = true
                state.batchStartedAt = monotonicNanoseconds()
                let batch = Array(state.queue.prefix(GroupCommit.batchMax))
                state.queue.removeFirst(batch.count)
                return .lead(batch)
            }
            switch step {
            case .done(let answer): return answer
            case .lead(let batch):
                let (answers, timedOut) = commit(batch.map(\.item))
                monitor.withLock { state in
                    for (queued, answer) in zip(batch, answers) { state.answers[queued.ticket] = answer }
                    if timedOut {
                        // The queued items would only wait for the same lock again.
                        state.congestedUntil = monotonicNanoseconds() + congestion.congestionCooldownNanoseconds
                        for queued in state.queue { state.answers[queued.ticket] = .failure(GroupCommit.Failure(reason: GroupCommit.congestedReason)) }
                        state.queue.removeAll()
                    }
                    state.leading = false
                }
                monitor.broadcast()
            case nil: continue
            }
        }
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
        try pool.transaction(isolation: .readCommitted) { connection in
            let outcomes = try record(batch, connection)
            precondition(outcomes.count == batch.count, "a group commit recorder answered \(outcomes.count) of \(batch.count) items")
            return outcomes
        }
    }
}
