import Core

/// The KPI report as a printable page in Vietnamese: the province against the targets, the trend chart with the
/// targets drawn, then a table per managing authority. Self-contained, no script; every text escaped.
public enum KPIReportPage {
    public static func html(_ report: KPIReport) -> String {
        let province = report.province
        var body = "<h1>Chỉ tiêu thanh toán không dùng tiền mặt</h1>\n"
        body += "<p class=\"subtitle\">\(HTMLText.escaped(report.provinceName)) – \(HTMLText.escaped(report.period.vietnameseTitle))</p>\n"
        body += ReportHTML.facts([
            ("Số trường phổ thông", String(province.generalSchools)),
            ("Số cơ quan quản lý", String(report.authorities.count)),
            ("Lập lúc", ReportFormat.vietnameseTimestamp(report.generatedAt)),
        ])
        body += banner(province)
        body += "<p class=\"note\">\(HTMLText.escaped(KPIReport.definition))</p>\n"
        body += ReportHTML.heading("1. Diễn biến theo tháng (toàn tỉnh)")
        body += "<div class=\"chart\">\n" + KPIChart.svg(report.trend, title: "Tỷ lệ theo tháng so với chỉ tiêu") + "</div>\n"
        body += ReportHTML.heading("2. Theo cơ quan quản lý")
        var table = ReportHTMLTable(
            headers: ["Cơ quan quản lý", "Trường phổ thông", "Thu qua ngân hàng", "Tỷ lệ trường", "Chỉ tiêu 25 %", "Chỉ tiêu 80 %",
                      "KDTM theo số khoản", "KDTM theo giá trị"],
            numericColumns: [1, 2, 3, 6, 7])
        table.rows = report.authorities.map { cells(name: $0.name, $0.figures) }
        table.footer = [cells(name: "Toàn tỉnh", province)]
        body += table.html()
        body += ReportHTML.heading("3. Theo tháng (toàn tỉnh)")
        var months = ReportHTMLTable(headers: ["Tháng", "Trường phổ thông", "Thu qua ngân hàng", "Tỷ lệ trường", "Chỉ tiêu 25 %",
                                               "Chỉ tiêu 80 %", "KDTM theo số khoản", "KDTM theo giá trị"],
                                     numericColumns: [1, 2, 3, 6, 7])
        months.rows = report.trend.map { cells(name: ReportFormat.monthTitle($0.month), $0.figures) }
        body += months.html()
        return ReportHTML.page(title: "Chỉ tiêu KDTM \(report.period.vietnameseTitle) – \(report.provinceName)", body: body)
    }

    static func cells(name: String, _ figures: KPIFigures) -> [String] {
        let share = figures.bankSchoolShare ?? BasisPoints(0)
        return [name, String(figures.generalSchools), String(figures.bankSchools), BasisPoints.vietnamesePercent(figures.bankSchoolShare),
                share >= KPITargets.bankSchools2025 ? "Đạt" : "Chưa đạt", share >= KPITargets.cashless2030 ? "Đạt" : "Chưa đạt",
                BasisPoints.vietnamesePercent(figures.cashlessShareByCount), BasisPoints.vietnamesePercent(figures.cashlessShareByValue)]
    }

    static func banner(_ province: KPIFigures) -> String {
        let share = province.bankSchoolShare ?? BasisPoints(0)
        let state = share >= KPITargets.cashless2030 ? "closed" : "differences"
        let headline = "\(province.bankSchools)/\(province.generalSchools) trường phổ thông thu qua ngân hàng "
            + "(\(BasisPoints.vietnamesePercent(province.bankSchoolShare))); chỉ tiêu 2025 (25 %): "
            + (share >= KPITargets.bankSchools2025 ? "đạt" : "chưa đạt") + "; chỉ tiêu 2030 (80 %): "
            + (share >= KPITargets.cashless2030 ? "đạt" : "chưa đạt") + "."
        return "<div class=\"banner \(state)\" role=\"status\">\n<p>\(HTMLText.escaped(headline))</p>\n</div>\n"
    }
}
