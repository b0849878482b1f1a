import Core
import Reconciliation
import Simulation
import Testing

/// Seeded random schools and transactions: the hard rules hold for every decision.
@Suite struct MatcherPropertyTests {
    static let seeds: [UInt64] = Array(1...40)
    static let names = ["Nguyễn Văn An", "Nguyễn Thị Bình", "Lê Thị Chi", "Trần Đức Dũng", "Phạm Thu Giang", "Nguyễn Văn Anh",
                        "Hoàng Minh Khoa", "Võ Thị Lan", "Đặng Quốc Huy", "Bùi Ngọc Mai"]

    struct RandomSchool {
        var students: [MatchStudent] = []
        var invoices: [MatchInvoice] = []
    }

    static func school(_ random: inout SeededRandom) -> RandomSchool {
        var school = RandomSchool()
        let count = random.inRange(5...40)
        for index in 0..<count {
            let id = Int64(100 + index * 3)
            school.students.append(MatchStudent(
                id: id, paymentCode: Fixture.studentCode(id), fullName: random.pick(names), className: "\(random.inRange(1...5))A",
                familyKey: random.chance(perMille: 400) ? "F\(random.below(count / 2 + 1))" : nil,
                guardianName: random.pick(names), virtualAccount: random.chance(perMille: 200) ? "VA\(id)" : nil,
                isActive: random.chance(perMille: 900)))
            for month in 9...10 where random.chance(perMille: month == 10 ? 900 : 300) {
                let total = Int64(random.inRange(1...8)) * 150_000
                let invoiceId = id * 10 + Int64(month)
                school.invoices.append(MatchInvoice(
                    id: invoiceId, studentId: id, paymentCode: Fixture.invoiceCode(invoiceId),
                    period: try! CalendarMonth(year: 2026, month: month), dueDate: try! CalendarDate(year: 2026, month: month, day: 15),
                    total: Money(dong: total), outstanding: Money(dong: random.chance(perMille: 800) ? total : total / 2)))
            }
        }
        return school
    }

    /// A transaction mixing what memos carry: valid codes, damaged codes, names, garbage; a virtual account sometimes.
    static func transaction(_ id: Int64, school: RandomSchool, random: inout SeededRandom) -> (MatchTransaction, Bool) {
        var words: [String] = [random.pick(["MBVCB.3278907687.123456.", "HOC PHI", "TKThe :0123, tai VCB.", "", "IBFT"])]
        var carriesReference = false
        for _ in 0..<random.inRange(0...3) {
            switch random.below(5) {
            case 0:
                words.append(random.pick(school.students).paymentCode.lowercased())
                carriesReference = true
            case 1 where !school.invoices.isEmpty:
                words.append(random.pick(school.invoices).paymentCode)
                carriesReference = true
            case 2:
                let code = random.pick(school.students).paymentCode
                words.append(Fixture.substituted(code, at: random.inRange(2...(code.count - 1))))
            case 3:
                words.append(random.pick(names))
            default:
                words.append(random.pick(["CHUYEN TIEN", "LOP 3A", "HP", "-CTLNHIDI000008334155500-11-CRE-002", "T10"]))
            }
        }
        let amount: Int64 = random.chance(perMille: 300) && !school.invoices.isEmpty
            ? random.pick(school.invoices).outstanding.dong : Int64(random.inRange(-2...40)) * 50_000 + Int64(random.below(3)) * 1_000
        let account = random.chance(perMille: 150) ? random.pick(school.students).virtualAccount : nil
        let transaction = MatchTransaction(
            id: id, amount: Money(dong: amount), bookingDate: try! CalendarDate(year: 2026, month: 10, day: random.inRange(1...31)),
            memo: words.joined(separator: " "), payerName: random.chance(perMille: 500) ? random.pick(names) : nil,
            virtualAccount: account)
        return (transaction, carriesReference || account != nil)
    }

    @Test(arguments: seeds)
    func hardRulesHoldForEveryDecision(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let school = Self.school(&random)
        let context = try MatchContext(prefix: Fixture.prefix, students: school.students, invoices: school.invoices)
        var run = MatchRun(context: context)
        for id in Int64(1)...60 {
            let (transaction, carriesReference) = Self.transaction(id, school: school, random: &random)
            var before: [Int64: Money] = [:]
            for invoice in school.invoices { before[invoice.id] = run.outstanding(ofInvoice: invoice.id) }
            let decision = run.match(transaction)
            Self.checkHardRules(decision, transaction: transaction, carriesReference: carriesReference, before: before)
        }
    }

    static func checkHardRules(
        _ decision: MatchDecision, transaction: MatchTransaction, carriesReference: Bool, before: [Int64: Money]
    ) {
        if decision.isAutomatic {
            #expect(decision.rule == .virtualAccount || decision.rule == .paymentCode)
            #expect(carriesReference, "applied automatically without a valid code or virtual account: \(transaction.memo)")
            let byCode = decision.signals.codes.contains { $0.isUsed && $0.checkValid && $0.studentId != nil }
            #expect(byCode || decision.signals.virtualAccountStudentId != nil)
        } else {
            #expect(decision.allocations.isEmpty)
        }
        #expect(total(decision.allocations) + decision.remainder.dong == transaction.amount.dong)
        #expect(total(decision.allocations) <= max(transaction.amount.dong, 0))
        for allocation in decision.allocations {
            #expect(allocation.amount.isPositive && allocation.amount <= before[allocation.invoiceId]!)
        }
        for proposal in decision.proposals {
            #expect(!proposal.rule.mayApplyAutomatically)
            #expect(total(proposal.allocations) + proposal.remainder.dong == transaction.amount.dong)
            #expect(!proposal.remainder.isNegative)
            #expect(proposal.allocations.allSatisfy { $0.amount.isPositive && $0.amount <= before[$0.invoiceId]! })
        }
    }

    static func total(_ allocations: [Allocation]) -> Int64 { allocations.reduce(0) { $0 + $1.amount.dong } }

    @Test(arguments: seeds.prefix(15))
    func decisionsDoNotDependOnInputOrder(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let school = Self.school(&random)
        let transactions = (Int64(1)...50).map { Self.transaction($0, school: school, random: &random).0 }
        let context = try MatchContext(prefix: Fixture.prefix, students: school.students, invoices: school.invoices)
        let expected = MatchRun.reconcile(transactions, in: context)
        var students = school.students
        var invoices = school.invoices
        var shuffled = transactions
        random.shuffle(&students)
        random.shuffle(&invoices)
        random.shuffle(&shuffled)
        let reordered = try MatchContext(prefix: Fixture.prefix, students: students, invoices: invoices)
        #expect(MatchRun.reconcile(shuffled, in: reordered) == expected)
    }

    @Test func memosWithoutValidCodeOrAccountAreNeverApplied() throws {
        var random = SeededRandom(seed: 99)
        let school = Self.school(&random)
        let context = try MatchContext(prefix: Fixture.prefix, students: school.students, invoices: school.invoices)
        var pending = 0
        for id in Int64(1)...300 {
            let student = random.pick(school.students)
            let owed = school.invoices.first { $0.studentId == student.id }?.outstanding.dong ?? 150_000
            let damaged = Fixture.substituted(student.paymentCode, at: random.inRange(2...7))
            let memo = random.pick(["HOC PHI \(student.fullName)", "\(damaged) \(student.fullName)", "CHUYEN KHOAN",
                                    "NOP HOC PHI LOP \(student.className)"])
            let decision = context.match(MatchTransaction(
                id: id, amount: Money(dong: owed), bookingDate: Fixture.bookingDate, memo: memo,
                payerName: random.chance(perMille: 500) ? student.guardianName : nil))
            #expect(!decision.isAutomatic, "\(memo)")
            if !decision.proposals.isEmpty { pending += 1 }
        }
        #expect(pending > 200)
    }
}
