import Core

/// The printable receipt: one A4 page in Vietnamese, self-contained (inline CSS, no script, no external resource).
public enum ReceiptPage {
    public static let title = "BIÊN LAI THU TIỀN"

    /// The complete HTML page of `receipt`; every text from the model is escaped.
    public static func html(_ receipt: Receipt) -> String {
        DocumentHTML.page(title: "Biên lai \(receipt.number.text) – \(receipt.payerName)", body: body(receipt))
    }

    /// The receipt's markup inside the page's `<main class="sheet">`, for pages with their own stylesheet link (the console's
    /// Content-Security-Policy allows no inline style).
    public static func body(_ receipt: Receipt) -> String {
        var body = header(receipt)
        body += "<h1>\(HTMLText.escaped(title))</h1>\n"
        body += "<p class=\"subtitle\">\(HTMLText.escaped(DocumentText.longDate(receipt.date)))</p>\n"
        body += "<section class=\"facts\">\n"
        body += DocumentText.fact("Họ tên người nộp tiền", receipt.payerName)
        for student in receipt.students {
            body += DocumentText.fact("Học sinh", "\(student.fullName) – mã học sinh \(student.code) – lớp \(student.className)")
        }
        body += "</section>\n"
        body += itemsTable(receipt)
        body += "<section class=\"facts\">\n"
        body += DocumentText.fact("Số tiền", MoneyFormat.vietnamese(receipt.amount))
        body += "<p class=\"words\">Bằng chữ: \(HTMLText.escaped(AmountInWords.vietnamese(receipt.amount))).</p>\n"
        body += DocumentText.fact("Hình thức thanh toán", methodText(receipt.method))
        body += "</section>\n"
        body += signatures(receipt)
        return body
    }

    static func header(_ receipt: Receipt) -> String {
        var html = "<header class=\"header\">\n" + DocumentText.schoolHeader(receipt.school)
        html += "<div class=\"document-number\">\n"
        html += DocumentText.fact("Số", receipt.number.text)
        html += DocumentText.fact("Ngày", receipt.date.vietnamese)
        return html + "</div>\n</header>\n"
    }

    static func itemsTable(_ receipt: Receipt) -> String {
        var html = "<table class=\"items\">\n<thead><tr><th>STT</th><th>Học sinh</th><th>Mã hóa đơn</th><th>Kỳ thu</th>"
        html += "<th>Nội dung</th><th class=\"number\">Số tiền</th></tr></thead>\n<tbody>\n"
        let names = Dictionary(receipt.students.map { ($0.code, $0.fullName) }, uniquingKeysWith: { first, _ in first })
        for (index, item) in receipt.items.enumerated() {
            html += "<tr><td class=\"center\">\(index + 1)</td><td>\(HTMLText.escaped(names[item.studentCode] ?? item.studentCode))</td>"
            html += "<td>\(HTMLText.escaped(item.invoiceCode))</td><td>\(HTMLText.escaped(DocumentText.monthTitle(item.period)))</td>"
            html += "<td>\(HTMLText.escaped(item.feeSummary))</td><td class=\"number\">\(DocumentText.money(item.amountApplied))</td></tr>\n"
        }
        if receipt.items.isEmpty {
            html += "<tr><td colspan=\"6\" class=\"center\">Khoản nộp trước: toàn bộ số tiền được ghi có cho gia đình.</td></tr>\n"
        }
        html += "</tbody>\n<tfoot>\n"
        if receipt.credit.isPositive {
            html += DocumentText.totalRow("Cộng các khoản đã thu", receipt.amountApplied, emphasised: false)
            html += DocumentText.totalRow("Tiền nộp thừa, ghi có cho gia đình (trừ vào kỳ sau)", receipt.credit, emphasised: false)
        }
        html += DocumentText.totalRow("Tổng số tiền đã nhận", receipt.amount, emphasised: true)
        return html + "</tfoot>\n</table>\n"
    }

    /// "Tiền mặt" or "Chuyển khoản (mã giao dịch: FT26…)".
    static func methodText(_ method: ReceiptPaymentMethod) -> String {
        switch method {
        case .cash: return method.vietnameseName
        case .bankTransfer(let reference): return "\(method.vietnameseName) (mã giao dịch: \(reference))"
        }
    }

    static func signatures(_ receipt: Receipt) -> String {
        var html = "<div class=\"signatures\">\n"
        for (role, name) in [("Người nộp tiền", receipt.payerName), ("Người thu tiền", receipt.issuedBy)] {
            html += "<div>\n<p><strong>\(HTMLText.escaped(role))</strong></p>\n<p class=\"note\">(Ký, ghi rõ họ tên)</p>\n"
            html += "<div class=\"signature-space\"></div>\n<p>\(HTMLText.escaped(name))</p>\n</div>\n"
        }
        return html + "</div>\n"
    }
}
