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

    /// Runs one batch's deliveries (its senders' finishes, in order) inside a scope of the caller's:
    /// the HTTP layer passes `ResponseCompletion.postingTogether`, so a batch's replies wake each event
    /// loop once.
    public typealias Delivery = @Sendable (_ deliveries: () -> Void) -> Void
    /// The scope of no caller: the deliveries run as they are.
    public static let inOrder: Delivery = { $0() }

    /// Starts a lane's leader on a thread that may block (an HTTP worker); false when none can take it now.
    /// What a sender on a thread that must not block (an event loop) gives the lane (`GroupCommitter.submit(_:finish:leaders:)`).
    public typealias Leaders = @Sendable (_ lead: @escaping @Sendable () -> Void) -> Bool

    static let noLeaderReason = "no thread could take this school's batch now (the server is busy or stopping): try later"

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
/// and collection payment notices: submitted items queue up, and one thread (the leader) records
/// every item queued so far (up to `GroupCommit.batchMax`) in ONE database transaction through
/// `record`. Up to `batchesInFlightMax` leaders commit at once, each its own batch on its own
/// connection; a deadlock between them (40P01, which their lock order rules out) would re-run the
/// transaction (`PostgresPool.transaction`). Every item gets its answer only after the commit that
/// stored it; the school's hot rows (bank account lock, balances) are locked once per batch instead
/// of once per item, and the commit's WAL flush is shared.
///
/// A sender either waits for its answer (`submit(_:)`) or leaves a finish to be called with it
/// (`submit(_:finish:)`): the leader calls each finish after the commit, in the batch's order, all
/// inside the lane's `delivery` scope (the HTTP layer posts the replies of one batch together), so
/// a sender whose item another thread commits does not sleep and wake (docs/callbacks.md §6, ninth
/// round). A thread that submits while a slot is free leads at once; after its commit a leader
/// takes the next batch itself unless a waiting sender's item is in it (that sender is woken to
/// lead it, as before the ninth round).
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
    /// Called once with an item's answer, after the commit that stored it (or at once when refused).
    typealias Finish = @Sendable (Answer) -> Void

    /// Where a waiting sender stands, seen by that sender only: each sleeps on its own condition, so a
    /// commit wakes exactly the senders it answered and the ones that lead next.
    private enum Turn {
        case waiting
        /// Lead this batch (the sender's own item among it), formed when the lead was granted.
        case lead(Batch)
        case done(Answer)
    }

    private final class Waiter: Sendable {
        let turn = Monitor(Turn.waiting)

        func hand(_ turn: Turn) {
            self.turn.withLock { $0 = turn }
            self.turn.signal()
        }

        /// Sleeps until the lane hands this sender its answer or the lead; a lead is taken (the turn
        /// waits again), an answer stays.
        func awaitTurn() -> Turn {
            while true {
                let turn = self.turn.wait(untilNanoseconds: monotonicNanoseconds() + GroupCommit.waitSliceNanoseconds) { turn -> Turn? in
                    switch turn {
                    case .waiting: return nil
                    case .lead: defer { turn = .waiting }; return turn
                    case .done: return turn
                    }
                }
                if let turn { return turn }
            }
        }
    }

    /// How an item's sender learns its answer.
    private enum Sender: Sendable {
        case waiting(Waiter)
        case finish(Finish)

        var waiter: Waiter? {
            if case .waiting(let waiter) = self { waiter } else { nil }
        }
    }

    private struct Queued: Sendable {
        let item: Item
        let sender: Sender
    }

    /// Items granted to one leader.
    private struct Batch: Sendable {
        let id: UInt64
        let items: [Queued]

        /// The sender woken to lead it: its oldest waiting sender other than `leader` (the thread about
        /// to run it). nil: `leader` runs it — no thread waits for it, or `leader`'s own item is in it.
        func wakes(besides leader: Waiter?) -> Waiter? {
            if let leader, items.contains(where: { $0.sender.waiter === leader }) { return nil }
            return items.lazy.compactMap(\.sender.waiter).first
        }
    }

    private struct State {
        var queue: [Queued] = []
        /// The batches in flight: each one's start time, by batch. At most `batchesInFlightMax`.
        var running: [UInt64: UInt64] = [:]
        var nextBatchID: UInt64 = 0
        var congestedUntil: UInt64 = 0

        /// Grants the oldest queued items to a leader while a slot is free, so no two leaders can take
        /// the same item. Beside a running batch, another starts only once
        /// `GroupCommit.queuedToStartAnotherBatchMin` items wait: a batch's work is mostly per batch, so
        /// batches of one or two beside each other would cost more CPU per item than they save in waiting.
        mutating func grantBatches(max: Int, now: UInt64) -> [Batch] {
            var granted: [Batch] = []
            while running.count < max, !queue.isEmpty,
                  running.isEmpty || queue.count >= GroupCommit.queuedToStartAnotherBatchMin {
                let items = Array(queue.prefix(GroupCommit.batchMax))
                queue.removeFirst(items.count)
                nextBatchID += 1
                running[nextBatchID] = now
                granted.append(Batch(id: nextBatchID, items: items))
            }
            return granted
        }
    }

    private let monitor = Monitor(State())
    let pool: PostgresPool
    let congestion: GroupCommit.Congestion
    /// Batches of this lane committing at once, each on its own connection (docs/callbacks.md §6,
    /// seventh round): the second's reads and matching overlap the first's writes and commit.
    let batchesInFlightMax: Int
    private let record: Record
    private let delivery: GroupCommit.Delivery

    init(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard,
         batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault, delivery: @escaping GroupCommit.Delivery = GroupCommit.inOrder,
         record: @escaping Record) {
        precondition(GroupCommit.batchesInFlightRange.contains(batchesInFlightMax), "batches in flight out of range")
        self.pool = pool
        self.congestion = congestion
        self.batchesInFlightMax = batchesInFlightMax
        self.delivery = delivery
        self.record = record
    }

    /// Queues `item` and returns once the transaction holding it committed (or failed), or at once
    /// with a failure when the lane is blocked.
    func submit(_ item: Item) -> Answer {
        let waiter = Waiter()
        var answer: Answer?
        guard admit(Queued(item: item, sender: .waiting(waiter)), leader: waiter, ownAnswer: &answer) else {
            return .failure(GroupCommit.Failure(reason: GroupCommit.congestedReason))
        }
        while answer == nil {
            switch waiter.awaitTurn() {
            case .done(let done): answer = done
            case .lead(let batch): lead([batch], leader: waiter, ownAnswer: &answer)
            case .waiting: preconditionFailure("a waiter returned while still waiting")
            }
        }
        return answer!
    }

    /// Queues `item` and returns without waiting: `finish` is called once with its answer — by the
    /// thread that commits it, possibly this one before `submit` returns, or at once when the lane is
    /// blocked.
    func submit(_ item: Item, finish: @escaping Finish) {
        var unused: Answer?
        guard admit(Queued(item: item, sender: .finish(finish)), leader: nil, ownAnswer: &unused) else {
            delivery { finish(.failure(GroupCommit.Failure(reason: GroupCommit.congestedReason))) }
            return
        }
    }

    /// `submit(_:finish:)` for a thread that must never block (an event loop): a batch that a free slot
    /// grants is led by a thread `leaders` starts, never by this one (docs/callbacks.md §6, tenth round
    /// "the door without a hand-off"). Under load a lane's slots are mostly taken and a leader that
    /// commits takes the next batch itself, so most items start nothing. When `leaders` cannot start
    /// one, that batch and every item queued behind it are answered "try later" at once.
    func submit(_ item: Item, finish: @escaping Finish, leaders: GroupCommit.Leaders) {
        guard let granted = enqueue(Queued(item: item, sender: .finish(finish))) else {
            delivery { finish(.failure(GroupCommit.Failure(reason: GroupCommit.congestedReason))) }
            return
        }
        for batch in handing(granted, besides: nil) { start(batch, leaders: leaders) }
    }

    /// Queues `queued`, unless the lane is congested (false), and leads what a free slot grants: this
    /// thread, unless a waiting sender's item is in the batch (that sender leads it).
    private func admit(_ queued: Queued, leader: Waiter?, ownAnswer: inout Answer?) -> Bool {
        guard let granted = enqueue(queued) else { return false }
        lead(handing(granted, besides: leader), leader: leader, ownAnswer: &ownAnswer)
        return true
    }

    /// Queues `queued` and grants what a free slot allows; nil (nothing queued) when the lane is congested.
    private func enqueue(_ queued: Queued) -> [Batch]? {
        monitor.withLock { state -> [Batch]? in
            let now = monotonicNanoseconds()
            let slow = state.running.values.contains { now - $0 > congestion.slowBatchNanoseconds }
            guard !slow && now >= state.congestedUntil else { return nil }
            state.queue.append(queued)
            // A free slot (and, beside a running batch, enough items queued): a leader takes whatever queued up to
            // this item. The batch's clock starts now.
            return state.grantBatches(max: batchesInFlightMax, now: now)
        }
    }

    /// Has a thread of `leaders` lead `batch` (and whatever is granted after it). If none can, the slot is
    /// freed and the batch and every queued item answered "try later": left queued, they could wait for a
    /// next sender that never comes.
    private func start(_ batch: Batch, leaders: GroupCommit.Leaders) {
        let started = leaders { [self] in
            var unused: Answer?
            lead([batch], leader: nil, ownAnswer: &unused)
        }
        guard !started else { return }
        let queued = monitor.withLock { state -> [Queued] in
            state.running[batch.id] = nil
            defer { state.queue.removeAll() }
            return state.queue
        }
        let failure = Answer.failure(GroupCommit.Failure(reason: GroupCommit.noLeaderReason))
        var unused: Answer?
        deliver((batch.items + queued).map { ($0, failure) }, leader: nil, ownAnswer: &unused)
    }

    /// Wakes the waiting senders that lead some of `batches`; the others are this thread's to lead.
    private func handing(_ batches: [Batch], besides leader: Waiter?) -> [Batch] {
        batches.filter { batch in
            guard let next = batch.wakes(besides: leader) else { return true }
            next.hand(.lead(batch))
            return false
        }
    }

    /// Commits `batches` and every batch granted after them to this thread (its own sender `leader`,
    /// if it waits, answered through `ownAnswer`). After each commit the slot is freed and the next
    /// batch granted before the answers are delivered, so a leader woken for it starts at once.
    private func lead(_ batches: [Batch], leader: Waiter?, ownAnswer: inout Answer?) {
        var pending = batches
        while !pending.isEmpty {
            let batch = pending.removeFirst()
            let (answers, timedOut) = commit(batch.items.map(\.item))
            let (granted, refused) = monitor.withLock { state -> ([Batch], [Queued]) in
                state.running[batch.id] = nil
                var refused: [Queued] = []
                if timedOut {
                    // The queued items would only wait for the same lock again.
                    state.congestedUntil = monotonicNanoseconds() + congestion.congestionCooldownNanoseconds
                    refused = state.queue
                    state.queue.removeAll()
                }
                return (state.grantBatches(max: batchesInFlightMax, now: monotonicNanoseconds()), refused)
            }
            pending += handing(granted, besides: leader)
            let congested = GroupCommit.Failure(reason: GroupCommit.congestedReason)
            let answered = zip(batch.items, answers).map { ($0, $1) } + refused.map { ($0, Answer.failure(congested)) }
            deliver(answered, leader: leader, ownAnswer: &ownAnswer)
        }
    }

    /// Hands each answer to its sender, in order, inside the lane's delivery scope.
    private func deliver(_ answered: [(Queued, Answer)], leader: Waiter?, ownAnswer: inout Answer?) {
        var own: Answer?
        delivery {
            for (queued, answer) in answered {
                switch queued.sender {
                case .waiting(let waiter) where waiter === leader: own = answer
                case .waiting(let waiter): waiter.hand(.done(answer))
                case .finish(let finish): finish(answer)
                }
            }
        }
        if let own { ownAnswer = own }
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
