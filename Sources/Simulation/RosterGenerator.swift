import Core
import Reconciliation

/// Builds one school's families, students and open invoices.
struct RosterGenerator {
    let school: SimulatedSchool
    let parameters: SimulationParameters

    /// Students who have left but may still owe, per thousand.
    static let inactivePerMille = 10
    /// Single-child families that still have a family record, per thousand.
    static let singleWithFamilyKeyPerMille = 500
    /// Guardians on record who are the father (the rest are the mother), per thousand.
    static let fatherGuardianPerMille = 650

    func generate(random: inout SeededRandom) -> SimulatedRoster {
        var students: [MatchStudent] = []
        var grades: [Int] = []
        var families: [SimulatedFamily] = []
        students.reserveCapacity(school.studentCount)
        let sections = max(1, school.studentCount / (school.level.simulatedGrades.count * ProvinceSimulation.classSizeTarget))
        while students.count < school.studentCount {
            let size = min(familySize(random: &random), school.studentCount - students.count)
            let family = makeFamily(number: families.count + 1, size: size, firstIndex: students.count, random: &random)
            // Siblings are in different grades: consecutive ones from a random first grade.
            let firstGrade = random.below(school.level.simulatedGrades.count)
            for member in 0..<size {
                let grade = school.level.simulatedGrades.lowerBound + (firstGrade + member) % school.level.simulatedGrades.count
                let student = makeStudent(index: students.count, family: family, grade: grade, sections: sections,
                                          random: &random)
                students.append(student)
                grades.append(grade)
            }
            families.append(family)
        }
        let invoices = makeInvoices(students: students, grades: grades, random: &random)
        return SimulatedRoster(school: school, students: students, families: families, invoices: invoices)
    }

    private func familySize(random: inout SeededRandom) -> Int {
        let draw = random.below(1000)
        if draw < parameters.threeChildFamilyPerMille { return 3 }
        if draw < parameters.threeChildFamilyPerMille + parameters.twoChildFamilyPerMille { return 2 }
        return 1
    }

    private func makeFamily(number: Int, size: Int, firstIndex: Int, random: inout SeededRandom) -> SimulatedFamily {
        let familyName = VietnameseNames.familyNames[random.weightedIndex(VietnameseNames.familyNameWeights)].name
        let motherFamily = VietnameseNames.familyNames[random.weightedIndex(VietnameseNames.familyNameWeights)].name
        let father = RosterGenerator.personName(family: familyName, male: true, random: &random)
        let mother = RosterGenerator.personName(family: motherFamily, male: false, random: &random)
        let fatherIsGuardian = random.chance(perMille: RosterGenerator.fatherGuardianPerMille)
        let hasKey = size > 1 || random.chance(perMille: RosterGenerator.singleWithFamilyKeyPerMille)
        return SimulatedFamily(
            key: hasKey ? "F\(school.id)-\(number)" : nil, familyName: familyName, members: Array(firstIndex..<(firstIndex + size)),
            guardianName: fatherIsGuardian ? father : mother, otherParentName: fatherIsGuardian ? mother : father)
    }

    static func personName(family: String, male: Bool, random: inout SeededRandom) -> String {
        let middle = random.pick(male ? VietnameseNames.maleMiddleNames : VietnameseNames.femaleMiddleNames)
        let given = random.pick(male ? VietnameseNames.maleGivenNames : VietnameseNames.femaleGivenNames)
        return family + " " + middle + " " + given
    }

    private func makeStudent(
        index: Int, family: SimulatedFamily, grade: Int, sections: Int, random: inout SeededRandom
    ) -> MatchStudent {
        let name = RosterGenerator.personName(family: family.familyName, male: random.chance(perMille: 500), random: &random)
        let code = try! PaymentCode(prefix: school.paymentCodePrefix, kind: .student, serial: UInt64(index)).text
        return MatchStudent(
            id: school.id * ProvinceSimulation.idStride + Int64(index), paymentCode: code, fullName: name,
            className: school.level.className(grade: grade, section: random.below(sections)), familyKey: family.key,
            guardianName: family.guardianName,
            virtualAccount: school.usesVirtualAccounts ? RosterGenerator.virtualAccount(school: school, index: index) : nil,
            isActive: !random.chance(perMille: RosterGenerator.inactivePerMille))
    }

    /// This month's invoice for each active student not exempted, and last month's for those in arrears.
    private func makeInvoices(students: [MatchStudent], grades: [Int], random: inout SeededRandom) -> [MatchInvoice] {
        precondition(2 * students.count < RosterGenerator.invoiceNumbersMax, "school too large for invoice numbering")
        let month = parameters.month
        let previous = month.adding(months: -1)
        var invoices: [MatchInvoice] = []
        invoices.reserveCapacity(students.count + students.count / 16)
        for (index, student) in students.enumerated() {
            let fee = monthlyFee(grade: grades[index], random: &random)
            if random.chance(perMille: parameters.arrearsPerMille) {
                let owed = random.chance(perMille: 500) ? fee : fee / 2_000 * 1_000
                invoices.append(invoice(number: invoices.count, student: student, period: previous, total: fee, outstanding: owed))
            }
            if student.isActive && !random.chance(perMille: parameters.exemptPerMille) {
                invoices.append(invoice(number: invoices.count, student: student, period: month, total: fee, outstanding: fee))
            }
        }
        return invoices
    }

    private func monthlyFee(grade: Int, random: inout SeededRandom) -> Int64 {
        var fee = school.level.baseFee(grade: grade)
        for item in school.level.optionalItems where random.chance(perMille: item.perMille) { fee += item.amount }
        return fee
    }

    private func invoice(number: Int, student: MatchStudent, period: CalendarMonth, total: Int64, outstanding: Int64) -> MatchInvoice {
        let slot = UInt64((period.year * 12 + period.month - 1) % RosterGenerator.monthSlots)
        let serial = slot * UInt64(RosterGenerator.invoiceNumbersMax) + UInt64(number)
        let code = try! PaymentCode(prefix: school.paymentCodePrefix, kind: .invoice, serial: serial).text
        let due = try! CalendarDate(year: period.year, month: period.month, day: school.dueDay)
        return MatchInvoice(
            id: school.id * ProvinceSimulation.idStride + Int64(number), studentId: student.id, paymentCode: code,
            period: period, dueDate: due, total: Money(dong: total), outstanding: Money(dong: outstanding))
    }

    /// Invoice serials are `month slot × invoiceNumbersMax + number`, below 32⁶.
    static let invoiceNumbersMax = 1_000_000
    static let monthSlots = 1_000

    /// Digits only, as banks issue them: a school-specific head and the student's number.
    static func virtualAccount(school: SimulatedSchool, index: Int) -> String {
        "963" + padded(Int(school.id), 4) + padded(index, 6)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
