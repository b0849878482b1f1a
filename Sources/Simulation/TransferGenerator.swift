import Core
import Reconciliation

/// A month of bank transfers for one school, each with the truth of what it paid.
///
/// Labels follow the school's stated allocation policy (docs/matching.md): an invoice code pays that invoice,
/// a student code or a virtual account pays the student's open invoices oldest due first, several codes pay all
/// their invoices oldest due first, and what is left is credit of the family (or of the student).
struct TransferGenerator {
    let roster: SimulatedRoster
    let parameters: SimulationParameters
    /// What each invoice still owes as the month's transfers are drawn, by invoice index.
    var balances: [Int64]
    /// Per student index: invoice indices, oldest due first.
    let invoicesOfStudent: [[Int]]
    let studentIndexById: [Int64: Int]
    var drafts: [Draft] = []

    struct Draft {
        var date: CalendarDate
        var amount: Int64
        var memo: String
        var payer: String?
        var virtualAccount: String?
        var label: TransferLabel
    }

    /// The latest day in the month a follow-up transfer (rest of a partial, a duplicate) may move to.
    static let followUpDaysMax = 5

    init(roster: SimulatedRoster, parameters: SimulationParameters) {
        self.roster = roster
        self.parameters = parameters
        self.balances = roster.invoices.map(\.outstanding.dong)
        var studentIndexById: [Int64: Int] = [:]
        for (index, student) in roster.students.enumerated() { studentIndexById[student.id] = index }
        var grouped = [[Int]](repeating: [], count: roster.students.count)
        for (index, invoice) in roster.invoices.enumerated() { grouped[studentIndexById[invoice.studentId]!].append(index) }
        let invoices = roster.invoices
        self.invoicesOfStudent = grouped.map { list in list.sorted { TransferGenerator.isDueBefore(invoices[$0], invoices[$1]) } }
        self.studentIndexById = studentIndexById
    }

    static func isDueBefore(_ a: MatchInvoice, _ b: MatchInvoice) -> Bool {
        (a.dueDate, a.period, a.id) < (b.dueDate, b.period, b.id)
    }

    mutating func generate(random: inout SeededRandom) -> [LabelledTransfer] {
        for family in roster.families {
            let owing = family.members.filter { !openInvoices(of: $0).isEmpty }
            guard !owing.isEmpty else { continue }
            if owing.count >= 2 && random.chance(perMille: parameters.siblingsTogetherPerMille) {
                if !random.chance(perMille: parameters.unpaidPerMille) { emitSiblings(family, owing: owing, random: &random) }
                continue
            }
            for student in owing where !random.chance(perMille: parameters.unpaidPerMille) {
                let weights = TransferScenario.perStudent.map { parameters.scenarioWeights[$0] ?? 0 }
                emit(TransferScenario.perStudent[random.weightedIndex(weights)], student: student, family: family,
                     random: &random)
            }
        }
        emitNoise(count: drafts.count * parameters.noisePerMille / 1000, random: &random)
        return finish()
    }

    /// Booking order (date, then the order drawn), ids assigned in that order.
    private func finish() -> [LabelledTransfer] {
        let ordered = drafts.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
        return ordered.enumerated().map { position, entry in
            let draft = entry.element
            let transaction = MatchTransaction(
                id: roster.school.id * ProvinceSimulation.idStride + Int64(position + 1), amount: Money(dong: draft.amount),
                bookingDate: draft.date, memo: draft.memo, payerName: draft.payer, virtualAccount: draft.virtualAccount)
            return LabelledTransfer(transaction: transaction, label: draft.label)
        }
    }

    func openInvoices(of student: Int) -> [Int] {
        invoicesOfStudent[student].filter { balances[$0] > 0 }
    }

    /// Allocates `amount` over `pool` in order, as the truth of what it paid, and records it in the balances.
    mutating func label(
        _ scenario: TransferScenario, amount: Int64, pool: [Int], students: [Int]
    ) -> TransferLabel {
        var left = amount
        var allocations: [Allocation] = []
        for invoice in pool where balances[invoice] > 0 && left > 0 {
            let take = min(left, balances[invoice])
            allocations.append(Allocation(invoiceId: roster.invoices[invoice].id, amount: Money(dong: take)))
            balances[invoice] -= take
            left -= take
        }
        return TransferLabel(scenario: scenario, allocations: allocations, creditHolder: left > 0 ? holder(students) : nil)
    }

    func holder(_ students: [Int]) -> CreditHolder {
        if let key = roster.students[students[0]].familyKey, students.allSatisfy({ roster.students[$0].familyKey == key }) {
            return .family(key)
        }
        return .student(roster.students[students[0]].id)
    }

    func owed(_ pool: [Int]) -> Int64 { pool.reduce(0) { $0 + balances[$1] } }

    func randomDay(random: inout SeededRandom) -> CalendarDate {
        let month = parameters.month
        return month.firstDay.adding(days: random.below(CalendarMonth.daysIn(year: month.year, month: month.month)))
    }

    func followUp(after date: CalendarDate, random: inout SeededRandom) -> CalendarDate {
        let later = date.adding(days: random.inRange(0...TransferGenerator.followUpDaysMax))
        return min(later, parameters.month.lastDay)
    }

    /// Who the bank names as sender: the guardian on record, the other parent, or nobody.
    func payer(_ family: SimulatedFamily, random: inout SeededRandom) -> String? {
        let draw = random.below(1000)
        if draw < 600 { return MemoWriter.upper(family.guardianName) }
        if draw < 850 { return MemoWriter.upper(family.otherParentName) }
        return nil
    }

    func facts(student: Int, payer: String?) -> MemoFacts {
        MemoFacts(studentName: roster.students[student].fullName, className: roster.students[student].className,
                  payerName: payer, month: parameters.month.month, schoolName: roster.school.name)
    }
}
