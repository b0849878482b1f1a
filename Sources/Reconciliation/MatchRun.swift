import Core

/// Matches a sequence of transactions against one school, applying each automatic decision to the running
/// outstanding amounts, so a later transfer sees what earlier ones paid (partial payments add up, a duplicate
/// finds its invoice settled and becomes credit).
public struct MatchRun: Sendable {
    public let context: MatchContext
    private var balances: [Money]

    public init(context: MatchContext) {
        self.context = context
        self.balances = context.initialOutstanding
    }

    /// Decides `transaction` and, when the decision is automatic, applies its allocations.
    public mutating func match(_ transaction: MatchTransaction) -> MatchDecision {
        let decision = context.decide(transaction, balances: balances)
        if decision.isAutomatic { apply(decision.allocations) }
        return decision
    }

    /// Applies allocations a person accepted (or an automatic decision made) to the running amounts.
    /// Each must name an invoice of the context and not exceed what it still owes.
    public mutating func apply(_ allocations: [Allocation]) {
        for allocation in allocations {
            guard let invoice = context.invoiceIndexById[allocation.invoiceId] else {
                preconditionFailure("allocation to invoice \(allocation.invoiceId), which is not in the context")
            }
            precondition(allocation.amount.isPositive && allocation.amount <= balances[invoice],
                         "allocation of \(allocation.amount) exceeds what invoice \(allocation.invoiceId) owes")
            balances[invoice] = Money(dong: balances[invoice].dong - allocation.amount.dong)
        }
    }

    /// What `invoiceId` still owes after the transactions matched so far; nil when not in the context.
    public func outstanding(ofInvoice invoiceId: Int64) -> Money? {
        context.invoiceIndexById[invoiceId].map { balances[$0] }
    }

    /// Decides every transaction in booking order (then by id), whatever order they are given in.
    /// The decisions come back in that order.
    public static func reconcile(_ transactions: [MatchTransaction], in context: MatchContext) -> [MatchDecision] {
        var run = MatchRun(context: context)
        return MatchRun.bookingOrder(transactions).map { run.match($0) }
    }

    public static func bookingOrder(_ transactions: [MatchTransaction]) -> [MatchTransaction] {
        transactions.sorted { $0.bookingDate != $1.bookingDate ? $0.bookingDate < $1.bookingDate : $0.id < $1.id }
    }
}
