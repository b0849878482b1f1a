import Core
import Foundation
import Reconciliation
import Testing

@Suite struct ReportJSONTests {
    @Test func theSameReportGivesTheSameBytesWhateverTheRowOrder() throws {
        let report = try ReportFixture.report()
        let bytes = MonthlyReportJSON.canonicalBytes(report)
        #expect(MonthlyReportJSON.canonicalBytes(try ReportFixture.report()) == bytes)
        var accounts = ReportFixture.accounts.reversed().map { $0 }
        accounts[1].explainingItems.reverse()
        let shuffled = try ReportFixture.report(
            accounts: accounts, unapplied: ReportFixture.unapplied.reversed(), credits: ReportFixture.credits.reversed(),
            series: ReportFixture.series(months: 4).reversed())
        #expect(shuffled == report)
        #expect(MonthlyReportJSON.canonicalBytes(shuffled) == bytes)
        let decoded = try JSONDecoder().decode(MonthlyReconciliationReport.self, from: JSONEncoder().encode(report))
        #expect(MonthlyReportJSON.canonicalBytes(decoded) == bytes)
    }

    @Test func oneDifferentValueGivesDifferentBytes() throws {
        let bytes = MonthlyReportJSON.canonicalBytes(try ReportFixture.report())
        var unapplied = ReportFixture.unapplied
        unapplied[1].amount = Money(dong: unapplied[1].amount.dong + 1)
        var totals = ReportFixture.totals
        totals.collectedInCash = Money(dong: totals.collectedInCash.dong - 1)
        var school = ReportFixture.school
        school.name += "."
        let variants = [
            try ReportFixture.report(unapplied: unapplied),
            try ReportFixture.report(totals: totals),
            try ReportFixture.report(school: school),
            try ReportFixture.report(state: .agrees),
            try ReportFixture.report(generatedAt: ReportFixture.generatedAt.addingTimeInterval(1)),
        ]
        for variant in variants { #expect(MonthlyReportJSON.canonicalBytes(variant) != bytes) }
        #expect(Set(variants.map(MonthlyReportJSON.canonicalBytes)).count == variants.count)
    }

    @Test func generatedAtIsWrittenToTheSecondInVietnamTime() throws {
        let report = try ReportFixture.report(generatedAt: ReportFixture.generatedAt.addingTimeInterval(0.75))
        #expect(report.generatedAt == ReportFixture.generatedAt)
        #expect(MonthlyReportJSON.canonicalBytes(report) == MonthlyReportJSON.canonicalBytes(try ReportFixture.report()))
        #expect(MonthlyReportJSON.render(report).contains("\"generatedAt\": \"2026-10-01T08:30:05+07:00\""))
    }

    @Test func canonicallyEqualNamesGiveTheSameBytes() throws {
        var composed = ReportFixture.school
        composed.name = "Trường Tiểu học Kim Đồng".precomposedStringWithCanonicalMapping
        var decomposed = ReportFixture.school
        decomposed.name = "Trường Tiểu học Kim Đồng".decomposedStringWithCanonicalMapping
        #expect(Array(composed.name.utf8) != Array(decomposed.name.utf8))
        #expect(MonthlyReportJSON.canonicalBytes(try ReportFixture.report(school: composed))
            == MonthlyReportJSON.canonicalBytes(try ReportFixture.report(school: decomposed)))
    }

    @Test func theJSONIsValidWithIntegersAndRatesAsBasisPointsAndText() throws {
        let report = try ReportFixture.report()
        let text = MonthlyReportJSON.render(report)
        #expect(text.hasPrefix("{\n  \"format\": \"tuition/monthly-reconciliation-report/1\",\n  \"school\": {\n    \"id\": 7,"))
        #expect(!text.contains(try Regex("[0-9][.eE][0-9+-]")), "no fractions or exponents: integers only")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["collected"] as? Int64 == 350_000_000)
        let rate = try #require(totals["collectionRate"] as? [String: Any])
        #expect(rate["basisPoints"] as? Int64 == 8_750 && rate["display"] as? String == "87,5 %")
        let accounts = try #require(object["bankAccounts"] as? [[String: Any]])
        #expect(accounts.map { $0["bankName"] as? String } == ["Agribank", "VietinBank"])
        #expect(accounts[0]["statementClosingBalance"] is NSNull && accounts[0]["difference"] is NSNull)
        #expect(accounts[1]["difference"] as? Int64 == 1_300_000)
        #expect(accounts[1]["explained"] as? Int64 == 1_300_000)
        #expect(accounts[1]["unexplained"] as? Int64 == 0)
        #expect(accounts[1]["accountNumberMasked"] as? String == "****2418")
        let unapplied = try #require(object["unapplied"] as? [String: Any])
        let items = try #require(unapplied["items"] as? [[String: Any]])
        #expect(items.first?["memo"] as? String == ReportFixture.unapplied[0].memo)
        #expect(items.map { $0["ageDays"] as? Int } == [27, 2])
        let aging = try #require(object["outstandingAging"] as? [String: Any])
        #expect(aging["invoiceCount"] as? Int == 3 && aging["amount"] as? Int64 == 3_550_000)
    }

    @Test func rateWithoutDataIsNullWithItsText() throws {
        let totals = CollectionFigures(invoiced: .zero, collectedByBank: .zero, collectedInCash: .zero, outstanding: .zero)
        let text = MonthlyReportJSON.render(try ReportFixture.report(totals: totals, series: []))
        #expect(text.contains("\"collectionRate\": {\n      \"basisPoints\": null,\n      \"display\": \"Không có dữ liệu\"\n    }"))
        #expect(text.contains("\"collectionByMonth\": []"))
    }

    @Test func controlCharactersAreEscaped() throws {
        let memo = "a\u{1}b\u{1F}c\"d\\e\u{2028}f\tg"
        let report = try ReportFixture.report(unapplied: [
            UnappliedItem(transactionId: 1, bookingDate: ReportFixture.day(1), amount: Money(dong: 1), payerName: nil, memo: memo),
        ])
        let text = MonthlyReportJSON.render(report)
        #expect(text.contains("\"memo\": \"a\\u0001b\\u001fc\\\"d\\\\e\\u2028f\\tg\""))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let items = try #require((object["unapplied"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items[0]["memo"] as? String == memo)
    }

    @Test func theProvinceJSONIsDeterministicAndGroupsByDistrict() throws {
        let report = try ReportFixture.province()
        let bytes = ProvinceReportJSON.canonicalBytes(report)
        #expect(ProvinceReportJSON.canonicalBytes(try ReportFixture.province(ReportFixture.provinceSchools.reversed())) == bytes)
        var changed = ReportFixture.provinceSchools
        changed[0].unappliedCount += 1
        #expect(ProvinceReportJSON.canonicalBytes(try ReportFixture.province(changed)) != bytes)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let districts = try #require(object["districts"] as? [[String: Any]])
        #expect(districts.map { $0["name"] as? String } == ["Quận Ba Đình", "Quận Cầu Giấy", "Quận Đống Đa"])
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["schoolCount"] as? Int == 5 && totals["unappliedCount"] as? Int == 7)
        let statuses = try #require(totals["reconciliation"] as? [String: Int])
        #expect(statuses == ["closed": 2, "open": 1, "differences": 1, "notRun": 1])
    }
}
