import Core
import Reconciliation
import Simulation
import Testing

@Suite struct SimulationTests {
    @Test func sameSeedSameProvinceOtherSeedOtherProvince() throws {
        let first = ProvinceSimulation(parameters: .demo(seed: 11))
        let again = ProvinceSimulation(parameters: .demo(seed: 11))
        let other = ProvinceSimulation(parameters: .demo(seed: 12))
        #expect(first.schools == again.schools)
        #expect(first.month(of: first.schools[2]) == again.month(of: again.schools[2]))
        #expect(first.month(of: first.schools[2]) != other.month(of: other.schools[2]))
    }

    @Test func demoProvinceLooksLikeVietnameseSchools() throws {
        let simulation = ProvinceSimulation(parameters: .demo())
        #expect(simulation.districts.count == 2)
        #expect(simulation.schools.count == 6)
        #expect(simulation.studentCount == 360)
        #expect(Set(simulation.schools.map(\.name)).count == 6)
        #expect(simulation.schools.allSatisfy { $0.name.hasPrefix("Trường") || $0.name.hasPrefix("Trung tâm") })
        var students: [MatchStudent] = []
        var invoices: [MatchInvoice] = []
        for school in simulation.schools {
            let roster = simulation.roster(of: school)
            #expect(roster.students.count == school.studentCount)
            #expect(roster.students.allSatisfy { PaymentCode.isValid($0.paymentCode, prefix: school.paymentCodePrefix) == .student })
            #expect(roster.invoices.allSatisfy { PaymentCode.isValid($0.paymentCode, prefix: school.paymentCodePrefix) == .invoice })
            _ = try MatchContext(prefix: school.paymentCodePrefix, students: roster.students, invoices: roster.invoices)
            students += roster.students
            invoices += roster.invoices
        }
        #expect(students.contains { $0.fullName.unicodeScalars.contains { $0.value > 0x7F } })
        #expect(Set(students.map { $0.fullName.split(separator: " ")[0] }).count >= 8)
        #expect(invoices.allSatisfy { (150_000...2_000_000).contains($0.total.dong) && $0.total.dong % 1_000 == 0 })
        #expect(Set(invoices.map(\.total)).count >= 8)
    }

    @Test func aQuarterOfStudentsHaveASiblingInTheirSchool() throws {
        let simulation = ProvinceSimulation(parameters: .accuracy(seed: 3))
        var withSibling = 0
        var total = 0
        for school in simulation.schools.prefix(10) {
            let roster = simulation.roster(of: school)
            withSibling += roster.families.filter { $0.members.count > 1 }.reduce(0) { $0 + $1.members.count }
            total += roster.students.count
            for family in roster.families where family.members.count > 1 {
                let keys = Set(family.members.map { roster.students[$0].familyKey })
                #expect(keys.count == 1 && keys.first! != nil)
                #expect(Set(family.members.map { roster.students[$0].className }).count == family.members.count)
            }
        }
        #expect(withSibling * 100 >= 20 * total && withSibling * 100 <= 30 * total)
    }

    @Test func labelsAreConsistentWithTheMoney() throws {
        let simulation = ProvinceSimulation(parameters: .demo(seed: 5))
        var scenarios = Set<TransferScenario>()
        for school in simulation.schools {
            let month = simulation.month(of: school)
            let totals = Dictionary(uniqueKeysWithValues: month.roster.invoices.map { ($0.id, $0.outstanding.dong) })
            var paid: [Int64: Int64] = [:]
            #expect(month.transfers.map(\.transaction.id) == month.transfers.map(\.transaction.id).sorted())
            for transfer in month.transfers {
                scenarios.insert(transfer.label.scenario)
                let allocated = transfer.label.allocations.reduce(0) { $0 + $1.amount.dong }
                #expect(allocated <= transfer.transaction.amount.dong)
                #expect(transfer.transaction.amount.isPositive)
                #expect(transfer.label.isTuition || transfer.label.allocations.isEmpty)
                if allocated < transfer.transaction.amount.dong { #expect(transfer.label.isTuition == (transfer.label.creditHolder != nil)) }
                for allocation in transfer.label.allocations { paid[allocation.invoiceId, default: 0] += allocation.amount.dong }
                #expect(transfer.transaction.bookingDate.calendarMonth == simulation.parameters.month)
            }
            #expect(paid.allSatisfy { $0.value <= totals[$0.key]! })
        }
        #expect(scenarios.count >= 12)
    }

    @Test func scaleProvinceHasTheRequestedSizes() {
        let simulation = ProvinceSimulation(parameters: .scale())
        #expect(simulation.schools.count == 700)
        #expect(simulation.studentCount == 300_000)
        #expect(Set(simulation.schools.map(\.districtId)).count == 30)
        #expect(Set(simulation.schools.map(\.level)).count == SchoolLevel.allCases.count)
    }

    @Test func seededRandomIsUniformEnoughAndReproducible() {
        var random = SeededRandom(seed: 42)
        var again = SeededRandom(seed: 42)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            let value = random.below(10)
            #expect(value == again.below(10))
            counts[value] += 1
        }
        #expect(counts.allSatisfy { (850...1_150).contains($0) })
        var streamOne = SeededRandom(seed: 1, stream: 1)
        var streamTwo = SeededRandom(seed: 1, stream: 2)
        #expect(streamOne.next() != streamTwo.next())
    }

    @Test func accuracyReportSummaryStatesTheTargets() throws {
        let simulation = ProvinceSimulation(parameters: .demo(seed: 9))
        let report = try AccuracyEvaluator.evaluate(simulation)
        #expect(report.schools == 6 && report.students == 360)
        #expect(report.transfers == report.scenarios.reduce(0) { $0 + $1.transfers })
        #expect(report.summary.contains("automatic application precision"))
        #expect(report.summary.contains("Targets met: " + (report.meetsTargets ? "yes" : "NO")))
        #expect(Ratio(numerator: 1, denominator: 3).description == "33.3% (1/3)")
        #expect(Ratio(numerator: 95, denominator: 100).meets(percent: 95))
        #expect(!Ratio(numerator: 94, denominator: 100).meets(percent: 95))
    }
}
