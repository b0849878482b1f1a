import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// State-paid shares: BHYT's state part is a receivable from the budget, the family is billed the rest.
@Suite struct StateShareTests {
    @Test func partsAlwaysSumToTheWholeRoundedHalfUp() {
        // 30 % of 1,263,600 = 379,080 exactly; of 1,263,605 = 379,081.5 → 379,082.
        #expect(PayerSplit.split(whole: 1_263_600, stateBasisPoints: 3_000) == (379_080, 884_520))
        #expect(PayerSplit.split(whole: 1_263_605, stateBasisPoints: 3_000) == (379_082, 884_523))
        // The family's part is never empty.
        #expect(PayerSplit.split(whole: 1, stateBasisPoints: 9_999) == (0, 1))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let whole = Int64.random(in: 1...1_000_000_000, using: &generator)
            let points = Int.random(in: 0...PayerSplit.basisPointsMax, using: &generator)
            let (state, family) = PayerSplit.split(whole: whole, stateBasisPoints: points)
            #expect(state + family == whole && family >= 1 && state >= 0)
            #expect(abs(state * 10_000 - whole * Int64(points)) <= 5_000 || state == whole - 1)
        }
    }

    @Test func bhytStateShareIsReceivableFromTheBudget() throws {
        let fixture = try BillingFixture(level: .primary, ownership: .public, areaClass: .rural)
        let student = try fixture.addStudent("HS01", grade: 3, className: "3A")
        try fixture.transaction { connection in
            try FeeCatalogues.install(try CatalogueFiles.thaiNguyen(), installedBy: "test", on: connection)
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "BHYT", name: "Bảo hiểm y tế học sinh", kind: .agreedCollection, on: connection)
            // Above the family cap once the state's 30 % is taken: 1,263,602 → family 884,521.
            #expect(throws: BillingError.self) {
                try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                    feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 1_263_602), billableMonths: [10], dueDay: 10,
                    stateShareBasisPoints: 3_000), on: connection)
            }
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 1_263_600), billableMonths: [10], dueDay: 10,
                stateShareBasisPoints: 3_000), on: connection)
        }
        _ = try fixture.issue(BillingFixture.october)
        let listed = try #require(try fixture.invoices(InvoiceFilter(studentID: student.id)).first)
        let invoice = try fixture.invoice(listed.id)
        #expect(invoice.total == Money(dong: 884_520))
        let line = try #require(invoice.lines.first)
        #expect(line.stateShare == Money(dong: 379_080) && line.gross == Money(dong: 884_520))
        #expect(line.itemText == "Bảo hiểm y tế học sinh (ngân sách nhà nước đóng 379.080 đ)")
        let budget = try fixture.account(.budgetReceivable)
        let owed = try fixture.transaction { connection in
            try connection.query("SELECT coalesce(sum(amount), 0)::int8 FROM postings WHERE school_id = \(fixture.school.id) AND account_id = \(budget)")
                .singleRow()!.decode(column: 0, as: Int64.self)
        }
        #expect(owed == 379_080)
        #expect(try fixture.verify().isClean)
    }

    @Test func aNonPublicSchoolsTuitionSupportIsClaimedFromTheBudgetByTerm() throws {
        let fixture = try BillingFixture(level: .primary, ownership: .nonPublic)
        _ = try fixture.addStudent("HS01", name: "Nguyễn \"Tí\", An", grade: 3, className: "3A")
        try fixture.transaction { connection in
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 1_500_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, stateShareBasisPoints: 2_000), on: connection)
        }
        _ = try fixture.issue(BillingFixture.september)
        _ = try fixture.issue(BillingFixture.october)
        let report = try fixture.transaction { try BudgetClaims.report(schoolID: fixture.school.id, schoolYear: 2026, term: 1, on: $0) }
        #expect(report.total == Money(dong: 600_000) && report.rows.count == 1)
        let csv = BudgetClaimRendering.csv(report)
        #expect(csv.contains("HS01,\"Nguyễn \"\"Tí\"\", An\",3A,HP,Học phí,20 %,600000\n"), "\(csv)")
        #expect(csv.hasSuffix(",,,,,total,600000\n"))
        let html = BudgetClaimRendering.html(report)
        #expect(html.contains("Nguyễn &quot;Tí&quot;, An") && html.contains("600.000 đ"), "\(html)")
        let second = try fixture.transaction { try BudgetClaims.report(schoolID: fixture.school.id, schoolYear: 2026, term: 2, on: $0) }
        #expect(second.rows.isEmpty && second.total == .zero)
        // The invoices bill the family 1,200,000 đ a month.
        #expect(try fixture.invoices().allSatisfy { $0.total == Money(dong: 1_200_000) })
        #expect(try fixture.verify().isClean)
    }
}
