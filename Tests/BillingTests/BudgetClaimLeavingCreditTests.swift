import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// The budget claim nets out the state's part of a leaving pupil's absence credit: the province is not claimed for
/// the days the pupil was not served, and the claim equals what the ledger's budget receivable holds for the term.
@Suite struct BudgetClaimLeavingCreditTests {
    /// A non-public school billing tuition with fixed support of 800,000 đ/month and meals by the day at 25,000 đ of
    /// which the budget pays 50 %; September has 22 school days, October 20.
    static func school() throws -> BillingFixture {
        let fixture = try BillingFixture(level: .primary, ownership: .nonPublic)
        try fixture.transaction { connection in
            for (month, days) in [(BillingFixture.september, 22), (BillingFixture.october, 20)] {
                try SchoolCalendar.set(schoolID: fixture.school.id, SchoolMonth(period: month, schoolDays: days), updatedBy: "test", on: connection)
            }
            let tuition = try FeeTypes.add(schoolID: fixture.school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: tuition.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 1_500_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, stateShareDong: 800_000), on: connection)
            let meals = try FeeTypes.add(schoolID: fixture.school.id, code: "AN_BANTRU", name: "Tiền ăn bán trú", kind: .service, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: meals.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 25_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, rateUnit: .day, stateShareBasisPoints: 5_000), on: connection)
        }
        return fixture
    }

    static func budgetReceivable(_ fixture: BillingFixture) throws -> Int64 {
        let budget = try fixture.account(.budgetReceivable)
        return try fixture.transaction { connection in
            try connection.query("SELECT coalesce(sum(amount), 0)::int8 FROM postings WHERE school_id = \(fixture.school.id) AND account_id = \(budget)")
                .singleRow()!.decode(column: 0, as: Int64.self)
        }
    }

    static func claim(_ fixture: BillingFixture, term: Int = 1) throws -> BudgetClaimReport {
        try fixture.transaction { try BudgetClaims.report(schoolID: fixture.school.id, schoolYear: 2026, term: term, on: $0) }
    }

    @Test func aPupilLeavingMidOctoberIsNotClaimedForTheDaysNotServed() throws {
        let fixture = try Self.school()
        let an = try fixture.addStudent("HS01", grade: 3, className: "3A")
        _ = try fixture.addStudent("HS02", name: "Lê Thị Bình", grade: 3, className: "3A")
        _ = try fixture.issue(BillingFixture.september)
        _ = try fixture.issue(BillingFixture.october)
        let before = try Self.claim(fixture)
        // Per pupil: tuition support 2 × 800,000 đ; meals (22 + 20) days × 12,500 đ = 525,000 đ.
        #expect(before.total == Money(dong: 2 * (1_600_000 + 525_000)) && before.rows.allSatisfy { $0.kind == .stateShare })
        #expect(before.total.dong == (try Self.budgetReceivable(fixture)))

        let credits = try fixture.transaction { connection in
            try Students.withdraw(schoolID: fixture.school.id, studentID: an.id, on: try CalendarDate(iso: "2026-10-16"), changedBy: "test",
                                  on: connection)
        }
        // 20 × 16 / 31 → 10 school days not served: 250,000 đ, of which the state's half is 125,000 đ.
        let credit = try #require(credits.first)
        #expect(credits.count == 1 && credit.unservedDays == 10 && credit.state == Money(dong: 125_000))

        let report = try Self.claim(fixture)
        #expect(report.total == Money(dong: 2 * (1_600_000 + 525_000) - 125_000))
        #expect(report.total.dong == (try Self.budgetReceivable(fixture)), "the claim is what the ledger's budget receivable holds")
        let netted = report.rows.filter { $0.kind == .leavingCredit }
        #expect(netted.count == 1)
        #expect(netted.first?.studentCode == "HS01" && netted.first?.feeCode == "AN_BANTRU" && netted.first?.amount == Money(dong: -125_000))
        // HS01's credit line comes right after HS01's own lines, before HS02's.
        #expect(report.rows.map(\.studentCode) == ["HS01", "HS01", "HS01", "HS02", "HS02"], "\(report.rows)")

        let csv = BudgetClaimRendering.csv(report)
        #expect(csv.contains("HS01,Nguyễn Văn An,3A,AN_BANTRU,Tiền ăn bán trú,Trả lại khi nghỉ học từ 16/10/2026,-125000\n"), "\(csv)")
        #expect(csv.hasSuffix(",,,,,total,4125000\n"))
        let html = BudgetClaimRendering.html(report)
        #expect(html.contains("<tr class=\"leaving-credit\"><td>HS01</td>"), "\(html)")
        #expect(html.contains("<td>Trả lại khi nghỉ học từ 16/10/2026</td><td>\(Money(dong: -125_000).description)</td>"))
        #expect(html.contains("<th>\(Money(dong: 4_125_000).description)</th>"))
        // The credit belongs to the term the pupil left in: term 2 claims nothing of it.
        #expect(try Self.claim(fixture, term: 2).rows.isEmpty)
        #expect(try fixture.verify().isClean)
    }

    @Test func eachPupilsCreditLinesFollowThatPupilsShareLinesWhateverTheirOrder() {
        func row(_ code: String, _ fee: String, _ amount: Int64) -> BudgetClaimReport.Row {
            BudgetClaimReport.Row(studentCode: code, studentName: "Tên \(code)", className: "3A", feeCode: fee, feeName: fee, basis: "",
                                  amount: Money(dong: amount), kind: amount < 0 ? .leavingCredit : .stateShare)
        }
        let shares = [row("HS02", "HP", 800_000), row("HS02", "AN", 275_000), row("HS01", "HP", 800_000)]
        let credits = [row("HS01", "AN", -1), row("HS03", "AN", -3), row("HS02", "AN", -2), row("HS02", "BT", -4)]
        let merged = BudgetClaims.merged(shares, credits)
        #expect(merged.map { "\($0.studentCode):\($0.amount.dong)" }
                == ["HS02:800000", "HS02:275000", "HS02:-2", "HS02:-4", "HS01:800000", "HS01:-1", "HS03:-3"])
        #expect(BudgetClaims.merged(shares, []) == shares && BudgetClaims.merged([], credits) == credits)
    }

    @Test func aLeavingCreditWithoutAStatePartAddsNoLine() throws {
        let fixture = try PerDayFeeTests.school()
        try PerDayFeeTests.mealsPerDay(fixture, rate: 25_000)
        let an = try fixture.addStudent("HS01", grade: 3, className: "3A")
        _ = try fixture.issue(BillingFixture.september)
        let credits = try fixture.transaction { connection in
            try Students.withdraw(schoolID: fixture.school.id, studentID: an.id, on: try CalendarDate(iso: "2026-09-15"), changedBy: "test",
                                  on: connection)
        }
        #expect(credits.count == 1 && credits.first?.state == .zero)
        let report = try Self.claim(fixture)
        #expect(report.rows.isEmpty && report.total == .zero)
    }
}
