import Core

/// Money spread over invoices in a fixed order, each up to what it still owes, the rest as credit.
struct AllocationPlan: Hashable, Sendable {
    var allocations: [Allocation]
    var remainder: Money
    var creditHolder: CreditHolder?
    var amountFit: AmountFit
    var dateGapDays: Int?
    /// What the pool owed before this money.
    var owed: Money
}

extension MatchContext {
    /// Applies `amount` to the invoices of `pool` in the order given, each up to `balances[invoice]`.
    ///
    /// Never allocates more than the amount in total nor more than an invoice owes; what is left is the remainder.
    func plan(
        amount: Money, pool: [Int], balances: [Money], creditHolder: CreditHolder?, bookingDate: CalendarDate
    ) -> AllocationPlan {
        precondition(amount.isPositive, "only incoming money is allocated")
        var allocations: [Allocation] = []
        var left = amount.dong
        var owed: Int64 = 0
        var seen = Set<Int>()
        var firstDue: CalendarDate?
        for invoice in pool where seen.insert(invoice).inserted {
            let balance = balances[invoice].dong
            owed = saturatingAdd(owed, max(balance, 0))
            guard balance > 0 else { continue }
            if firstDue == nil { firstDue = invoices[invoice].dueDate }
            guard left > 0 else { continue }
            let take = min(left, balance)
            precondition(take > 0 && take <= balance && take <= left, "allocation beyond what is owed or paid")
            allocations.append(Allocation(invoiceId: invoices[invoice].id, amount: Money(dong: take)))
            left -= take
        }
        if firstDue == nil, let first = pool.first { firstDue = invoices[first].dueDate }
        return AllocationPlan(
            allocations: allocations, remainder: Money(dong: left), creditHolder: creditHolder,
            amountFit: MatchContext.fit(amount: amount.dong, owed: owed), dateGapDays: firstDue.map { $0.days(until: bookingDate) },
            owed: Money(dong: owed))
    }

    static func fit(amount: Int64, owed: Int64) -> AmountFit {
        if amount == owed { return .exact }
        if owed > 0, (amount - owed).magnitude <= UInt64(MatchScoring.amountToleranceDong) { return .withinTolerance }
        return amount < owed ? .partial : .over
    }
}
