import Billing
import Core
import Ledger
import Payments
import Postgres
import Reconciliation
import Simulation

/// The school accountant working the suspense queue, as `tuition suspense` and the API let them.
/// The demo knows what every transfer really paid (the simulation's labels) the way an accountant
/// learns it by phoning the parent: proposals that agree with the truth are accepted, the others
/// declined; money that is not tuition goes to another account; a payment sent twice is due back;
/// money with neither a code nor a name, and what came in the month's last week, stay in the queue.
enum DemoAccountant {
    static let actor = "Kế toán (demo)"

    struct Work {
        var acceptedTop = 0
        var acceptedLower = 0
        var appliedByHand = 0
        var notTuition = 0
        var refundsDue = 0
        var leftOpen = 0
    }

    static func workQueue(school: DemoSchool, transfers: [LabelledTransfer], pool: PostgresPool) throws -> Work {
        let listing = try pool.withConnection { try Suspense.list(school: school.school, asOf: DemoProvince.month.lastDay, on: $0) }
        let truth = labelsByBankReference(transfers)
        let lastWeek = DemoProvince.month.lastDay.adding(days: -6)
        var work = Work()
        for entry in listing.entries where entry.transaction.direction == .incoming {
            // What came in the month's last week is next week's work: it shows in the reports' aging.
            guard entry.transaction.bookedOn < lastWeek, let label = label(of: entry.transaction, in: truth) else {
                work.leftOpen += 1
                continue
            }
            do {
                try pool.transaction(isolation: .readCommitted) { connection in
                    try decide(entry, label: label, schoolID: school.school.id, work: &work, on: connection)
                }
            } catch is SuspenseError {
                // The truth no longer fits (the invoice was paid meanwhile): it stays for follow-up.
                work.leftOpen += 1
            }
        }
        return work
    }

    static func decide(_ entry: SuspenseEntry, label: TransferLabel, schoolID: Int64, work: inout Work,
                       on connection: PostgresConnection) throws {
        let transactionID = entry.transaction.id
        if !label.isTuition {
            _ = try Suspense.markNotTuition(schoolID: schoolID, transactionID: transactionID, account: .purpose(.other),
                                            reason: "Không phải học phí: \(entry.transaction.memo.prefix(80))", decidedBy: actor, on: connection)
            work.notTuition += 1
        } else if label.scenario == .duplicate {
            _ = try Suspense.markRefundDue(schoolID: schoolID, transactionID: transactionID,
                                           reason: "Phụ huynh chuyển hai lần, hoàn lại lần sau", decidedBy: actor, on: connection)
            work.refundsDue += 1
        } else if label.scenario == .anonymous {
            // With neither a code nor a name, nobody calls to say whose it is: it waits for the bank's trace.
            work.leftOpen += 1
        } else if let rank = entry.proposals.firstIndex(where: { agrees($0, with: label) }) {
            let proposal = entry.proposals[rank]
            _ = try Suspense.apply(schoolID: schoolID, transactionID: transactionID,
                                   SuspenseApplicationRequest(allocations: proposal.allocations, credit: proposal.credit,
                                                              creditStudentID: proposal.creditStudentID,
                                                              explanation: "Đề xuất \(rank + 1) đúng, phụ huynh xác nhận qua điện thoại"),
                                   recordedBy: actor, on: connection)
            if rank == 0 { work.acceptedTop += 1 } else { work.acceptedLower += 1 }
        } else if !label.allocations.isEmpty, label.creditHolder == nil {
            let allocations = label.allocations.map { PaymentAllocation(invoiceID: $0.invoiceId, amount: $0.amount) }
            _ = try Suspense.apply(schoolID: schoolID, transactionID: transactionID,
                                   SuspenseApplicationRequest(allocations: allocations, explanation: "Phụ huynh cho biết học sinh và hóa đơn"),
                                   recordedBy: actor, on: connection)
            work.appliedByHand += 1
        } else {
            work.leftOpen += 1
        }
    }

    /// A proposal agrees with the truth when it pays exactly the invoices and amounts the transfer paid.
    static func agrees(_ proposal: SuspenseProposal, with label: TransferLabel) -> Bool {
        guard !label.allocations.isEmpty else { return false }
        let proposed = Set(proposal.allocations.map { Allocation(invoiceId: $0.invoiceID, amount: $0.amount) })
        return proposed == Set(label.allocations)
    }

    /// Callbacks carry `DEMO-<id>` as the provider's transaction id, statement lines `FT<id>` as the bank's reference.
    static func labelsByBankReference(_ transfers: [LabelledTransfer]) -> [String: TransferLabel] {
        var labels: [String: TransferLabel] = [:]
        for transfer in transfers {
            labels["DEMO-\(transfer.transaction.id)"] = transfer.label
            labels["FT\(transfer.transaction.id)"] = transfer.label
        }
        return labels
    }

    static func label(of transaction: BankTransaction, in labels: [String: TransferLabel]) -> TransferLabel? {
        if let id = transaction.providerTransactionID, let label = labels[id] { return label }
        if let reference = transaction.bankReference, let label = labels[reference] { return label }
        return nil
    }
}
