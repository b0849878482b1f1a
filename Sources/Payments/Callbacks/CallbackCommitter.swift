import Core
import Foundation
import Ledger
import Postgres

/// Group commit for the callbacks of ONE school (its lane, see `CallbackLanes`): verified deliveries
/// queue up, and one of the waiting threads (the leader) records a whole batch in one database
/// transaction while the others wait for its commit. Every sender still gets its reply only after the
/// commit that stored its money; the school's hot accounts are locked once per batch instead of once
/// per callback.
///
/// A batch that fails is retried callback by callback, so one bad delivery cannot fail the others —
/// except when it failed on a timeout (a lock held elsewhere, by a long statement import say): then
/// every delivery of the lane is answered "try later" at once, and for `congestionCooldownNanoseconds`
/// so are new ones, so a blocked school holds no worker threads that other schools need.
final class CallbackCommitter: Sendable {
    struct Pending: Sendable {
        let transaction: NewBankTransaction
        let audit: DeliveryAudit
        let providerTransactionID: String
    }

    typealias Outcome = (outcome: CallbackOutcomeCode, bankTransactionID: Int64?, reason: String?)

    enum CallbackOutcomeCode: Sendable { case accepted, duplicate, unavailable }

    /// Deliveries committed together at most; bounded so one transaction stays short.
    static let batchMax = 64
    /// How long a waiting thread sleeps between checks (it is woken on every commit anyway).
    static let waitSliceNanoseconds: UInt64 = 1_000_000_000

    /// When the lane counts as blocked: a batch still running after `slowBatchNanoseconds` (normal
    /// batches take milliseconds), or the last one failed on a timeout less than
    /// `congestionCooldownNanoseconds` ago. Deliveries arriving then are answered "try later" at once.
    struct Congestion: Sendable {
        var slowBatchNanoseconds: UInt64
        var congestionCooldownNanoseconds: UInt64

        static let standard = Congestion(slowBatchNanoseconds: 1_000_000_000, congestionCooldownNanoseconds: 1_000_000_000)
    }

    private struct State {
        var nextTicket: UInt64 = 0
        var queue: [(ticket: UInt64, pending: Pending)] = []
        var leading = false
        var batchStartedAt: UInt64 = 0
        var congestedUntil: UInt64 = 0
        var results: [UInt64: Outcome] = [:]
    }

    private enum Step {
        case done(Outcome)
        case lead([(ticket: UInt64, pending: Pending)])
    }

    private let monitor = Monitor(State())
    let pool: PostgresPool
    let congestion: Congestion

    init(pool: PostgresPool, congestion: Congestion = .standard) {
        self.pool = pool
        self.congestion = congestion
    }

    static let congestedReason = "this school's callbacks are waiting for a lock held by other work (a statement import?): try later"

    /// Queues `pending` and returns once the transaction holding it committed (or failed), or at
    /// once with `unavailable` when the lane is blocked.
    func submit(_ pending: Pending) -> Outcome {
        let ticket = monitor.withLock { state -> UInt64? in
            let now = monotonicNanoseconds()
            let slow = state.leading && now - state.batchStartedAt > congestion.slowBatchNanoseconds
            guard !slow && now >= state.congestedUntil else { return nil }
            state.nextTicket += 1
            state.queue.append((state.nextTicket, pending))
            return state.nextTicket
        }
        guard let ticket else { return (.unavailable, nil, CallbackCommitter.congestedReason) }
        while true {
            let step = monitor.wait(untilNanoseconds: monotonicNanoseconds() + CallbackCommitter.waitSliceNanoseconds) { state -> Step? in
                if let outcome = state.results.removeValue(forKey: ticket) { return .done(outcome) }
                guard !state.leading else { return nil }
                state.leading = true
                state.batchStartedAt = monotonicNanoseconds()
                let batch = Array(state.queue.prefix(CallbackCommitter.batchMax))
                state.queue.removeFirst(batch.count)
                return .lead(batch)
            }
            switch step {
            case .done(let outcome): return outcome
            case .lead(let batch):
                let (outcomes, timedOut) = commit(batch.map(\.pending))
                monitor.withLock { state in
                    for (item, outcome) in zip(batch, outcomes) { state.results[item.ticket] = outcome }
                    if timedOut {
                        // The queued deliveries would only wait for the same lock again.
                        state.congestedUntil = monotonicNanoseconds() + congestion.congestionCooldownNanoseconds
                        for item in state.queue { state.results[item.ticket] = (.unavailable, nil, CallbackCommitter.congestedReason) }
                        state.queue.removeAll()
                    }
                    state.leading = false
                }
                monitor.broadcast()
            case nil: continue
            }
        }
    }

    /// Records a batch in one transaction; on failure, each delivery alone — unless it timed out,
    /// which each delivery alone would too. `timedOut` tells the lane it is blocked.
    private func commit(_ batch: [Pending]) -> (outcomes: [Outcome], timedOut: Bool) {
        guard !batch.isEmpty else { return ([], false) }
        do {
            return (try record(batch), false)
        } catch {
            if CallbackCommitter.isTimeout(error) { return (batch.map { _ in (.unavailable, nil, "\(error)") }, true) }
            guard batch.count > 1 else { return ([(.unavailable, nil, "\(error)")], false) }
            return (batch.map { pending in
                do { return try record([pending])[0] } catch { return (.unavailable, nil, "\(error)") }
            }, false)
        }
    }

    static func isTimeout(_ error: any Error) -> Bool {
        (error as? any PostgresErrorCarrying)?.underlyingPostgresError?.isTimeout ?? false
    }

    private func record(_ batch: [Pending]) throws -> [Outcome] {
        try pool.transaction(isolation: .readCommitted) { connection in
            var outcomes = [Outcome?](repeating: nil, count: batch.count)
            var audits: [DeliveryAudit.Row] = []
            // Schools and bank accounts in ascending id: a fixed order for the locks of several in one transaction.
            // Each account's statement lock is taken first (imports take it too), so a callback and an
            // import never both book the same money.
            for account in Set(batch.map(\.transaction.bankAccountID)).sorted() {
                try StatementLocks.lockBankAccount(account, on: connection)
            }
            var lateClaims: [Int64: LateCallbacks.Claim] = [:]
            let bySchool = Dictionary(grouping: batch.indices, by: { batch[$0].transaction.schoolID })
            for schoolID in bySchool.keys.sorted() {
                guard let school = try Schools.find(id: schoolID, on: connection) else { throw LedgerError.unknownSchool(schoolID) }
                var indices: [Int] = []
                let schoolIndices = bySchool[schoolID]!
                let mayBeLate = try LateCallbacks.mayHaveStatementLines(schoolIndices.map { batch[$0].transaction }, on: connection)
                for (index, mayBeLate) in zip(schoolIndices, mayBeLate) {
                    let pending = batch[index]
                    // A statement line imported before this callback already booked the money (docs/statements.md).
                    if mayBeLate, let late = try LateCallbacks.recognize(pending.transaction, claimedInBatch: lateClaims, on: connection) {
                        lateClaims[late.bankTransactionID] = LateCallbacks.Claim(pending.transaction)
                        outcomes[index] = (.duplicate, late.bankTransactionID, late.reason)
                        audits.append(DeliveryAudit.Row(audit: pending.audit, verdict: "duplicate", reason: late.reason,
                                                        transactionID: pending.providerTransactionID, bankTransactionID: late.bankTransactionID))
                    } else {
                        indices.append(index)
                    }
                }
                guard !indices.isEmpty else { continue }
                let recorded = try IncomingBatch.record(indices.map { batch[$0].transaction }, status: "provisional", school: school, on: connection)
                for (index, result) in zip(indices, recorded) {
                    let pending = batch[index]
                    switch result {
                    case .recorded(let id, _, let explanation):
                        outcomes[index] = (.accepted, id, explanation)
                        audits.append(DeliveryAudit.Row(audit: pending.audit, verdict: "accepted", reason: explanation,
                                                        transactionID: pending.providerTransactionID, bankTransactionID: id))
                    case .duplicate(let id, let differs):
                        outcomes[index] = (.duplicate, id, nil)
                        let reason = "already recorded as bank transaction \(id)"
                            + (differs ? "; FLAGGED FOR REVIEW: this delivery's amount, direction or account differs from the recorded one" : "")
                        audits.append(DeliveryAudit.Row(audit: pending.audit, verdict: "duplicate", reason: reason,
                                                        transactionID: pending.providerTransactionID, bankTransactionID: id))
                    }
                }
            }
            try DeliveryAudit.insert(audits, on: connection)
            return outcomes.map { $0! }
        }
    }
}
