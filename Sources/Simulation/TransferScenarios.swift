import Core
import Reconciliation

/// How each scenario turns a student's (or a family's) open invoices into transfers.
extension TransferGenerator {
    mutating func emit(_ scenario: TransferScenario, student: Int, family: SimulatedFamily, random: inout SeededRandom) {
        let open = openInvoices(of: student)
        let current = open.last!
        let payer = payer(family, random: &random)
        let facts = facts(student: student, payer: payer)
        let date = randomDay(random: &random)
        let invoiceCode = roster.invoices[current].paymentCode
        let studentCode = roster.students[student].paymentCode
        switch scenario {
        case .invoiceCode, .codeLowercaseDiacritics, .codeSplit, .codeTruncatedAfter:
            let memo = codedMemo(scenario, code: invoiceCode, facts: facts, random: &random)
            add(date, amount: balances[current], memo: memo, payer: payer, scenario: scenario, pool: [current], students: [student])
        case .studentCode:
            let memo = MemoWriter.wrapped(code: studentCode, facts: facts, random: &random)
            add(date, amount: owed(open), memo: memo, payer: payer, scenario: scenario, pool: open, students: [student])
        case .partial, .partialThenRest:
            let part = max(1_000, balances[current] * Int64(random.inRange(30...80)) / 100_000 * 1_000)
            let memo = MemoWriter.wrapped(code: invoiceCode, facts: facts, random: &random)
            add(date, amount: part, memo: memo, payer: payer, scenario: scenario, pool: [current], students: [student])
            if scenario == .partialThenRest && balances[current] > 0 {
                let rest = MemoWriter.wrapped(code: invoiceCode, facts: facts, random: &random)
                add(followUp(after: date, random: &random), amount: balances[current], memo: rest, payer: payer,
                    scenario: scenario, pool: [current], students: [student])
            }
        case .over:
            let extra = random.pick([Int64(50_000), 100_000, 200_000, balances[current]])
            let memo = MemoWriter.wrapped(code: invoiceCode, facts: facts, random: &random)
            add(date, amount: balances[current] + extra, memo: memo, payer: payer, scenario: scenario, pool: [current],
                students: [student])
        case .virtualAccount:
            emitVirtualAccount(student: student, family: family, date: date, random: &random)
        case .duplicate:
            let amount = balances[current]
            add(date, amount: amount, memo: MemoWriter.wrapped(code: invoiceCode, facts: facts, random: &random), payer: payer,
                scenario: .invoiceCode, pool: [current], students: [student])
            add(followUp(after: date, random: &random), amount: amount,
                memo: MemoWriter.wrapped(code: invoiceCode, facts: facts, random: &random), payer: payer,
                scenario: .duplicate, pool: [current], students: [student])
        case .typoSubstitution, .typoTransposition:
            emitTypo(scenario, student: student, facts: facts, date: date, random: &random)
        case .nameOnlyStudent, .nameOnlyGuardian, .anonymous:
            emitWithoutCode(scenario, student: student, family: family, date: date, random: &random)
        case .siblingsCodes, .siblingsByName, .notTuition:
            preconditionFailure("\(scenario) is not a single student's scenario")
        }
    }

    private func codedMemo(_ scenario: TransferScenario, code: String, facts: MemoFacts, random: inout SeededRandom) -> String {
        switch scenario {
        case .codeLowercaseDiacritics: return MemoWriter.lowercaseDiacritics(code: code, facts: facts, random: &random)
        case .codeSplit: return MemoWriter.split(code: code, facts: facts, random: &random)
        case .codeTruncatedAfter: return MemoWriter.truncatedAfter(code: code, random: &random)
        default: return MemoWriter.wrapped(code: code, facts: facts, random: &random)
        }
    }

    mutating func add(
        _ date: CalendarDate, amount: Int64, memo: String, payer: String?, virtualAccount: String? = nil,
        scenario: TransferScenario, pool: [Int], students: [Int]
    ) {
        precondition(amount > 0, "a transfer moves money in")
        let label = label(scenario, amount: amount, pool: pool, students: students)
        drafts.append(Draft(date: date, amount: amount, memo: memo, payer: payer, virtualAccount: virtualAccount, label: label))
    }

    private mutating func emitVirtualAccount(student: Int, family: SimulatedFamily, date: CalendarDate, random: inout SeededRandom) {
        let open = openInvoices(of: student)
        guard let account = roster.students[student].virtualAccount else {
            return emit(.invoiceCode, student: student, family: family, random: &random)
        }
        let payer = payer(family, random: &random)
        let facts = facts(student: student, payer: payer)
        let amount = owed(open) + (random.chance(perMille: 100) ? 100_000 : 0)
        let memo = random.chance(perMille: 500) ? MemoWriter.generic(facts: facts, random: &random)
            : MemoWriter.studentName(facts: facts, random: &random)
        add(date, amount: amount, memo: memo, payer: payer, virtualAccount: account, scenario: .virtualAccount, pool: open,
            students: [student])
    }

    private mutating func emitTypo(
        _ scenario: TransferScenario, student: Int, facts: MemoFacts, date: CalendarDate, random: inout SeededRandom
    ) {
        let open = openInvoices(of: student)
        let current = open.last!
        let byInvoice = random.chance(perMille: 700)
        let code = byInvoice ? roster.invoices[current].paymentCode : roster.students[student].paymentCode
        let pool = byInvoice ? [current] : open
        let prefixLength = roster.school.paymentCodePrefix.utf8.count
        let damaged = scenario == .typoSubstitution
            ? CodeTypos.substituted(code, prefixLength: prefixLength, random: &random)
            : CodeTypos.transposed(code, prefixLength: prefixLength, random: &random)
        add(date, amount: owed(pool), memo: MemoWriter.wrapped(code: damaged, facts: facts, random: &random),
            payer: facts.payerName, scenario: scenario, pool: pool, students: [student])
    }

    private mutating func emitWithoutCode(
        _ scenario: TransferScenario, student: Int, family: SimulatedFamily, date: CalendarDate, random: inout SeededRandom
    ) {
        let open = openInvoices(of: student)
        var amount = scenario == .anonymous ? balances[open.last!] : owed(open)
        let pool = scenario == .anonymous ? [open.last!] : open
        if scenario != .anonymous && random.chance(perMille: 150) { amount = max(1_000, amount / 2_000 * 1_000) }
        var payer: String?
        var memo: String
        switch scenario {
        case .nameOnlyStudent:
            payer = self.payer(family, random: &random)
            memo = MemoWriter.studentName(facts: facts(student: student, payer: payer), random: &random)
        case .nameOnlyGuardian where random.chance(perMille: 250):
            payer = MemoWriter.upper(family.otherParentName)
            memo = MemoWriter.givenNameAndClass(facts: facts(student: student, payer: payer))
        case .nameOnlyGuardian:
            let guardian = MemoWriter.upper(family.guardianName)
            let inMemo = random.chance(perMille: 300)
            payer = inMemo ? nil : guardian
            memo = MemoWriter.generic(facts: facts(student: student, payer: payer), random: &random)
            if inMemo { memo = guardian + " " + memo }
        default:
            payer = random.chance(perMille: 500) ? MemoWriter.upper(family.otherParentName) : nil
            memo = MemoWriter.generic(facts: facts(student: student, payer: payer), random: &random)
        }
        add(date, amount: amount, memo: memo, payer: payer, scenario: scenario, pool: pool, students: [student])
    }

    /// One transfer for all owing siblings: by their codes, or by the guardian's name and the family total.
    mutating func emitSiblings(_ family: SimulatedFamily, owing: [Int], random: inout SeededRandom) {
        let date = randomDay(random: &random)
        let payer = MemoWriter.upper(family.guardianName)
        var facts = facts(student: owing[0], payer: payer)
        if random.chance(perMille: 600) {
            var codes: [String] = []
            var pool: [Int] = []
            for student in owing {
                let open = openInvoices(of: student)
                if random.chance(perMille: 500) {
                    codes.append(roster.students[student].paymentCode)
                    pool += open
                } else {
                    codes.append(roster.invoices[open.last!].paymentCode)
                    pool.append(open.last!)
                }
            }
            pool.sort { TransferGenerator.isDueBefore(roster.invoices[$0], roster.invoices[$1]) }
            add(date, amount: owed(pool), memo: MemoWriter.siblingCodes(codes, facts: facts, random: &random), payer: payer,
                scenario: .siblingsCodes, pool: pool, students: owing)
            return
        }
        let pool = owing.flatMap { openInvoices(of: $0) }
            .sorted { TransferGenerator.isDueBefore(roster.invoices[$0], roster.invoices[$1]) }
        facts.payerName = payer
        let memo = random.chance(perMille: 500) ? "HOC PHI \(owing.count) CHAU"
            : "NOP HOC PHI CHO " + owing.map { MemoWriter.upper(roster.students[$0].fullName) }.joined(separator: " VA ")
        add(date, amount: owed(pool), memo: memo, payer: payer, scenario: .siblingsByName, pool: pool, students: owing)
    }
}

/// The mistakes people make typing a code.
enum CodeTypos {
    /// Characters people confuse; some are outside the code alphabet (O, 0, I, 1).
    static let lookAlikes: [Character: Character] = [
        "S": "5", "5": "S", "B": "8", "8": "B", "Z": "2", "2": "Z", "G": "6", "6": "G", "Q": "O", "D": "0", "J": "I",
        "L": "1", "U": "V", "V": "U",
    ]

    /// One character after the prefix replaced, by a look-alike when there is one, else by another symbol.
    static func substituted(_ code: String, prefixLength: Int, random: inout SeededRandom) -> String {
        var characters = Array(code)
        let position = prefixLength + random.below(characters.count - prefixLength)
        let original = characters[position]
        if let lookAlike = lookAlikes[original], random.chance(perMille: 500) {
            characters[position] = lookAlike
        } else {
            var replacement = original
            while replacement == original {
                replacement = Character(UnicodeScalar(random.pick(PaymentCode.alphabet)))
            }
            characters[position] = replacement
        }
        return String(characters)
    }

    /// Two different adjacent characters after the prefix swapped.
    static func transposed(_ code: String, prefixLength: Int, random: inout SeededRandom) -> String {
        var characters = Array(code)
        let positions = (prefixLength..<(characters.count - 1)).filter { characters[$0] != characters[$0 + 1] }
        guard !positions.isEmpty else { return substituted(code, prefixLength: prefixLength, random: &random) }
        let position = random.pick(positions)
        characters.swapAt(position, position + 1)
        return String(characters)
    }
}
