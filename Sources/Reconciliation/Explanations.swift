import Core

/// One-line, human-readable accounts of decisions, for the accountant and the auditor.
extension MatchContext {
    func describe(student: Int) -> String {
        let record = students[student]
        return "\(record.fullName) (\(record.className), student \(record.id))"
    }

    func describe(_ plan: AllocationPlan) -> String {
        var parts = plan.allocations.map { allocation in
            let invoice = invoices[invoiceIndexById[allocation.invoiceId]!]
            return "\(allocation.amount) to invoice \(invoice.id) (\(invoice.period.iso))"
        }
        if plan.remainder.isPositive {
            parts.append("\(plan.remainder) " + (plan.creditHolder.map { "credit to \($0)" } ?? "left unapplied"))
        }
        return parts.isEmpty ? "nothing to allocate" : parts.joined(separator: ", ")
    }

    func pendingExplanation(_ rule: MatchRule, repairs: [RepairSignal], top: MatchProposal?) -> String {
        let best = top.map { " Best proposal: \($0.explanation)." } ?? ""
        switch rule {
        case .repairedCode:
            return "No valid code; '\(repairs[0].damagedText)' is one edit from \(repairs[0].repairedCode). Proposed, not applied."
                + best
        case .repairTie:
            let codes = repairs.map(\.repairedCode).joined(separator: ", ")
            return "No valid code; a damaged code is one edit from several codes (\(codes)). Abstained." + best
        case .nameAndAmount, .siblingsByFamily:
            return "No code; a name of the school and the amount point to a payer. Proposed, not applied." + best
        default:
            return top == nil ? "No code, name or amount points to an invoice: suspense."
                : "No code; only weak evidence: suspense." + best
        }
    }
}
