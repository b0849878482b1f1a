import Core

/// The cascade: the first rule that fires decides (docs/matching.md).
///
/// 1. virtual account → automatic; 2. valid existing codes of one student or family → automatic
/// (unrelated students → abstain); 3. repaired code → proposal (tie → abstain); 4. name + amount →
/// proposal; 5. family total by name → proposal; 6. suspense with weak proposals.
/// Money is applied automatically only under rules 1 and 2; `MatchDecision` checks it on construction.
extension MatchContext {
    /// A memo longer than this many characters is read only up to it.
    public static let memoCharactersMax = 1_024

    /// Decides one transaction against the outstanding amounts the context was built with.
    public func match(_ transaction: MatchTransaction) -> MatchDecision {
        decide(transaction, balances: initialOutstanding)
    }

    /// Decides one transaction against `balances` (outstanding by invoice index).
    func decide(_ transaction: MatchTransaction, balances: [Money]) -> MatchDecision {
        precondition(balances.count == invoices.count, "balances must cover every invoice")
        var signals = MatchSignals()
        guard transaction.amount.isPositive else {
            return .pending(transaction, rule: .notIncoming, signals: signals, proposals: [],
                            explanation: "Not incoming money (amount \(transaction.amount)); nothing to match.")
        }
        if let account = transaction.virtualAccount.map(MatchContext.normalizedAccount), !account.isEmpty {
            signals.virtualAccount = account
            if let student = studentByVirtualAccount[account] {
                signals.virtualAccountStudentId = students[student].id
                return virtualAccountDecision(transaction, student: student, signals: signals, balances: balances)
            }
        }
        let memo = VietnameseText.normalized(String(transaction.memo.prefix(MatchContext.memoCharactersMax)))
        let payer = VietnameseText.normalized(String((transaction.payerName ?? "").prefix(MatchContext.memoCharactersMax)))
        let codes = readCodes(in: [(.memo, memo), (.payerName, payer)])
        signals.codes = codes.signals
        if !codes.targets.isEmpty {
            return codeDecision(transaction, targets: codes.targets, signals: signals, balances: balances)
        }
        let reading = TransactionText(memo: memo, payer: payer)
        return proposalDecision(transaction, damaged: codes.damaged, text: reading, signals: signals, balances: balances)
    }

    private func virtualAccountDecision(
        _ transaction: MatchTransaction, student: Int, signals: MatchSignals, balances: [Money]
    ) -> MatchDecision {
        let plan = plan(amount: transaction.amount, pool: invoicesOfStudent[student], balances: balances,
                        creditHolder: creditHolder(for: [student]), bookingDate: transaction.bookingDate)
        let explanation = "Virtual account \(signals.virtualAccount!) belongs to \(describe(student: student)): "
            + describe(plan) + "."
        return .automatic(transaction, rule: .virtualAccount, signals: signals, plan: plan, explanation: explanation)
    }

    /// Rule 2: the named invoices and every open invoice of the named students, oldest due first; excess is credit.
    private func codeDecision(
        _ transaction: MatchTransaction, targets: [CodeTarget], signals: MatchSignals, balances: [Money]
    ) -> MatchDecision {
        let owners = Array(Set(targets.map(studentIndex(of:)))).sorted()
        let codes = signals.codes.filter(\.isUsed).map(\.text).joined(separator: ", ")
        if let holder = creditHolder(for: owners) {
            let plan = plan(amount: transaction.amount, pool: codePool(targets), balances: balances,
                            creditHolder: holder, bookingDate: transaction.bookingDate)
            let whom = owners.map(describe(student:)).joined(separator: ", ")
            let explanation = "Payment code \(codes) names \(whom): " + describe(plan) + "."
            return .automatic(transaction, rule: .paymentCode, signals: signals, plan: plan, explanation: explanation)
        }
        let proposals = unrelatedCodeProposals(transaction, targets: targets, owners: owners, balances: balances)
        return .pending(transaction, rule: .unrelatedCodes, signals: signals, proposals: proposals,
                        explanation: "Codes \(codes) name students of different families; a person must choose.")
    }

    /// The invoices money naming `targets` pays, oldest due first: each named invoice,
    /// and every invoice of each student named by a student code.
    func codePool(_ targets: [CodeTarget]) -> [Int] {
        var pool = Set<Int>()
        for target in targets {
            switch target {
            case .invoice(let invoice): pool.insert(invoice)
            case .student(let student): pool.formUnion(invoicesOfStudent[student])
            }
        }
        return oldestDueFirst(Array(pool))
    }

    private func unrelatedCodeProposals(
        _ transaction: MatchTransaction, targets: [CodeTarget], owners: [Int], balances: [Money]
    ) -> [MatchProposal] {
        var proposals: [MatchProposal] = []
        for owner in owners {
            let own = targets.filter { studentIndex(of: $0) == owner }
            let plan = plan(amount: transaction.amount, pool: codePool(own), balances: balances,
                            creditHolder: creditHolder(for: [owner]), bookingDate: transaction.bookingDate)
            let score = MatchScoring.unrelatedCodeBase + (plan.amountFit == .exact ? MatchScoring.repairExactAmountBonus : 0)
            proposals.append(MatchProposal(rule: .unrelatedCodes, studentIds: [students[owner].id], plan: plan, score: score,
                                           explanation: "Only the code of \(describe(student: owner)): " + describe(plan)))
        }
        let all = plan(amount: transaction.amount, pool: codePool(targets), balances: balances, creditHolder: nil,
                       bookingDate: transaction.bookingDate)
        proposals.append(MatchProposal(rule: .unrelatedCodes, studentIds: owners.map { students[$0].id }, plan: all,
                                       score: MatchScoring.unrelatedCodeCombinedScore,
                                       explanation: "All codes together, oldest due first: " + describe(all)))
        return proposals
    }
}

/// A transaction's normalised texts and the tokens names are read from.
struct TransactionText {
    var memo: String
    var payer: String
    var memoTokens: Set<Substring>

    init(memo: String, payer: String) {
        self.memo = memo
        self.payer = payer
        self.memoTokens = Set(memo.split(separator: " ").prefix(NameIndex.memoTokensMax))
    }
}
