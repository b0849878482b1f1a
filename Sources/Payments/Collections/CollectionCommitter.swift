import BankFormats
import Billing
import Core
import Foundation
import Postgres

/// Group commit for payment notices, as for callbacks: verified notices queue up, and one waiting
/// thread (the leader) records up to `batchMax` of them in one transaction while the others wait
/// for its commit. Each bank still gets its reply only after the commit that stored its money; the
/// school's hot accounts are locked once per batch. A failed batch is retried notice by notice.
final class CollectionCommitter: Sendable {
    struct Pending: Sendable {
        let notice: CollectionPaymentNotice
        let context: CollectionContext
    }

    typealias Outcome = Result<(CollectionPayment, [Int64: String]), CollectionCommitFailure>

    static let batchMax = 64
    static let waitSliceNanoseconds: UInt64 = 1_000_000_000

    private struct State {
        var nextTicket: UInt64 = 0
        var queue: [(ticket: UInt64, pending: Pending)] = []
        var leading = false
        var results: [UInt64: Outcome] = [:]
    }

    private enum Step {
        case done(Outcome)
        case lead([(ticket: UInt64, pending: Pending)])
    }

    private let monitor = Monitor(State())
    let pool: PostgresPool

    init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Queues the notice and returns once the transaction holding it committed; throws when it failed.
    func submit(_ pending: Pending) throws -> (CollectionPayment, [Int64: String]) {
        let ticket = monitor.withLock { state -> UInt64 in
            state.nextTicket += 1
            state.queue.append((state.nextTicket, pending))
            return state.nextTicket
        }
        while true {
            let step = monitor.wait(untilNanoseconds: monotonicNanoseconds() + Self.waitSliceNanoseconds) { state -> Step? in
                if let outcome = state.results.removeValue(forKey: ticket) { return .done(outcome) }
                guard !state.leading else { return nil }
                state.leading = true
                let batch = Array(state.queue.prefix(Self.batchMax))
                state.queue.removeFirst(batch.count)
                return .lead(batch)
            }
            switch step {
            case .done(let outcome): return try outcome.get()
            case .lead(let batch):
                let outcomes = commit(batch.map(\.pending))
                monitor.withLock { state in
                    for (item, outcome) in zip(batch, outcomes) { state.results[item.ticket] = outcome }
                    state.leading = false
                }
                monitor.broadcast()
            case nil: continue
            }
        }
    }

    private func commit(_ batch: [Pending]) -> [Outcome] {
        guard !batch.isEmpty else { return [] }
        do {
            return try record(batch).map { .success($0) }
        } catch {
            guard batch.count > 1 else { return [.failure(CollectionCommitFailure(reason: "\(error)"))] }
            return batch.map { pending in
                do { return .success(try record([pending])[0]) } catch { return .failure(CollectionCommitFailure(reason: "\(error)")) }
            }
        }
    }

    private func record(_ batch: [Pending]) throws -> [(CollectionPayment, [Int64: String])] {
        try pool.transaction(isolation: .readCommitted) { connection in
            let payments = try CollectionPostings.record(batch.map { ($0.notice, $0.context) }, source: "notice", on: connection)
            // The receipts' printed numbers, one query per school of the batch.
            var numbers: [Int64: [Int64: String]] = [:]
            for (schoolID, indices) in Dictionary(grouping: batch.indices, by: { batch[$0].context.schoolID }) {
                numbers[schoolID] = try Receipts.numbers(schoolID: schoolID, ids: indices.flatMap { payments[$0].receiptIDs }, on: connection)
            }
            return zip(batch, payments).map { pending, payment in (payment, numbers[pending.context.schoolID] ?? [:]) }
        }
    }
}

/// Why a notice could not be recorded (the database): the bank gets "unavailable" and retries.
struct CollectionCommitFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
