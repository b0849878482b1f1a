import Core

/// The monthly report as a printable page in Vietnamese: state banner, totals, the chart of collection by month,
/// the bank-account agreement with its explaining items, unapplied money, aging, family credits and exceptions.
/// Self-contained: inline CSS and SVG, no script, no external resource; every text from the model is escaped.
public enum MonthlyReportPage {
    public static func html(_ report: MonthlyReconciliationReport) -> String {
        let title = "Báo cáo đối soát \(ReportFormat.monthTitle(report.month)) – \(report.school.name)"
        return ReportHTML.page(title: title, body: body(report))
    }

    /// The report's sections without the page around them: the console shows them inside its own page.
    public static func body(_ report: MonthlyReconciliationReport) -> String {
        var body = "<h1>Báo cáo đối soát thu tiền</h1>\n"
        body += "<p class=\"subtitle\">\(HTMLText.escaped(ReportFormat.monthTitle(report.month)))</p>\n"
        body += ReportHTML.facts([
            ("Trường", report.school.name),
            ("Mã trường", report.school.code),
            ("Địa bàn", report.school.district),
            ("Tính đến ngày", report.asOfDate.vietnamese),
            ("Lập lúc", ReportFormat.vietnameseTimestamp(report.generatedAt)),
            ("Mã lần đối soát", report.runId.map(String.init) ?? "—"),
        ])
        body += banner(report)
        body += summary(report)
        body += collectionByMonth(report)
        body += bankAccounts(report)
        body += MonthlyReportSections.unapplied(report)
        body += MonthlyReportSections.aging(report)
        body += MonthlyReportSections.familyCredits(report)
        body += MonthlyReportSections.exceptions(report)
        body += CollectionDaySection.html(report.collectionDays)
        return body
    }

    static func banner(_ report: MonthlyReconciliationReport) -> String {
        let unexplained = report.bankAccounts.filter { ($0.unexplained.map { !$0.isZero }) ?? false }.count
        let withoutStatement = report.bankAccounts.filter { $0.statementClosingBalance == nil }.count
        var details = [report.state.explanation]
        if unexplained > 0 { details.append("\(unexplained) tài khoản còn chênh lệch chưa giải thích.") }
        if withoutStatement > 0 { details.append("\(withoutStatement) tài khoản chưa nhập sao kê.") }
        if !report.unapplied.isEmpty {
            details.append("\(report.unapplied.count) khoản tiền chưa phân bổ (\(MoneyFormat.vietnamese(report.unappliedTotal))).")
        }
        var html = "<div class=\"banner \(report.state.rawValue)\" role=\"status\">\n"
        html += "<p>Trạng thái: \(HTMLText.escaped(report.state.vietnameseName.uppercased()))</p>\n"
        html += "<p class=\"detail\">\(HTMLText.escaped(details.joined(separator: " ")))</p>\n"
        return html + "</div>\n"
    }

    static func summary(_ report: MonthlyReconciliationReport) -> String {
        let totals = report.totals
        var table = ReportHTMLTable(headers: ["Chỉ tiêu", "Giá trị"], numericColumns: [1])
        table.rows = [
            ["Phải thu trong tháng", MoneyFormat.vietnamese(totals.invoiced)],
            ["Đã thu qua ngân hàng", MoneyFormat.vietnamese(totals.collectedByBank)],
            ["Đã thu tiền mặt", MoneyFormat.vietnamese(totals.collectedInCash)],
            ["Tổng đã thu", MoneyFormat.vietnamese(totals.collected)],
            ["Còn phải thu (mọi hóa đơn chưa trả hết)", MoneyFormat.vietnamese(totals.outstanding)],
            ["Tỷ lệ thu (đã thu / phải thu)", BasisPoints.vietnamesePercent(totals.collectionRate)],
            ["Tỷ lệ không dùng tiền mặt (ngân hàng / tổng đã thu)", BasisPoints.vietnamesePercent(totals.cashlessShare)],
        ]
        return ReportHTML.heading("1. Tổng hợp") + table.html()
    }

    static func collectionByMonth(_ report: MonthlyReconciliationReport) -> String {
        var html = ReportHTML.heading("2. Thu theo tháng")
        html += "<div class=\"chart\">\n" + CollectionChart.svg(report.collectionByMonth) + "</div>\n"
        var table = ReportHTMLTable(headers: ["Tháng", "Phải thu", "Đã thu", "Tỷ lệ thu"], numericColumns: [1, 2, 3])
        table.rows = report.collectionByMonth.map { entry in
            [ReportFormat.monthTitle(entry.month), MoneyFormat.vietnamese(entry.invoiced), MoneyFormat.vietnamese(entry.collected),
             BasisPoints.vietnamesePercent(entry.collectionRate)]
        }
        return html + table.html()
    }

    static func bankAccounts(_ report: MonthlyReconciliationReport) -> String {
        var html = ReportHTML.heading(
            "3. Đối chiếu tài khoản ngân hàng",
            note: "Chênh lệch = số dư sổ sách − số dư sao kê. Mỗi khoản giải thích ghi phần chênh lệch nó tạo ra; "
                + "khi các khoản giải thích cộng lại bằng chênh lệch thì tài khoản khớp.")
        if report.bankAccounts.isEmpty { html += "<p class=\"note\">Trường chưa khai báo tài khoản ngân hàng.</p>\n" }
        for account in report.bankAccounts { html += bankAccount(account) }
        return html
    }

    static func bankAccount(_ account: BankAccountAgreement) -> String {
        let masked = ReportFormat.maskedAccount(account.accountNumber)
        var html = "<h3>\(HTMLText.escaped("\(account.bankName) – tài khoản \(masked)"))</h3>\n"
        let statement = account.statementClosingBalance.map { balance in
            MoneyFormat.vietnamese(balance) + (account.statementDate.map { " (ngày \($0.vietnamese))" } ?? "")
        }
        html += ReportHTML.facts([
            ("Số dư sổ sách cuối tháng", MoneyFormat.vietnamese(account.ledgerBalance)),
            ("Số dư sao kê gần nhất", statement ?? "Chưa nhập sao kê"),
            ("Chênh lệch", account.difference.map(MoneyFormat.vietnamese) ?? "—"),
            ("Đã giải thích", MoneyFormat.vietnamese(account.explained)),
            ("Chưa giải thích", account.unexplained.map(MoneyFormat.vietnamese) ?? "—"),
        ])
        var items = ReportHTMLTable(caption: "Các khoản giải thích chênh lệch",
                                    headers: ["Loại", "Ngày", "Số tiền", "Mã tham chiếu", "Nội dung"], numericColumns: [2])
        items.rows = account.explainingItems.map { item in
            [item.kind.vietnameseName, item.date.vietnamese, MoneyFormat.vietnamese(item.amount), item.reference ?? "", item.memo]
        }
        return html + items.html()
    }
}
