import Core

/// The printable fee notice: one A4 page in Vietnamese, self-contained (inline CSS and QR image, no script).
public enum FeeNoticePage {
    public static let title = "THÔNG BÁO HỌC PHÍ VÀ CÁC KHOẢN THU"

    /// The complete HTML page of `notice`; every text from the model is escaped.
    public static func html(_ notice: FeeNotice) -> String {
        let pageTitle = "Thông báo học phí \(DocumentText.monthTitle(notice.period)) – \(notice.student.fullName)"
        return DocumentHTML.page(title: pageTitle, body: body(notice))
    }

    /// The notice's markup inside the page's `<main class="sheet">`, for pages printing several notices.
    public static func body(_ notice: FeeNotice) -> String {
        var body = header(notice)
        body += "<h1>\(HTMLText.escaped(title))</h1>\n"
        body += "<p class=\"subtitle\">\(HTMLText.escaped(DocumentText.monthTitle(notice.period)))</p>\n"
        body += "<section class=\"facts\">\n"
        body += DocumentText.fact("Học sinh", notice.student.fullName)
        body += DocumentText.fact("Mã học sinh", notice.student.code)
        body += DocumentText.fact("Lớp", notice.student.className)
        body += DocumentText.fact("Hạn nộp", notice.dueDate.vietnamese)
        body += "</section>\n"
        body += linesTable(notice)
        body += "<p class=\"words\">Số tiền phải nộp bằng chữ: \(HTMLText.escaped(AmountInWords.vietnamese(notice.amountDue))).</p>\n"
        body += paymentSection(notice)
        body += signature(notice)
        return body
    }

    static func header(_ notice: FeeNotice) -> String {
        var html = "<header class=\"header\">\n" + DocumentText.schoolHeader(notice.school)
        html += "<div class=\"document-number\">\n"
        html += DocumentText.fact("Mã hóa đơn", notice.invoiceCode)
        html += DocumentText.fact("Ngày lập", notice.issuedOn.vietnamese)
        return html + "</div>\n</header>\n"
    }

    static func linesTable(_ notice: FeeNotice) -> String {
        var html = "<table class=\"lines\">\n<thead><tr><th>STT</th><th>Khoản thu</th><th class=\"number\">Số tiền</th>"
        html += "<th class=\"number\">Miễn giảm</th><th>Lý do miễn giảm</th><th class=\"number\">Thành tiền</th></tr></thead>\n<tbody>\n"
        for (index, line) in notice.lines.enumerated() {
            html += "<tr><td class=\"center\">\(index + 1)</td><td>\(HTMLText.escaped(line.feeName))</td>"
            html += "<td class=\"number\">\(DocumentText.money(line.amount))</td>"
            html += "<td class=\"number\">\(line.discount.isZero ? "" : DocumentText.money(line.discount))</td>"
            html += "<td>\(HTMLText.escaped(line.discount.isZero ? "" : line.discountReason ?? ""))</td>"
            html += "<td class=\"number\">\(DocumentText.money(line.lineTotal))</td></tr>\n"
        }
        html += "</tbody>\n<tfoot>\n" + DocumentText.totalRow("Tổng cộng", notice.total, emphasised: true)
        if notice.alreadyPaid.isPositive {
            html += DocumentText.totalRow("Đã thanh toán", notice.alreadyPaid, emphasised: false)
            html += DocumentText.totalRow("Còn phải nộp", notice.amountDue, emphasised: true)
        }
        return html + "</tfoot>\n</table>\n"
    }

    static func paymentSection(_ notice: FeeNotice) -> String {
        guard notice.amountDue.isPositive else {
            return "<section class=\"payment\">\n<p>Hóa đơn đã được thanh toán đủ. Nhà trường cảm ơn quý phụ huynh.</p>\n</section>\n"
        }
        guard let transfer = notice.bankTransfer else {
            return "<section class=\"payment\">\n<p>Quý phụ huynh nộp tiền mặt tại phòng kế toán nhà trường trước ngày "
                + "\(notice.dueDate.vietnamese), ghi rõ mã hóa đơn \(HTMLText.escaped(notice.invoiceCode)).</p>\n</section>\n"
        }
        let memo = HTMLText.escaped(transfer.transferMemo)
        var html = "<section class=\"payment\">\n<div class=\"qr\">\n\(transfer.qrCodeSVG)\n</div>\n<div class=\"transfer\">\n"
        html += "<p><strong>Thanh toán bằng chuyển khoản</strong></p>\n"
        html += DocumentText.fact("Ngân hàng", transfer.account.bankName)
        html += DocumentText.fact("Số tài khoản", transfer.account.accountNumber)
        html += DocumentText.fact("Chủ tài khoản", transfer.account.accountHolder)
        html += DocumentText.fact("Số tiền", MoneyFormat.vietnamese(notice.amountDue))
        html += "<p><span class=\"label\">Nội dung chuyển khoản:</span> <span class=\"memo\">\(memo)</span></p>\n"
        html += "<p class=\"note\">Quét mã QR bằng ứng dụng ngân hàng hoặc chuyển khoản với nội dung: "
        html += "<span class=\"memo\">\(memo)</span>. Giữ nguyên mã hóa đơn \(HTMLText.escaped(notice.invoiceCode)) "
        html += "ở đầu nội dung để nhà trường ghi nhận khoản nộp tự động.</p>\n"
        return html + "</div>\n</section>\n"
    }

    static func signature(_ notice: FeeNotice) -> String {
        "<div class=\"signatures\">\n<div></div>\n<div>\n<p class=\"note\">\(DocumentText.longDate(notice.issuedOn))</p>\n"
            + "<p><strong>Kế toán nhà trường</strong></p>\n<div class=\"signature-space\"></div>\n</div>\n</div>\n"
    }
}
