import Billing
import Core
import Foundation
import Ledger
import Postgres

/// What one batch of a school's verified callbacks writes, in the transaction its commit lane gives
/// it (`GroupCommitLanes`, shared with collection payment notices): the bank-account locks, the
/// late-callback look, the money (`IncomingBatch`) and every delivery's audit row.
enum CallbackBatch {
    /// A class, immutable: a delivery is handed from the door to the lane's queue, its batch and its retry
    /// one by one, and a copy of the struct (the transaction's and audit row's texts) cost a retain and a
    /// release per reference at each hand-over.
    final class Pending: Sendable {
        let transaction: NewBankTransaction
        let audit: DeliveryAudit
        let providerTransactionID: String

        init(transaction: NewBankTransaction, audit: DeliveryAudit, providerTransactionID: String) {
            self.transaction = transaction
            self.audit = audit
            self.providerTransactionID = providerTransactionID
        }
    }

    typealias Outcome = (outcome: CallbackOutcomeCode, bankTransactionID: Int64?, reason: String?)

    enum CallbackOutcomeCode: Sendable { case accepted, duplicate }

    typealias Lanes = GroupCommitLanes<Pending, Outcome>

    static func lanes(pool: PostgresPool, congestion: GroupCommit.Congestion = .standard,
                      batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault,
                      delivery: @escaping GroupCommit.Delivery = GroupCommit.inOrder) -> Lanes {
        Lanes(pool: pool, congestion: congestion, batchesInFlightMax: batchesInFlightMax, delivery: delivery,
              record: { batch, connection in try record(batch, on: connection) })
    }

    static func record(_ batch: [Pending], on connection: PostgresConnection) throws -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: batch.count)
        var audits: [DeliveryAudit.Row] = []
        var receipts: [PaymentBatch.UnsentReceipts] = []
        // Schools and bank accounts in ascending id: a fixed order for the locks of several in one transaction.
        // Each account's statement lock is taken first, shared (imports take it exclusive), so a callback and
        // an import never both book the same money, while another batch of the lane runs beside this one.
        for account in Set(batch.map(\.transaction.bankAccountID)).sorted() {
            try StatementLocks.lockBankAccount(account, mode: .shared, on: connection)
        }
        // The batch's first reads depend on nothing read before them: sent together with the BEGIN and the
        // locks, they cost one round trip (docs/callbacks.md §6, sixth round). The claim is made for every
        // delivery; when one may be late, the deliveries not recognised as late are claimed again below.
        let bySchool = Dictionary(grouping: batch.indices, by: { batch[$0].transaction.schoolID })
        let firstReads = try bySchool.keys.sorted().map { schoolID in
            let transactions = bySchool[schoolID]!.map { batch[$0].transaction }
            return (schoolID, try Schools.sendFind(id: schoolID, on: connection),
                    try LateCallbacks.sendMayHaveStatementLines(transactions, on: connection),
                    try IncomingBatch.sendClaim(transactions, on: connection))
        }
        let mayBeLate = try firstReads.map { try $0.2.get() }
        // A statement line is claimed by an uncommitted audit row: before looking for unclaimed lines, this batch
        // takes the account's recognition lock, exclusive, before any row lock (imports cannot add lines meanwhile:
        // they wait for the shared account lock, so the first look stands).
        let recognizing = zip(firstReads, mayBeLate).flatMap { read, flags in
            zip(bySchool[read.0]!, flags).filter(\.1).map { batch[$0.0].transaction.bankAccountID }
        }
        for account in Set(recognizing).sorted() { try StatementLocks.lockRecognition(account, on: connection) }
        var lateClaims: [Int64: LateCallbacks.Claim] = [:]
        for ((schoolID, sentSchool, _, sentClaim), mayBeLate) in zip(firstReads, mayBeLate) {
            guard let school = try sentSchool.get() else { throw LedgerError.unknownSchool(schoolID) }
            var indices: [Int] = []
            let schoolIndices = bySchool[schoolID]!
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
            // The early claim holds when every delivery of the school is in it (none recognised as late):
            // a repeated provider id must be judged among exactly the deliveries recorded.
            let claimed = indices.count == schoolIndices.count ? sentClaim : nil
            let recorded = try IncomingBatch.record(indices.map { batch[$0].transaction }, status: "provisional", school: school,
                                                    claimed: claimed, on: connection)
            receipts.append(recorded.receipts)
            for (index, result) in zip(indices, recorded.outcomes) {
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
        // Last before the COMMIT: the statement that takes each school's receipt counter (docs/callbacks.md §6,
        // tenth round). Sent, not read: callbacks reply without receipt numbers.
        for unsent in receipts { _ = try unsent.send(on: connection) }
        return outcomes.map { $0! }
    }
}
