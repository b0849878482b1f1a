import Core
import Reconciliation
import TestSupport
import Testing

@Suite struct ReportPageTests {
    static func checkSelfContained(_ html: String) {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"vi\">"))
        #expect(HTMLCheck.problems(html).isEmpty, "\(HTMLCheck.problems(html))")
        for tag in ["html", "head", "body", "table", "svg", "section"] {
            #expect(HTMLCheck.openings(tag, in: html) == HTMLCheck.count("</\(tag)>", in: html), "\(tag)")
        }
        #expect(HTMLCheck.openings("html", in: html) == 1 && HTMLCheck.openings("body", in: html) == 1)
        for forbidden in ["<script", "<link", "src=", "url(", "@import", "https:", "href"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // The only URL in an attribute is the SVG namespace, an identifier, not a fetch.
        #expect(HTMLCheck.count("=\"http", in: html) == HTMLCheck.count("xmlns=\"http://www.w3.org/2000/svg\"", in: html))
        #expect(html.contains("@media print") && html.contains("size: A4"))
    }

    @Test func theMonthlyPageHasEverySectionAndIsSelfContained() throws {
        let report = try ReportFixture.report(series: ReportFixture.series(months: 12))
        let html = MonthlyReportPage.html(report)
        Self.checkSelfContained(html)
        for heading in ["1. Tổng hợp", "2. Thu theo tháng", "3. Đối chiếu tài khoản ngân hàng", "4. Khoản tiền chưa phân bổ",
                        "5. Công nợ theo tuổi nợ", "6. Tiền nộp thừa của gia đình", "7. Ngoại lệ cần kiểm tra"] {
            #expect(html.contains("<h2>\(heading)</h2>"), "\(heading)")
        }
        #expect(html.contains("Tháng 9/2026") && html.contains("01/10/2026 08:30"))
        #expect(HTMLCheck.count("class=\"bar-invoiced\"", in: html) == 12)
        #expect(html.contains("<td class=\"number\">87,5 %</td>") && html.contains("<td class=\"number\">80 %</td>"))
        #expect(html.contains("<td class=\"number\">350.000.000 đ</td>"))
    }

    @Test func theBankSectionShowsMaskedAccountsDifferencesAndExplainingItems() throws {
        let html = MonthlyReportPage.html(try ReportFixture.report())
        #expect(html.contains("VietinBank – tài khoản ****2418") && html.contains("Agribank – tài khoản ****4567"))
        #expect(!html.contains("0011001932418") && !html.contains("1500201084567"))
        #expect(html.contains("<td>Số dư sao kê gần nhất</td><td>511.000.000 đ (ngày 30/09/2026)</td>"))
        #expect(html.contains("<td>Số dư sao kê gần nhất</td><td>Chưa nhập sao kê</td>"))
        #expect(html.contains("<td>Chênh lệch</td><td>1.300.000 đ</td>"))
        #expect(html.contains("<td>Chưa giải thích</td><td>0 đ</td>"))
        #expect(html.contains("<td>Dòng sao kê chưa ghi sổ</td><td>30/09/2026</td><td class=\"number\">-200.000 đ</td><td>FT26273000001</td>"))
        #expect(html.contains("<td>Báo có chưa có trên sao kê</td>"))
        #expect(html.contains("=HYPERLINK(&quot;http://x&quot;,&quot;bấm&quot;)"))
    }

    @Test func theBannerNamesTheState() throws {
        for state in MonthlyReconciliationState.allCases {
            let html = MonthlyReportPage.html(try ReportFixture.report(state: state))
            #expect(html.contains("<div class=\"banner \(state.rawValue)\" role=\"status\">"))
            #expect(html.contains("Trạng thái: \(state.vietnameseName.uppercased())"))
            #expect(html.contains("1 tài khoản chưa nhập sao kê."))
            #expect(html.contains("2 khoản tiền chưa phân bổ (1.884.567 đ)."))
        }
    }

    @Test func schoolNamesAndMemosAreEscaped() throws {
        let school = ReportSchool(id: 1, code: "X<1>", name: "<script>alert(1)</script> & Co", district: "Q\"1\"")
        let html = MonthlyReportPage.html(try ReportFixture.report(school: school))
        Self.checkSelfContained(html)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
        #expect(html.contains("X&lt;1&gt;") && html.contains("Q&quot;1&quot;"))
        #expect(HTMLText.escaped("a\u{0}<'>") == "a&lt;&#39;&gt;")
    }

    @Test func emptySectionsSayNothingIsThere() throws {
        let report = try MonthlyReconciliationReport(
            school: ReportFixture.school, month: ReportFixture.september, generatedAt: ReportFixture.generatedAt, runId: nil,
            state: .agrees, totals: .zero, bankAccounts: [], unapplied: [], outstandingAging: .empty, familyCredits: [],
            exceptions: .none, collectionByMonth: [])
        let html = MonthlyReportPage.html(report)
        Self.checkSelfContained(html)
        #expect(html.contains("Chưa có dữ liệu"))
        #expect(html.contains("Không có dữ liệu"))
        #expect(html.contains("<td class=\"empty\" colspan=\"6\">Không có.</td>"))
        #expect(html.contains("Trường chưa khai báo tài khoản ngân hàng."))
    }

    @Test func theProvincePageHasADistrictSectionWithSubtotalsAndTheRateChart() throws {
        let report = try ReportFixture.province(name: "Sở <GD&ĐT>")
        let html = ProvinceReportPage.html(report)
        Self.checkSelfContained(html)
        #expect(html.contains("Sở &lt;GD&amp;ĐT&gt;") && !html.contains("<GD"))
        #expect(HTMLCheck.count("<section class=\"district\">", in: html) == 3)
        let positions = ["Quận Ba Đình", "Quận Cầu Giấy", "Quận Đống Đa"].map { html.ranges(of: "<h3>\($0)</h3>").first!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(HTMLCheck.count("class=\"bar-rate\"", in: html) == 3)
        #expect(html.contains("<td>Cộng</td><td>2 trường</td><td></td><td class=\"number\">200.000.000 đ</td>"))
        #expect(html.contains("2 trường cần theo dõi: 1 có chênh lệch, 1 chưa đối soát."))
        #expect(html.contains("<td>BD-02</td><td>Trường BD-02</td><td>Tiểu học</td><td class=\"number\">0 đ</td>"))
        let hostile = [ReportFixture.provinceSchool("X-1", district: "Huyện <i>Mê Linh</i>", name: "<script>x()</script>Trường")]
        let escaped = ProvinceReportPage.html(try ReportFixture.province(hostile))
        Self.checkSelfContained(escaped)
        #expect(!escaped.contains("<script") && !escaped.contains("<i>"))
        #expect(escaped.contains("&lt;script&gt;x()&lt;/script&gt;Trường") && escaped.contains("Huyện &lt;i&gt;Mê Linh&lt;/i&gt;"))
    }
}
