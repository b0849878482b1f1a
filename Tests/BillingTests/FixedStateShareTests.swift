import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// The province's support for non-public pupils as a fixed amount per pupil per month: the budget owes it, the family
/// the rest, and the claim report names the basis.
@Suite struct FixedStateShareTests {
    @Test func aFixedShareIsTheAmountForAFullMonthAndInProportionForAPartOneRoundedHalfUp() {
        #expect(PayerSplit.split(whole: 1_500_000, stateFixed: 800_000, fullMonth: 1_500_000) == (800_000, 700_000))
        // 15 of 31 days of a 1,500,000 đ month is 725,806 đ; 800,000 × 725,806 / 1,500,000 = 387,096.53 → 387,097.
        #expect(PayerSplit.split(whole: 725_806, stateFixed: 800_000, fullMonth: 1_500_000) == (387_097, 338_709))
        // Support at or above the fee leaves the family one đồng: the line is never empty.
        #expect(PayerSplit.split(whole: 600_000, stateFixed: 800_000, fullMonth: 600_000) == (599_999, 1))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let full = Int64.random(in: 1...(BillingLimits.monthlyAmountDongMax * 31), using: &generator)
            let whole = Int64.random(in: 1...full, using: &generator)
            let fixed = Int64.random(in: 1...BillingLimits.monthlyAmountDongMax, using: &generator)
            let (state, family) = PayerSplit.split(whole: whole, stateFixed: fixed, fullMonth: full)
            #expect(state + family == whole && family >= 1 && state >= 0)
            // Within half a đồng of the exact proportion, unless capped.
            let exact = Double(fixed) * Double(whole) / Double(full)
            #expect(abs(Double(state) - exact) <= 0.5 + exact * 1e-12 || state == whole - 1)
        }
    }

    @Test func theBasisIsNamedAsThePercentageOrTheAmountPerMonth() {
        #expect(StateShare.basisPoints(3_000).basisText == "30 %")
        #expect(StateShare.basisPoints(2_505).basisText == "25,05 %")
        #expect(StateShare.fixedPerMonth(Money(dong: 800_000)).basisText == "800.000 đ/tháng")
        #expect(StateShare(basisPoints: nil, fixedDong: nil) == nil)
    }

    @Test func aNonPublicSchoolsFixedSupportIsClaimedFromTheBudget() throws {
        let fixture = try BillingFixture(level: .primary, ownership: .nonPublic)
        let student = try fixture.addStudent("HS01", grade: 3, className: "3A")
        try fixture.transaction { connection in
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            let both = #expect(throws: BillingError.self) {
                try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                    feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 1_500_000),
                    billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, stateShareBasisPoints: 2_000, stateShareDong: 800_000),
                    on: connection)
            }
            #expect(both?.description.contains("state_share_dong") == true)
            let schedule = try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 1_500_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, stateShareDong: 800_000), on: connection)
            #expect(schedule.stateShare == .fixedPerMonth(Money(dong: 800_000)))
            #expect(try FeeSchedules.list(schoolID: fixture.school.id, schoolYear: 2026, on: connection).first?.stateShareDong == 800_000)
        }
        _ = try fixture.issue(BillingFixture.september)
        _ = try fixture.issue(BillingFixture.october)
        let invoices = try fixture.invoices(InvoiceFilter(studentID: student.id))
        #expect(invoices.count == 2 && invoices.allSatisfy { $0.total == Money(dong: 700_000) })
        let line = try #require(try fixture.invoice(invoices[0].id).lines.first)
        #expect(line.stateShare == Money(dong: 800_000) && line.gross == Money(dong: 700_000))

        let report = try fixture.transaction { try BudgetClaims.report(schoolID: fixture.school.id, schoolYear: 2026, term: 1, on: $0) }
        #expect(report.total == Money(dong: 1_600_000) && report.rows.count == 1)
        #expect(report.rows.first?.basis == "800.000 đ/tháng")
        #expect(BudgetClaimRendering.csv(report).contains(",HP,Học phí,800.000 đ/tháng,1600000\n"))
        #expect(BudgetClaimRendering.html(report).contains("<td>800.000 đ/tháng</td>"))
        let budget = try fixture.account(.budgetReceivable)
        let owed = try fixture.transaction { connection in
            try connection.query("SELECT coalesce(sum(amount), 0)::int8 FROM postings WHERE school_id = \(fixture.school.id) AND account_id = \(budget)")
                .singleRow()!.decode(column: 0, as: Int64.self)
        }
        #expect(owed == 1_600_000)
        #expect(try fixture.verify().isClean)
    }
}
