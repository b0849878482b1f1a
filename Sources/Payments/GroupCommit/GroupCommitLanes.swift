import Postgres

/// One group-commit lane per school (`GroupCommitter`): each school's items are grouped and committed
/// by a committer of their own, so a school whose bank account is locked (a long statement import
/// holds it until its commit) delays only its own payments. Lanes of different schools commit
/// concurrently, each on its own pooled connection; inside a lane, up to `batchesInFlightMax` batches
/// commit at once (two by default): they share the bank account's lock, and take their row locks in
/// one order (docs/callbacks.md §6, seventh round).
///
/// A lane is a few words of state and is kept for the life of the process: their number is bounded
/// by the schools that have a bank connection.
final class GroupCommitLanes<Item: Sendable, Outcome: Sendable>: Sendable {
    typealias Answer = GroupCommitter<Item, Outcome>.Answer

    private let lanes = Monitor([Int64: GroupCommitter<Item, Outcome>]())
    let pool: PostgresPool
    let congestion: GroupCommit.Congestion
    let batchesInFlightMax: Int
    private let delivery: GroupCommit.Delivery
    private let record: GroupCommitter<Item, Outcome>.Record

    init(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard, batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault,
         delivery: @escaping GroupCommit.Delivery = GroupCommit.inOrder, record: @escaping GroupCommitter<Item, Outcome>.Record) {
        self.pool = pool
        self.delivery = delivery
        self.congestion = congestion
        self.batchesInFlightMax = batchesInFlightMax
        self.record = record
    }

    /// The lane of `schoolID`, created on its first item.
    func lane(schoolID: Int64) -> GroupCommitter<Item, Outcome> {
        lanes.withLock { lanes in
            if let lane = lanes[schoolID] { return lane }
            let lane = GroupCommitter(pool: pool, congestion: congestion, batchesInFlightMax: batchesInFlightMax, delivery: delivery,
                                      record: record)
            lanes[schoolID] = lane
            return lane
        }
    }

    /// Records `item` in its school's lane (see `GroupCommitter.submit`).
    func submit(_ item: Item, schoolID: Int64) -> GroupCommitter<Item, Outcome>.Answer {
        lane(schoolID: schoolID).submit(item)
    }

    /// Queues `item` in its school's lane; `finish` gets its answer (see `GroupCommitter.submit(_:finish:)`).
    /// With `leaders`, from a thread that must not block: a batch it starts is led by a thread of `leaders`
    /// (see `GroupCommitter.submit(_:finish:leaders:)`).
    func submit(_ item: Item, schoolID: Int64, leaders: GroupCommit.Leaders? = nil, finish: @escaping GroupCommitter<Item, Outcome>.Finish) {
        let lane = lane(schoolID: schoolID)
        if let leaders {
            lane.submit(item, finish: finish, leaders: leaders)
        } else {
            lane.submit(item, finish: finish)
        }
    }
}
