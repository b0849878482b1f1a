import Core
import Foundation
import Reconciliation
import Testing

@Suite struct ReportModelTests {
    @Test func agingBucketsCountMonthsFromThePeriod() throws {
        let aging = try OutstandingAging(invoices: ReportFixture.invoices, month: ReportFixture.september, largestCount: 2)
        #expect(aging.buckets.map(\.age) == AgingAge.allCases)
        #expect(aging.buckets.map(\.invoiceCount) == [1, 1, 0, 1])
        #expect(aging.buckets.map(\.amount.dong) == [800_000, 650_000, 0, 2_100_000])
        #expect(aging.largest.map(\.invoiceCode) == ["HP7K2Q7XC", "HP7K2Q9XA"])
        #expect(AgingAge(monthsLate: -1) == .currentMonth && AgingAge(monthsLate: 3) == .threeMonthsOrMore)
        let ahead = ReportFixture.invoices[0]
        var billedAhead = ahead
        billedAhead.period = ReportFixture.september.adding(months: 1)
        #expect(try OutstandingAging(invoices: [billedAhead], month: ReportFixture.september, largestCount: 0)
            .buckets[0].invoiceCount == 1)
    }

    @Test func agesAreCountedToTheMonthEndOrTheDayOfGenerationIfEarlier() throws {
        let report = try ReportFixture.report()
        #expect(report.asOfDate == ReportFixture.day(30))
        let midMonth = try ReportFixture.report(generatedAt: VietnamTime.instant(ReportFixture.day(29), hour: 23, minute: 59))
        #expect(midMonth.asOfDate == ReportFixture.day(29))
        #expect(midMonth.unapplied.map { $0.ageDays(asOf: midMonth.asOfDate) } == [26, 1])
    }

    @Test func badReportsAreRefusedNamingTheField() throws {
        var accounts = ReportFixture.accounts
        accounts[0].explainingItems[1].amount = Money(dong: Money.absoluteDongMax + 1)
        #expect(throws: ReportError.amountOutOfBounds(field: "bankAccounts[0].explainingItems[1].amount", dong: Money.absoluteDongMax + 1)) {
            try ReportFixture.report(accounts: accounts)
        }
        let tooMany = Array(repeating: ReportFixture.accounts[1], count: ReportLimits.bankAccountsMax + 1)
        #expect(throws: ReportError.tooManyItems(field: "bankAccounts", count: 21, max: 20)) { try ReportFixture.report(accounts: tooMany) }
        let twice = ReportFixture.series(months: 2) + ReportFixture.series(months: 1)
        #expect(throws: ReportError.duplicateMonth(field: "collectionByMonth", month: ReportFixture.september)) {
            try ReportFixture.report(series: twice)
        }
        let late = [UnappliedItem(transactionId: 1, bookingDate: ReportFixture.day(1, month: 10), amount: Money(dong: 1), payerName: nil, memo: "")]
        #expect(throws: ReportError.dateAfterMonth(field: "unapplied[0].bookingDate", date: ReportFixture.day(1, month: 10))) {
            try ReportFixture.report(unapplied: late)
        }
        var school = ReportFixture.school
        school.name = " "
        #expect(throws: ReportError.emptyText(field: "school.name")) { try ReportFixture.report(school: school) }
        let longMemo = [UnappliedItem(transactionId: 1, bookingDate: ReportFixture.day(1), amount: Money(dong: 1), payerName: nil,
                                      memo: String(repeating: "đ", count: ReportLimits.textCharactersMax + 1))]
        #expect(throws: ReportError.textTooLong(field: "unapplied[0].memo", characters: 1_001, max: 1_000)) {
            try ReportFixture.report(unapplied: longMemo)
        }
        var reversed = OutstandingAging.empty
        reversed.buckets.reverse()
        #expect(throws: ReportError.agingBucketsOutOfOrder) {
            try MonthlyReconciliationReport(
                school: ReportFixture.school, month: ReportFixture.september, generatedAt: ReportFixture.generatedAt, runId: nil,
                state: .agrees, totals: .zero, bankAccounts: [], unapplied: [], outstandingAging: reversed, familyCredits: [],
                exceptions: .none, collectionByMonth: [])
        }
        #expect(ReportError.duplicateSchoolCode("A").description.contains("A"))
    }

    @Test func decodingChecksTheSameRules() throws {
        let report = try ReportFixture.report()
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(MonthlyReconciliationReport.self, from: data) == report)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var series = try #require(object["collectionByMonth"] as? [[String: Any]])
        series.append(series[0])
        object["collectionByMonth"] = series
        let tampered = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: ReportError.duplicateMonth(field: "collectionByMonth", month: report.collectionByMonth[0].month)) {
            try JSONDecoder().decode(MonthlyReconciliationReport.self, from: tampered)
        }
        let province = try ReportFixture.province()
        #expect(try JSONDecoder().decode(ProvinceReport.self, from: JSONEncoder().encode(province)) == province)
    }

    @Test func provinceSchoolsSortByDistrictThenCodeWithSubtotals() throws {
        let report = try ReportFixture.province()
        #expect(report.schools.map(\.code) == ["BD-01", "BD-02", "CG-01", "DD-01", "DD-02"])
        let districts = report.districts
        #expect(districts.map(\.name) == ["Quận Ba Đình", "Quận Cầu Giấy", "Quận Đống Đa"])
        for district in districts {
            #expect(district.subtotal.schoolCount == district.schools.count)
            #expect(district.subtotal.figures.invoiced.dong == district.schools.reduce(0) { $0 + $1.figures.invoiced.dong })
            #expect(district.subtotal.figures.collectedByBank.dong == district.schools.reduce(0) { $0 + $1.figures.collectedByBank.dong })
        }
        let totals = report.totals
        #expect(totals.figures.collected == Money(dong: 275_000_000))
        #expect(totals.figures.collectionRate == BasisPoints.ratio(275_000_000, of: 350_000_000))
        // Bank 220 000 000 of 275 000 000 collected.
        #expect(totals.figures.cashlessShare == BasisPoints(8_000))
        #expect(totals.statusCounts[.notRun] == 1 && totals.statusCounts[.closed] == 2)
        #expect(ProvinceReconciliationStatus(nil) == .notRun && ProvinceReconciliationStatus(.agrees) == .open)
        #expect(throws: ReportError.duplicateSchoolCode("DD-01")) {
            try ReportFixture.province(ReportFixture.provinceSchools + [ReportFixture.provinceSchool("DD-01", district: "X")])
        }
    }

    @Test func exceptionsConvertFromTheMatcher() throws {
        let code = Fixture.invoiceCode(301)
        let transfers = [
            Fixture.transaction(1, dong: 650_000, memo: "MBVCB.3278907687.123456.\(code) LE THI CHI", payer: "LE VAN TAM", date: Fixture.bookingDate),
            Fixture.transaction(2, dong: 650_000, memo: "MBVCB.9911223344.654321.\(code) LE THI CHI", payer: "Lê Văn Tâm",
                                date: Fixture.bookingDate.adding(days: 1)),
            Fixture.transaction(3, dong: 50_000_000, memo: "NOP TIEN MAT"),
        ]
        let group = try #require(ReconciliationExceptions.likelyDuplicates(transfers).first)
        let duplicate = DuplicatePayment(group)
        #expect(duplicate.transactionIds == [1, 2] && duplicate.payerName == "LE VAN TAM" && duplicate.amount == Money(dong: 650_000))
        #expect(duplicate.memo == "MBVCB \(code) LE THI CHI")
        #expect(duplicate.lastBookingDate == Fixture.bookingDate.adding(days: 1))
        let far = try #require(ReconciliationExceptions.amountsFarFromInvoices(transfers, in: try Fixture.context()).first)
        let payment = FarAmountPayment(far, transaction: transfers[2])
        #expect(payment.transactionId == 3 && payment.memo == "NOP TIEN MAT" && payment.bookingDate == Fixture.bookingDate)
        #expect(payment.nearestBilledAmount != nil)
    }
}
