import SchoolFixtures
import Billing
import Core
import Ledger
import Postgres
import Testing

@Suite struct FeeScheduleTests {
    @Test func tuitionBeyondNineMonthsIsRefusedNamingTheDecreeOfTheYear() throws {
        let fixture = try BillingFixture(level: .lowerSecondary)
        let ten = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6]
        do {
            try fixture.addFee("HP", amount: 250_000, months: ten)
            Issue.record("a 10-month tuition schedule was accepted")
        } catch let error as BillingError {
            #expect(error.code == "billable_months_cap")
            // 2026–27 is governed by Decree 238/2025, which replaced Decree 81/2021.
            #expect(error.description.contains("Decree 238/2025"))
            #expect(error.description.contains("10 billable months"))
        }
        // Nine months pass, and so does an agreed collection over ten (Decree 81 caps tuition only).
        try fixture.addFee("HP", amount: 250_000, months: FeeScheduleInput.septemberToMay)
        try fixture.addFee("BANTRU", kind: .agreedCollection, amount: 600_000, months: ten)
        let preschool = try BillingFixture(level: .preschool)
        #expect(throws: BillingError.billableMonthsCap(months: 12, max: 9, level: .preschool, schoolYear: 2026)) {
            try preschool.addFee("HP", amount: 900_000, scope: .grade(2), months: Array(1...12))
        }
    }

    @Test func continuingEducationMayBillMoreMonths() throws {
        let fixture = try BillingFixture(level: .continuing)
        try fixture.addFee("HP", amount: 220_000, scope: .grade(10), months: Array(1...12))
        let student = try fixture.addStudent("GDTX01", grade: 10, className: "10B1")
        // Every month of the school year is billed, September 2026 to August 2027.
        var issued = 0
        for offset in 0..<12 {
            issued += try fixture.issue(BillingFixture.september.adding(months: offset)).issued
        }
        #expect(issued == 12)
        #expect(try fixture.invoices(InvoiceFilter(studentID: student.id)).count == 12)
        #expect(try fixture.verify().isClean)
    }

    @Test func schedulesRejectBadInput() throws {
        let fixture = try BillingFixture()
        let months = BillingError.invalidField(field: "billable_months", problem: "must be distinct month numbers 1 to 12, at least one")
        #expect(throws: months) { try fixture.addFee("HP", amount: 250_000, months: [9, 9, 10]) }
        #expect(throws: months) { try fixture.addFee("HP", amount: 250_000, months: [13]) }
        #expect(throws: BillingError.invalidField(field: "due_day", problem: "31 must be a day from 1 to 28")) {
            try fixture.addFee("HP", amount: 250_000, dueDay: 31)
        }
        #expect(throws: BillingError.invalidField(field: "grade", problem: "3 is not a grade of a lower_secondary school")) {
            try fixture.addFee("HP", amount: 250_000, scope: .grade(3))
        }
        #expect(throws: BillingError.invalidField(field: "monthly_amount", problem: "must be 0 to \(BillingLimits.monthlyAmountDongMax) đồng")) {
            try fixture.addFee("HP", amount: -1)
        }
    }

    @Test func mostSpecificScheduleWinsClassThenCategoryThenGradeThenSchool() throws {
        let fee: Int64 = 1
        func schedule(_ id: Int64, _ scope: FeeScheduleScope, _ amount: Int64) -> FeeSchedule {
            FeeSchedule(id: id, feeTypeID: fee, schoolYear: 2026, scope: scope, monthlyAmount: Money(dong: amount),
                        billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10)
        }
        let all = [schedule(1, .school, 100), schedule(2, .grade(6), 200), schedule(3, .category("poor_household"), 300),
                   schedule(4, .classroom("6A1"), 400), schedule(5, .grade(7), 500)]
        func pick(_ grade: Int, _ category: String, _ className: String) -> Int64? {
            ScheduleSelection.select(all, grade: grade, category: category, className: className)[fee]?.id
        }
        #expect(pick(6, "poor_household", "6A1") == 4)
        #expect(pick(6, "poor_household", "6A2") == 3)
        #expect(pick(6, "standard", "6A2") == 2)
        #expect(pick(7, "standard", "7A1") == 5)
        #expect(pick(8, "standard", "8A1") == 1)
        // The order schedules come in does not matter.
        #expect(ScheduleSelection.select(all.reversed(), grade: 6, category: "poor_household", className: "6A2")[fee]?.id == 3)
    }

    @Test func issuingUsesTheMostSpecificScheduleAndCategories() throws {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 250_000)
        try fixture.addFee("HP", amount: 280_000, scope: .grade(8))
        try fixture.addFee("HP", amount: 0, scope: .category("poor_household"))
        try fixture.addFee("BANTRU", kind: .agreedCollection, amount: 600_000, scope: .classroom("6A1"))
        let plain = try fixture.addStudent("S1", grade: 6, className: "6A2")
        let grade8 = try fixture.addStudent("S2", grade: 8, className: "8A1")
        let poor = try fixture.addStudent("S3", grade: 8, className: "8A1", category: "poor_household")
        let boarder = try fixture.addStudent("S4", grade: 6, className: "6A1")
        let summary = try fixture.issue()
        #expect(summary.issued == 3 && summary.withoutFees == 1)
        let byStudent = Dictionary(uniqueKeysWithValues: try fixture.invoices().map { ($0.studentID, $0) })
        #expect(byStudent[plain.id]?.total == Money(dong: 250_000))
        #expect(byStudent[grade8.id]?.total == Money(dong: 280_000))
        #expect(byStudent[poor.id] == nil)
        #expect(byStudent[boarder.id]?.total == Money(dong: 850_000))
        let boarderLines = try fixture.invoice(byStudent[boarder.id]!.id).lines
        #expect(boarderLines.map(\.feeCode) == ["BANTRU", "HP"])
        #expect(try fixture.verify().isClean)
    }

    @Test func feeTypesCreditTheirKindsAccount() throws {
        let fixture = try BillingFixture()
        let tuition = try fixture.addFee("HP", amount: 100)
        let meals = try fixture.addFee("BANTRU", kind: .agreedCollection, amount: 100)
        let accounts = try fixture.pool.withConnection { try LedgerQueries.accounts(schoolID: fixture.school.id, on: $0) }
        let byID = Dictionary(uniqueKeysWithValues: accounts.map { ($0.accountID, $0) })
        #expect(byID[tuition.accountID]?.purpose == .feeIncome && byID[tuition.accountID]?.code == "5111.HP")
        #expect(byID[meals.accountID]?.purpose == .collection && byID[meals.accountID]?.type == .liability)
        // An existing account of the wrong purpose is refused.
        let cash = try fixture.account(.cash)
        #expect(throws: BillingError.accountMismatch("account 1111 is a cash account; a tuition fee credits an active fee_income account")) {
            try fixture.transaction { try FeeTypes.add(schoolID: fixture.school.id, code: "X", name: "X", kind: .tuition,
                                                       account: .existing(accountID: cash), on: $0) }
        }
        #expect(throws: BillingError.duplicate("fee type HP")) {
            try fixture.transaction { try FeeTypes.add(schoolID: fixture.school.id, code: "hp", name: "again", kind: .tuition, on: $0) }
        }
    }
}
