import Core

/// Rules 3 to 6: what a person is offered when nothing is certain.
extension MatchContext {
    func proposalDecision(
        _ transaction: MatchTransaction, damaged: [DamagedCode], text: TransactionText, signals: MatchSignals,
        balances: [Money]
    ) -> MatchDecision {
        var signals = signals
        let hits = nameHits(text)
        signals.names = hits.map { hit in
            NameSignal(studentId: students[hit.studentIndex].id, matchedText: hit.text, role: hit.role, quality: hit.quality,
                       source: hit.source)
        }
        let repairs = repairs(of: damaged)
        signals.repairs = repairs.map(\.signal)
        var proposals = repairProposals(transaction, repairs: repairs, hits: hits, balances: balances)
        proposals += nameProposals(transaction, hits: hits, text: text, balances: balances)
        proposals += amountOnlyProposals(transaction, balances: balances)
        proposals = MatchContext.withoutDuplicates(MatchProposal.ranked(proposals))
        let rule = MatchContext.pendingRule(repairCount: repairs.count, ranked: proposals)
        return .pending(transaction, rule: rule, signals: signals, proposals: proposals,
                        explanation: pendingExplanation(rule, repairs: repairs.map(\.signal), top: proposals.first))
    }

    static func pendingRule(repairCount: Int, ranked: [MatchProposal]) -> MatchRule {
        if repairCount == 1 { return .repairedCode }
        if repairCount > 1 { return .repairTie }
        let named = ranked.first { $0.rule == .nameAndAmount || $0.rule == .siblingsByFamily }
        return named?.rule ?? .suspense
    }

    /// One hit per student, the strongest; students ordered by their hit's strength, then by id; at most
    /// `MatchScoring.nameCandidatesMax`.
    func nameHits(_ text: TransactionText) -> [NameHit] {
        let all = names.hits(inNormalized: text.memo, source: .memo) + names.hits(inNormalized: text.payer, source: .payerName)
        var best: [Int: NameHit] = [:]
        for hit in all where best[hit.studentIndex].map({ NameHit.isStronger(hit, $0) }) ?? true {
            best[hit.studentIndex] = hit
        }
        let ordered = best.values.sorted { a, b in
            if NameHit.isStronger(a, b) != NameHit.isStronger(b, a) { return NameHit.isStronger(a, b) }
            return a.studentIndex < b.studentIndex
        }
        return Array(ordered.prefix(MatchScoring.nameCandidatesMax))
    }

    /// Rule 3: each existing code one edit away from a damaged code, allocated by the code policy.
    func repairProposals(
        _ transaction: MatchTransaction, repairs: [(signal: RepairSignal, target: CodeTarget)], hits: [NameHit],
        balances: [Money]
    ) -> [MatchProposal] {
        let base = repairs.count == 1 ? MatchScoring.repairedCodeBase : MatchScoring.repairTieBase
        let rule: MatchRule = repairs.count == 1 ? .repairedCode : .repairTie
        let named = Set(hits.map(\.studentIndex))
        return repairs.map { repair in
            let owner = studentIndex(of: repair.target)
            let plan = plan(amount: transaction.amount, pool: codePool([repair.target]), balances: balances,
                            creditHolder: creditHolder(for: [owner]), bookingDate: transaction.bookingDate)
            let nameBonus = named.contains(owner) ? MatchScoring.repairNameBonus : 0
            let amountBonus = plan.amountFit == .exact ? MatchScoring.repairExactAmountBonus : 0
            let edit = repair.signal.edit == .substitution ? "one character changed" : "two characters swapped"
            let explanation = "'\(repair.signal.damagedText)' read as \(repair.signal.repairedCode) (\(edit) at position "
                + "\(repair.signal.position + 1)), \(describe(student: owner)): " + describe(plan)
            return MatchProposal(rule: rule, studentIds: [students[owner].id], plan: plan, score: base + nameBonus + amountBonus,
                                 explanation: explanation)
        }
    }

    /// Rules 4 and 5: a proposal per named student (best amount fit), and one per named family whose
    /// siblings together owe the amount.
    func nameProposals(
        _ transaction: MatchTransaction, hits: [NameHit], text: TransactionText, balances: [Money]
    ) -> [MatchProposal] {
        var proposals: [MatchProposal] = []
        var families = Set<String>()
        for hit in hits {
            proposals.append(studentProposal(transaction, hit: hit, text: text, balances: balances))
            if let key = students[hit.studentIndex].familyKey, families.insert(key).inserted,
               let family = familyProposal(transaction, key: key, hit: hit, balances: balances) {
                proposals.append(family)
            }
        }
        return MatchContext.penalisingAmbiguity(proposals)
    }

    private func studentProposal(
        _ transaction: MatchTransaction, hit: NameHit, text: TransactionText, balances: [Money]
    ) -> MatchProposal {
        let student = hit.studentIndex
        let open = invoicesOfStudent[student].filter { balances[$0].isPositive }
        let pool = MatchContext.bestFittingPool(amount: transaction.amount.dong, open: open, balances: balances)
        let plan = plan(amount: transaction.amount, pool: pool, balances: balances,
                        creditHolder: creditHolder(for: [student]), bookingDate: transaction.bookingDate)
        let fits = plan.amountFit == .exact || plan.amountFit == .withinTolerance
        var score = plan.amountFit == .exact ? MatchScoring.nameExactAmountBase
            : plan.amountFit == .withinTolerance ? MatchScoring.nameToleranceAmountBase : MatchScoring.nameOnlyBase
        score += MatchContext.nameBonus(hit)
        if text.memoTokens.contains(Substring(normalizedClasses[student])) { score += MatchScoring.classNameBonus }
        if open.isEmpty { score = MatchScoring.namedProposalFloor }
        let whose = hit.role == .guardian ? "guardian's name" : "name"
        let explanation = "The \(whose) '\(hit.text)' (\(hit.source.rawValue)) points to \(describe(student: student)), "
            + "amount \(plan.amountFit.rawValue): " + describe(plan)
        return MatchProposal(rule: fits ? .nameAndAmount : .suspense, studentIds: [students[student].id], plan: plan,
                             score: score, explanation: explanation)
    }

    private func familyProposal(_ transaction: MatchTransaction, key: String, hit: NameHit, balances: [Money]) -> MatchProposal? {
        guard let members = membersOfFamily[key] else { return nil }
        let owing = members.filter { invoicesOfStudent[$0].contains { balances[$0].isPositive } }
        guard owing.count >= 2 else { return nil }
        let plan = plan(amount: transaction.amount, pool: familyInvoices(ofStudent: hit.studentIndex), balances: balances,
                        creditHolder: .family(key), bookingDate: transaction.bookingDate)
        guard plan.amountFit == .exact || plan.amountFit == .withinTolerance else { return nil }
        let score = MatchScoring.familyTotalBase + MatchContext.nameBonus(hit)
            - (plan.amountFit == .exact ? 0 : MatchScoring.ambiguityPenalty)
        let explanation = "'\(hit.text)' names family \(key); its \(owing.count) siblings owe \(plan.owed): " + describe(plan)
        return MatchProposal(rule: .siblingsByFamily, studentIds: owing.map { students[$0].id }, plan: plan, score: score,
                             explanation: explanation)
    }

    /// The student's open invoices the amount most likely pays: one invoice owing exactly the amount, else the
    /// oldest ones summing exactly to it, else one within tolerance, else all of them oldest first.
    static func bestFittingPool(amount: Int64, open: [Int], balances: [Money]) -> [Int] {
        if let single = open.first(where: { balances[$0].dong == amount }) { return [single] }
        var sum: Int64 = 0
        for (count, invoice) in open.enumerated() {
            sum = saturatingAdd(sum, balances[invoice].dong)
            if sum == amount { return Array(open.prefix(count + 1)) }
        }
        let tolerance = UInt64(MatchScoring.amountToleranceDong)
        if let near = open.first(where: { (balances[$0].dong - amount).magnitude <= tolerance }) { return [near] }
        return open
    }

    static func nameBonus(_ hit: NameHit) -> Int {
        let quality = switch (hit.quality, hit.role) {
        case (.fullName, .student): MatchScoring.studentFullNameBonus
        case (.fullName, .guardian): MatchScoring.guardianFullNameBonus
        case (.familyAndGivenName, _): MatchScoring.familyAndGivenNameBonus
        case (.givenNameAndClass, _): MatchScoring.givenNameAndClassBonus
        }
        return quality + min(hit.tokenCount - 2, 3) * 5
    }

    /// Several different students sharing the best name score are a guess: lower them for the queue's ranking.
    static func penalisingAmbiguity(_ proposals: [MatchProposal]) -> [MatchProposal] {
        guard let top = proposals.map(\.score).max() else { return proposals }
        let tied = proposals.filter { $0.score == top }
        guard Set(tied.map(\.studentIds)).count > 1 else { return proposals }
        return proposals.map { proposal in
            guard proposal.score == top else { return proposal }
            var lowered = proposal
            lowered.score = max(MatchScoring.namedProposalFloor, top - MatchScoring.ambiguityPenalty)
            return lowered
        }
    }

    /// Rule 6: invoices owing exactly the amount, oldest due first, never more than a few, low scores.
    func amountOnlyProposals(_ transaction: MatchTransaction, balances: [Money]) -> [MatchProposal] {
        let candidates = (invoicesByOutstanding[transaction.amount.dong] ?? []).filter { balances[$0] == transaction.amount }
        guard !candidates.isEmpty else { return [] }
        let score = max(MatchScoring.amountOnlyFloor,
                        MatchScoring.amountOnlyBase - MatchScoring.amountOnlyPenaltyPerOtherCandidate * (candidates.count - 1))
        return candidates.prefix(MatchScoring.amountOnlyProposalsMax).map { invoice in
            let student = studentIndexById[invoices[invoice].studentId]!
            let plan = plan(amount: transaction.amount, pool: [invoice], balances: balances,
                            creditHolder: creditHolder(for: [student]), bookingDate: transaction.bookingDate)
            let explanation = "Amount only: \(describe(student: student)) owes exactly \(transaction.amount) "
                + "(\(candidates.count) invoice(s) do): " + describe(plan)
            return MatchProposal(rule: .suspense, studentIds: [students[student].id], plan: plan, score: score,
                                 explanation: explanation)
        }
    }

    /// The first of proposals that would apply the same money the same way.
    static func withoutDuplicates(_ ranked: [MatchProposal]) -> [MatchProposal] {
        var seen = Set<[Allocation]>()
        var kept: [MatchProposal] = []
        for proposal in ranked where proposal.allocations.isEmpty || seen.insert(proposal.allocations).inserted {
            kept.append(proposal)
        }
        return kept
    }
}
