import Core
import Dispatch
import Reconciliation
import Synchronization

/// Runs the matcher on labelled months and counts what it got right.
public enum AccuracyEvaluator {
    /// Matches one school's month in booking order and scores every decision against its label.
    public static func evaluate(_ month: SimulatedSchoolMonth) throws(MatchInputError) -> AccuracyReport {
        let roster = month.roster
        let context = try MatchContext(prefix: roster.school.paymentCodePrefix, students: roster.students,
                                       invoices: roster.invoices)
        let decisions = MatchRun.reconcile(month.transfers.map(\.transaction), in: context)
        let labels = Dictionary(uniqueKeysWithValues: month.transfers.map { ($0.transaction.id, $0.label) })
        var report = AccuracyReport()
        report.schools = 1
        report.students = roster.students.count
        report.invoices = roster.invoices.count
        report.transfers = month.transfers.count
        for decision in decisions {
            let label = labels[decision.transactionId]!
            var figures = report[label.scenario]
            figures.transfers += 1
            if decision.isAutomatic {
                figures.automatic += 1
                if isCorrect(decision, label: label) { figures.automaticCorrect += 1 }
            } else if let top = decision.topProposal {
                figures.proposed += 1
                if isCorrect(top, label: label) { figures.topProposalCorrect += 1 }
            } else {
                figures.bareSuspense += 1
            }
            report[label.scenario] = figures
        }
        return report
    }

    /// Every school of the province, `concurrency` schools at a time, figures summed.
    public static func evaluate(_ simulation: ProvinceSimulation, concurrency: Int = 2) throws(MatchInputError) -> AccuracyReport {
        let shared = SharedReport()
        let schools = simulation.schools
        let workers = max(1, min(concurrency, schools.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: schools.count, by: workers) {
                let result = Result { () throws(MatchInputError) -> AccuracyReport in
                    try evaluate(simulation.month(of: schools[index]))
                }
                shared.state.withLock { state in
                    switch result {
                    case .success(let report): state.report.merge(report)
                    case .failure(let error): state.error = state.error ?? error
                    }
                }
            }
        }
        let (report, error) = shared.state.withLock { ($0.report, $0.error) }
        if let error { throw error }
        return report
    }

    /// Applied allocations equal the label's, and any remainder went to the label's credit holder.
    public static func isCorrect(_ decision: MatchDecision, label: TransferLabel) -> Bool {
        guard label.isTuition else { return false }
        var holder: CreditHolder?
        if case .credit(let credited) = decision.remainderDisposition { holder = credited }
        return matches(allocations: decision.allocations, remainder: decision.remainder, holder: holder, label: label)
    }

    /// The proposal would apply the money as the label says.
    public static func isCorrect(_ proposal: MatchProposal, label: TransferLabel) -> Bool {
        guard label.isTuition else { return false }
        return matches(allocations: proposal.allocations, remainder: proposal.remainder, holder: proposal.creditHolder,
                       label: label)
    }

    static func matches(allocations: [Allocation], remainder: Money, holder: CreditHolder?, label: TransferLabel) -> Bool {
        guard Set(allocations) == Set(label.allocations) else { return false }
        return remainder.isZero || holder == label.creditHolder
    }
}

private final class SharedReport: Sendable {
    struct State {
        var report = AccuracyReport()
        var error: MatchInputError?
    }
    let state = Mutex(State())
}
