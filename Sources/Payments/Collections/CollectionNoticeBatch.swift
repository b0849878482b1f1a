import BankFormats
import Billing
import Core
import Foundation
import Postgres

/// What one batch of a school's verified payment notices writes, in the transaction its commit lane
/// gives it — the same group commit as bank callbacks (`GroupCommitLanes`): one lane per school, the
/// bank gets its reply only after the commit that stored its money, a failed batch is retried notice
/// by notice, and a lane blocked on a lock answers "try later" at once.
enum CollectionNoticeBatch {
    struct Pending: Sendable {
        let notice: CollectionPaymentNotice
        let context: CollectionContext
    }

    /// The payment as recorded, and the printed numbers of its receipts: read by its sender once the lane
    /// answered, after the COMMIT its last statements travelled with (`CollectionPostings.Recorded`).
    typealias Outcome = CollectionPostings.Recorded

    typealias Lanes = GroupCommitLanes<Pending, Outcome>

    static func lanes(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard,
                      batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault,
                      delivery: @escaping GroupCommit.Delivery = GroupCommit.inOrder) -> Lanes {
        Lanes(pool: pool, congestion: congestion, batchesInFlightMax: batchesInFlightMax, delivery: delivery,
              record: { batch, connection in try record(batch, on: connection) })
    }

    static func record(_ batch: [Pending], on connection: PostgresConnection) throws -> [Outcome] {
        try CollectionPostings.send(batch.map { ($0.notice, $0.context) }, source: "notice", on: connection)
    }
}
