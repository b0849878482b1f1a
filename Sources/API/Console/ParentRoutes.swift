import Billing
import Core
import Crypto
import Foundation
import HTTP
import Ledger
import Postgres
import VietQR

/// The parents' page, public: the payment code printed on the fee notice and the pupil's date of birth show what
/// the invoice owes, its VietQR and the pupil's receipts — of that pupil only.
///
/// A wrong pair — unknown code, or a known code with the wrong date — gets one answer, the same words and the
/// same status, and no sooner than `failureAnswerSeconds`, so neither text nor timing says whether a code exists.
/// Failures are throttled per address.
enum ParentRoutes {
    static let path = "/parents"
    static let failuresMax = 10
    static let windowMilliseconds: Int64 = 15 * 60 * 1_000
    /// Every failed lookup answers after this long from arrival: longer than any lookup takes, so both kinds look alike.
    static let failureAnswerSeconds = 0.3
    /// A code is unique within a school; a handful of schools may share one. More are not looked at.
    static let schoolsPerCodeMax = 8
    /// Receipts listed on the page, newest first.
    static let receiptsShownMax = 24
    static let failureMessage = "Không tìm thấy khoản phải nộp với mã và ngày sinh này. Hãy kiểm tra lại giấy báo."

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        builder.addPage(.get, path) { _ in form(state: state) }
        builder.addPage(.post, path, bodyBytesMax: ConsoleHTTP.formBytesMax) { request in
            try lookup(request, state: state)
        }
    }

    static func form(state: ConsoleState, message: String? = nil, status: HTTPStatus = .ok) -> Response {
        let intro = "<p>Nhập mã thanh toán in trên giấy báo học phí và ngày sinh của học sinh.</p>\n" + (message.map { ConsolePage.notice($0) } ?? "")
        var fields = "<label for=\"code\">Mã thanh toán</label><input type=\"text\" id=\"code\" name=\"code\" autocomplete=\"off\" "
        fields += "autocapitalize=\"characters\" maxlength=\"\(PaymentCode.lengthMax)\">\n"
        fields += "<label for=\"dob\">Ngày sinh của học sinh</label><input type=\"date\" id=\"dob\" name=\"dob\">\n"
        return ConsoleSignInForm.page(title: "Tra cứu học phí", action: path, intro: intro, fields: fields, button: "Tra cứu", state: state,
                                      status: status)
    }

    static func lookup(_ request: Request, state: ConsoleState) throws -> Response {
        let started = Date()
        let address = ["parents:" + ConsoleHTTP.address(request)]
        guard !state.parentThrottle.isBlocked(address) else {
            return form(state: state, message: "Quá nhiều lần tra cứu sai. Hãy thử lại sau 15 phút.", status: .tooManyRequests)
        }
        let fields = ConsoleHTTP.form(request)
        guard ConsoleSignInForm.isGenuine(request, form: fields) else {
            return form(state: state, message: "Biểu mẫu đã hết hạn. Hãy nhập lại.", status: .forbidden)
        }
        let code = (fields["code"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let birth = dateOfBirth(fields["dob"] ?? "")
        let page = try state.pool.withConnection { connection -> String? in
            guard let birth, !code.isEmpty, code.utf8.count <= PaymentCode.lengthMax else { return nil }
            return try render(code: code, birth: birth, qrCache: state.qrCache, on: connection)
        }
        guard let page else {
            state.parentThrottle.recordFailure(address)
            let remaining = failureAnswerSeconds - Date().timeIntervalSince(started)
            if remaining > 0 { Thread.sleep(forTimeInterval: remaining) }
            return form(state: state, message: failureMessage, status: .notFound)
        }
        return ConsoleHTTP.html(page)
    }

    /// `YYYY-MM-DD` (the date input) or `DD/MM/YYYY` (typed by hand); nil otherwise.
    static func dateOfBirth(_ text: String) -> CalendarDate? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 10 else { return nil }
        if let iso = try? CalendarDate(iso: trimmed) { return iso }
        let parts = trimmed.split(separator: "/")
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return try? CalendarDate(year: year, month: month, day: day)
    }

    /// The page of the invoice with `code` whose pupil was born on `birth`; nil for any other pair.
    static func render(code: String, birth: CalendarDate, qrCache: RenderedQRCache, on connection: PostgresConnection) throws -> String? {
        for invoice in try InvoiceQueries.invoicesAnySchool(paymentCode: code, limit: schoolsPerCodeMax, on: connection) {
            guard invoice.status != .void,
                  let student = try Students.find(schoolID: invoice.schoolID, id: invoice.studentID, on: connection),
                  student.details.dateOfBirth == birth,
                  let school = try Schools.find(id: invoice.schoolID, on: connection) else { continue }
            return try page(invoice, student: student, school: school, qrCache: qrCache, on: connection)
        }
        return nil
    }

    static func page(_ invoice: Invoice, student: Student, school: School, qrCache: RenderedQRCache, on connection: PostgresConnection) throws -> String {
        var body = "<section class=\"card\"><p><strong>\(HTMLText.escaped(student.fullName))</strong> — lớp \(HTMLText.escaped(student.className))"
        body += "<br>\(HTMLText.escaped(school.name))<br>Tháng \(invoice.period.month)/\(invoice.period.year), "
        body += "hạn nộp \(HTMLText.escaped(invoice.dueDate.vietnamese))</p></section>\n<div class=\"pay\">\n<section class=\"card\">\n"
        body += "<h2>Các khoản phải nộp</h2>\n<table><tbody>\n"
        for line in invoice.lines {
            body += "<tr><td>\(HTMLText.escaped(line.feeName))</td><td class=\"money\">\(HTMLText.escaped(line.net.description))</td></tr>\n"
        }
        body += "<tr><th>Tổng cộng</th><th class=\"money\">\(HTMLText.escaped(invoice.total.description))</th></tr>\n"
        body += "<tr><th>Còn phải nộp</th><th class=\"money\" id=\"outstanding\">\(HTMLText.escaped(invoice.outstanding.description))</th></tr>\n"
        body += "</tbody></table>\n</section>\n"
        body += try qrSection(invoice, school: school, qrCache: qrCache, on: connection)
        body += "</div>\n" + (try receiptsSection(student, on: connection))
        return ConsolePage.shell(title: "Học phí của học sinh", body: body)
    }

    static func qrSection(_ invoice: Invoice, school: School, qrCache: RenderedQRCache, on connection: PostgresConnection) throws -> String {
        guard invoice.outstanding.isPositive else {
            return "<section class=\"card\">" + ConsolePage.notice("Khoản này đã được nộp đủ. Xin cảm ơn!", kind: "info") + "</section>\n"
        }
        guard let qr = try payableQR(invoice, school: school, on: connection) else {
            return "<section class=\"card\">" + ConsolePage.notice("Trường nhận học phí bằng tiền mặt tại phòng kế toán.", kind: "info")
                + "</section>\n"
        }
        var html = "<section class=\"card\">\n<h2>Quét mã VietQR để chuyển khoản</h2>\n<div class=\"qr\" id=\"vietqr\">"
        html += qrCache.svg(qr.dynamicPayload) + "</div>\n<table><tbody>\n"
        let rows = [("Ngân hàng", VietQRBank.displayName(bin: qr.bankAccount.bankBIN)), ("Số tài khoản", qr.bankAccount.accountNumber),
                    ("Chủ tài khoản", qr.bankAccount.holderName), ("Số tiền", qr.outstanding.description),
                    ("Nội dung", qr.dynamicPayload.memo ?? invoice.paymentCode)]
        for (label, value) in rows {
            html += "<tr><th>\(HTMLText.escaped(label))</th><td>\(HTMLText.escaped(value))</td></tr>\n"
        }
        return html + "</tbody></table>\n</section>\n"
    }

    /// The invoice's payment QR; nil when the school has no bank account (it collects in cash).
    static func payableQR(_ invoice: Invoice, school: School, on connection: PostgresConnection) throws -> InvoicePaymentQR? {
        let result = Result { () throws(BillingError) -> InvoicePaymentQR in
            try InvoiceQueries.paymentQR(schoolID: school.id, invoiceID: invoice.id, on: connection)
        }
        if case .failure(.noBankAccount) = result { return nil }
        return try result.get()
    }

    static func receiptsSection(_ student: Student, on connection: PostgresConnection) throws -> String {
        let ids = try Receipts.list(schoolID: student.schoolID, studentID: student.id, on: connection)
        var html = "<section class=\"card\">\n<h2>Biên lai đã nhận</h2>\n"
        guard !ids.isEmpty else { return html + "<p>Chưa có khoản nộp nào.</p>\n</section>\n" }
        html += "<table><thead><tr><th>Số biên lai</th><th>Ngày</th><th class=\"money\">Số tiền</th></tr></thead><tbody>\n"
        for id in ids.suffix(receiptsShownMax).reversed() {
            guard let receipt = try Receipts.receipt(schoolID: student.schoolID, receiptID: id, on: connection) else { continue }
            html += "<tr><td>\(HTMLText.escaped(receipt.numberText))</td><td>\(HTMLText.escaped(receipt.receivedOn.vietnamese))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(receipt.amount.description))</td></tr>\n"
        }
        return html + "</tbody></table>\n</section>\n"
    }
}
