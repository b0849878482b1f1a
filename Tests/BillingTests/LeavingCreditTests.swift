import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// A pupil who leaves mid-month keeps the credit for the days of per-day items not served: absences still to credit
/// and the school days after the leaving date, as family credit through one ledger entry with its reason.
@Suite struct LeavingCreditTests {
    @Test func theUnservedDaysOfTheLeavingMonthAreInProportionRoundedHalfUpAndCapped() throws {
        let date = try CalendarDate(iso: "2026-10-16")
        // 16 of October's 31 days are left: 20 school days × 16 / 31 = 10.32 → 10.
        #expect(LeavingCreditRule.unservedDays(leavingOn: date, schoolDays: 20, billedDays: 20, absentDays: 0) == 10)
        // 22 × 16 / 31 = 11.35 → 11; 21 × 16 / 31 = 10.84 → 11 (half up).
        #expect(LeavingCreditRule.unservedDays(leavingOn: date, schoolDays: 22, billedDays: 22, absentDays: 0) == 11)
        #expect(LeavingCreditRule.unservedDays(leavingOn: date, schoolDays: 21, billedDays: 21, absentDays: 0) == 11)
        // Never more than the days billed less the absences already recorded for the month.
        #expect(LeavingCreditRule.unservedDays(leavingOn: date, schoolDays: 20, billedDays: 12, absentDays: 5) == 7)
        #expect(LeavingCreditRule.unservedDays(leavingOn: date, schoolDays: 20, billedDays: 3, absentDays: 5) == 0)
        // Leaving on the first day: the whole month is unserved.
        #expect(LeavingCreditRule.unservedDays(leavingOn: try CalendarDate(iso: "2026-10-01"), schoolDays: 20, billedDays: 20, absentDays: 0) == 20)
    }

    @Test func thePartsOfTheCreditSumExactlyToTheDaysTimesTheRate() {
        #expect(LeavingCreditRule.split(days: 5, rate: 25_000, quantity: 20, stateShare: 0, discount: 0) == (125_000, 125_000, 0, 0))
        // A line of 20 days with a 50 % discount: 5 days give back 62,500 đ to the family and 62,500 đ of discount.
        #expect(LeavingCreditRule.split(days: 5, rate: 25_000, quantity: 20, stateShare: 0, discount: 250_000) == (125_000, 62_500, 0, 62_500))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let quantity = Int.random(in: 1...23, using: &generator)
            let rate = Int64.random(in: 1...1_000_000, using: &generator)
            let lineWhole = Int64(quantity) * rate
            let state = Int64.random(in: 0...lineWhole, using: &generator)
            let discount = Int64.random(in: 0...(lineWhole - state), using: &generator)
            let days = Int.random(in: 1...60, using: &generator)
            let parts = LeavingCreditRule.split(days: days, rate: rate, quantity: quantity, stateShare: state, discount: discount)
            #expect(parts.whole == Int64(days) * rate && parts.family + parts.state + parts.discount == parts.whole)
            #expect(parts.family >= 0 && parts.state >= 0 && parts.discount >= 0)
        }
    }

    @Test func aPupilLeavingMidOctoberIsCreditedTheAbsentAndUnservedMealDays() throws {
        let fixture = try PerDayFeeTests.school()
        try fixture.transaction { connection in
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "AN_BANTRU", name: "Tiền ăn bán trú", kind: .service, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 25_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, rateUnit: .day), on: connection)
        }
        let an = try fixture.addStudent("HS01", grade: 3, className: "3A", family: "GD01")
        let binh = try fixture.addStudent("HS02", name: "Lê Thị Bình", grade: 3, className: "3A")
        _ = try fixture.issue(BillingFixture.september)
        _ = try PerDayFeeTests.importAttendance(fixture, "student_code,month,absent_days\nHS01,2026-09,3\n")
        _ = try fixture.issue(BillingFixture.october)     // 20 school days: 17 billed, 3 credited
        _ = try PerDayFeeTests.importAttendance(fixture, "student_code,month,absent_days\nHS01,2026-10,2\n")

        let leaving = try CalendarDate(iso: "2026-10-16")
        let credits = try fixture.transaction { connection in
            try Students.withdraw(schoolID: fixture.school.id, studentID: an.id, on: leaving, changedBy: "test", on: connection)
        }
        // October's 2 absent days, and 20 × 16 / 31 → 10 school days after the 16th: 12 days × 25,000 đ.
        let credit = try #require(credits.first)
        #expect(credits.count == 1 && credit.absentDays == 2 && credit.unservedDays == 10)
        #expect(credit.family == Money(dong: 300_000) && credit.state == .zero && credit.discount == .zero)
        #expect(credit.reason.contains("nghỉ học từ 16/10/2026") && credit.reason.contains("12 ngày"), "\(credit.reason)")
        #expect(try fixture.credit(of: an) == Money(dong: 300_000))
        // The service revenue gives the 12 days back.
        let revenue = try ItemKindAccountTests.credited(fixture, accountID: try fixture.transaction {
            try FeeTypes.find(schoolID: fixture.school.id, code: "AN_BANTRU", on: $0)!.accountID
        })
        #expect(revenue == (22 + 17 + 22 + 20 - 12) * 25_000)
        let listed = try fixture.transaction { try LeavingCredits.list(schoolID: fixture.school.id, studentID: an.id, on: $0) }
        #expect(listed == credits)
        #expect(try fixture.verify().isClean)

        // Reinstated in November: the absences credited on leaving are not credited again.
        try fixture.transaction { try Students.reinstate(schoolID: fixture.school.id, studentID: an.id, changedBy: "test", on: $0) }
        _ = try fixture.issue(BillingFixture.november)
        #expect(try PerDayFeeTests.line(fixture, an, BillingFixture.november).days?.credited == 0)
        #expect(try PerDayFeeTests.line(fixture, binh, BillingFixture.november).days?.billed == 21)
        #expect(try fixture.verify().isClean)
    }

    @Test func aPupilWithoutPerDayItemsLeavesWithoutAnEntry() throws {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 1_000_000)
        let student = try fixture.addStudent("HS01")
        _ = try fixture.issue(BillingFixture.september)
        let credits = try fixture.transaction { connection in
            try Students.withdraw(schoolID: fixture.school.id, studentID: student.id, on: try CalendarDate(iso: "2026-09-15"), changedBy: "test",
                                  on: connection)
        }
        let balance = try fixture.credit(of: student)
        #expect(credits.isEmpty && balance == .zero)
    }
}
