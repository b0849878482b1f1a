import Core

/// The province report as a printable page in Vietnamese: province totals, the chart of collection rate per managing authority,
/// then one section per authority (the `districts` of the model) with its schools and subtotal. Self-contained, no script; every text escaped.
public enum ProvinceReportPage {
    public static func html(_ report: ProvinceReport) -> String {
        let districts = report.districts
        let totals = report.totals
        var body = "<h1>Báo cáo thu học phí và đối soát</h1>\n"
        body += "<p class=\"subtitle\">\(HTMLText.escaped(report.provinceName)) – \(HTMLText.escaped(ReportFormat.monthTitle(report.month)))</p>\n"
        body += ReportHTML.facts([
            ("Số trường", String(totals.schoolCount)),
            ("Số cơ quan quản lý", String(districts.count)),
            ("Lập lúc", ReportFormat.vietnameseTimestamp(report.generatedAt)),
        ])
        body += banner(totals)
        body += ReportHTML.heading("1. Toàn tỉnh") + subtotalTable(totals, label: "Toàn tỉnh")
        body += ReportHTML.heading("2. Tỷ lệ thu theo cơ quan quản lý")
        body += chart(districts)
        body += ReportHTML.heading("3. Chi tiết theo cơ quan quản lý")
        for district in districts { body += section(district) }
        return ReportHTML.page(title: "Báo cáo thu học phí \(ReportFormat.monthTitle(report.month)) – \(report.provinceName)", body: body)
    }

    static func banner(_ totals: ProvinceSubtotal) -> String {
        let counts = totals.statusCounts
        let needsAttention = counts.differences + counts.notRun
        let state = needsAttention == 0 ? "closed" : "differences"
        let headline = needsAttention == 0
            ? "Mọi trường đã đối soát xong (khớp hoặc đã khóa sổ)."
            : "\(needsAttention) trường cần theo dõi: \(counts.differences) có chênh lệch, \(counts.notRun) chưa đối soát."
        let detail = ProvinceReconciliationStatus.allCases.map { "\($0.vietnameseName): \(counts[$0])" }.joined(separator: " · ")
        return "<div class=\"banner \(state)\" role=\"status\">\n<p>\(HTMLText.escaped(headline))</p>\n"
            + "<p class=\"detail\">\(HTMLText.escaped(detail))</p>\n</div>\n"
    }

    static func subtotalTable(_ subtotal: ProvinceSubtotal, label: String) -> String {
        let figures = subtotal.figures
        var table = ReportHTMLTable(
            headers: ["", "Số trường", "Phải thu", "Đã thu qua ngân hàng", "Đã thu tiền mặt", "Còn phải thu", "Tỷ lệ thu",
                      "Không dùng tiền mặt", "Chưa phân bổ"],
            numericColumns: Set(1...8))
        table.rows = [[label, String(subtotal.schoolCount), MoneyFormat.vietnamese(figures.invoiced),
                       MoneyFormat.vietnamese(figures.collectedByBank), MoneyFormat.vietnamese(figures.collectedInCash),
                       MoneyFormat.vietnamese(figures.outstanding), BasisPoints.vietnamesePercent(figures.collectionRate),
                       BasisPoints.vietnamesePercent(figures.cashlessShare), String(subtotal.unappliedCount)]]
        return table.html()
    }

    static func chart(_ districts: [ProvinceDistrict]) -> String {
        guard districts.count <= ReportLimits.chartDistrictsMax else {
            return "<p class=\"note\">Có \(districts.count) cơ quan quản lý, quá nhiều để vẽ biểu đồ; xem bảng bên dưới.</p>\n"
        }
        let bars = districts.map { RateChart.Bar(label: $0.name, rate: $0.subtotal.figures.collectionRate) }
        return "<div class=\"chart\">\n" + RateChart.svg(bars, title: "Tỷ lệ thu (đã thu / phải thu)") + "</div>\n"
    }

    static func section(_ district: ProvinceDistrict) -> String {
        var table = ReportHTMLTable(
            headers: ["Mã trường", "Tên trường", "Cấp học", "Phải thu", "Đã thu", "Còn phải thu", "Tỷ lệ thu",
                      "Không dùng tiền mặt", "Đối soát", "Chưa phân bổ"],
            numericColumns: [3, 4, 5, 6, 7, 9])
        table.rows = district.schools.map { school in
            let figures = school.figures
            return [school.code, school.name, school.level.vietnameseName, MoneyFormat.vietnamese(figures.invoiced),
                    MoneyFormat.vietnamese(figures.collected), MoneyFormat.vietnamese(figures.outstanding),
                    BasisPoints.vietnamesePercent(figures.collectionRate), BasisPoints.vietnamesePercent(figures.cashlessShare),
                    school.reconciliation.vietnameseName, String(school.unappliedCount)]
        }
        let subtotal = district.subtotal
        let figures = subtotal.figures
        table.footer = [["Cộng", "\(subtotal.schoolCount) trường", "", MoneyFormat.vietnamese(figures.invoiced),
                         MoneyFormat.vietnamese(figures.collected), MoneyFormat.vietnamese(figures.outstanding),
                         BasisPoints.vietnamesePercent(figures.collectionRate), BasisPoints.vietnamesePercent(figures.cashlessShare),
                         "\(subtotal.statusCounts.closed) đã khóa sổ", String(subtotal.unappliedCount)]]
        return "<section class=\"district\">\n<h3>\(HTMLText.escaped(district.name))</h3>\n" + table.html() + "</section>\n"
    }
}
