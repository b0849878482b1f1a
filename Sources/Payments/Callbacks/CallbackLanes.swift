import Postgres

/// One commit lane per school: each school's callbacks are grouped and committed by a committer of
/// their own, so a school whose bank account is locked (a long statement import holds it until its
/// commit) delays only its own callbacks. Lanes of different schools commit concurrently, each on
/// its own pooled connection; inside a lane, one batch at a time keeps the account locks uncontended.
///
/// A lane is a few words of state and is kept for the life of the process: their number is bounded
/// by the schools that have a bank connection.
final class CallbackLanes: Sendable {
    private let lanes = Monitor([Int64: CallbackCommitter]())
    let pool: PostgresPool
    let congestion: CallbackCommitter.Congestion

    init(pool: PostgresPool, congestion: CallbackCommitter.Congestion = .standard) {
        self.pool = pool
        self.congestion = congestion
    }

    /// The lane of `schoolID`, created on its first callback.
    func lane(schoolID: Int64) -> CallbackCommitter {
        lanes.withLock { lanes in
            if let lane = lanes[schoolID] { return lane }
            let lane = CallbackCommitter(pool: pool, congestion: congestion)
            lanes[schoolID] = lane
            return lane
        }
    }
}
