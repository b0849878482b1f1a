/// The accountants' queue: what was not applied automatically, most likely first.
public enum SuspenseQueue {
    /// Pending decisions (not automatic, money in), by their top proposal's score, highest first; then
    /// those without proposals; ties by booking date, then transaction id. The input order does not matter.
    public static func ranked(_ decisions: [MatchDecision]) -> [MatchDecision] {
        decisions
            .filter { !$0.isAutomatic && $0.rule != .notIncoming }
            .sorted { a, b in
                let scoreA = a.topProposal?.score ?? -1
                let scoreB = b.topProposal?.score ?? -1
                if scoreA != scoreB { return scoreA > scoreB }
                if a.bookingDate != b.bookingDate { return a.bookingDate < b.bookingDate }
                return a.transactionId < b.transactionId
            }
    }
}
