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

    /// The payment as recorded, and the printed numbers of its receipts.
    typealias Outcome = (payment: CollectionPayment, receiptNumbers: [Int64: String])

    typealias Lanes = GroupCommitLanes<Pending, Outcome>

    static func lanes(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard,
                      batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault) -> Lanes {
        Lanes(pool: pool, congestion: congestion, batchesInFlightMax: batchesInFlightMax, record: { batch, connection in try record(batch, on: connection) })
    }

    static func record(_ batch: [Pending], on connection: PostgresConnection) throws -> [Outcome] {
        let payments = try CollectionPostings.record(batch.map { ($0.notice, $0.context) }, source: "notice", on: connection)
        // The receipts' printed numbers, one query per school of the batch.
        var numbers: [Int64: [Int64: String]] = [:]
        for (schoolID, indices) in Dictionary(grouping: batch.indices, by: { batch[$0].context.schoolID }) {
            numbers[schoolID] = try Receipts.numbers(schoolID: schoolID, ids: indices.flatMap { payments[$0].receiptIDs }, on: connection)
        }
        return zip(batch, payments).map { pending, payment in (payment, numbers[pending.context.schoolID] ?? [:]) }
    }
}
