import Billing
import Core
import Crypto
import Foundation
import HTTP
import Ledger
import Postgres

/// Cash at the counter: find the invoice (its number or the payment code on the notice), take the amount and the payer's
/// name, and print the receipt. Records through `CashReceipts.record` — the service of `POST …/cash-payments` and
/// `tuition cash` — with the whole amount allocated to that invoice up to what it owes (the rest is kept as the family's
/// credit, as the service does). Each form carries a fresh payment key, so a second click or a reload replays the first
/// payment instead of taking the money twice.
enum ConsoleCashDesk {
    /// The desk's payment keys are stored under this prefix, apart from the API's and the banks'.
    static let keyNamespace = "cash-console:"
    static let paymentKeyBytes = 16

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/cash", state: state) { request, session, school in
            try desk(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, "/console/schools/{school}/cash", state: state) { request, session, school in
            try take(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/receipts/{receipt}", state: state) { request, session, school in
            try receipt(request, session: session, school: school, state: state)
        }
    }

    static func desk(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let key = (request.queryValue("invoice") ?? "").trimmingCharacters(in: .whitespaces)
        let base = ConsoleSchoolPages.base(school)
        var body = "<form class=\"card\" method=\"get\" action=\"\(HTMLText.escaped(base))/cash\">"
        body += "<label for=\"invoice\">Số hóa đơn hoặc mã thanh toán</label>"
        body += "<input type=\"text\" id=\"invoice\" name=\"invoice\" value=\"\(HTMLText.escaped(key))\" required>"
        body += " <button type=\"submit\">Tìm</button></form>\n"
        guard !key.isEmpty else { return ConsoleSchoolPages.page("Thu tiền mặt", body, session: session, school: school) }
        let found = try state.pool.withConnection { connection -> Invoice? in
            try BillingLookup.invoice(key, school: school, on: connection)
        }
        guard let invoice = found, invoice.status != .void else {
            body += ConsolePage.notice("Không có hóa đơn \(key.prefix(BillingLookup.quotedKeyCharactersMax)) ở trường này.")
            return ConsoleSchoolPages.page("Thu tiền mặt", body, session: session, school: school, status: .notFound)
        }
        body += invoiceCard(invoice)
        guard invoice.outstanding.isPositive else {
            body += ConsolePage.notice("Hóa đơn này đã nộp đủ.", kind: "info")
            return ConsoleSchoolPages.page("Thu tiền mặt", body, session: session, school: school)
        }
        let paymentKey = try SecureRandom.token(byteCount: paymentKeyBytes)
        body += "<form class=\"card\" method=\"post\" action=\"\(HTMLText.escaped(base))/cash\">" + ConsolePage.csrfField(session.csrf)
        body += "<input type=\"hidden\" name=\"invoice\" value=\"\(HTMLText.escaped(invoice.number.text))\">"
        body += "<input type=\"hidden\" name=\"key\" value=\"\(HTMLText.escaped(paymentKey))\">"
        body += "<label for=\"amount\">Số tiền nhận (đồng)</label>"
        body += "<input type=\"text\" id=\"amount\" name=\"amount\" inputmode=\"numeric\" value=\"\(invoice.outstanding.dong)\" required>"
        body += "<label for=\"payer\">Họ tên người nộp</label>"
        body += "<input type=\"text\" id=\"payer\" name=\"payer\" autocomplete=\"off\" required>"
        body += "<p><button type=\"submit\" id=\"take-cash\">Thu tiền và in biên lai</button></p></form>\n"
        return ConsoleSchoolPages.page("Thu tiền mặt", body, session: session, school: school)
    }

    static func invoiceCard(_ invoice: Invoice) -> String {
        var html = "<section class=\"card\" id=\"cash-invoice\"><table><tbody>\n"
        let rows = [("Hóa đơn", invoice.number.text), ("Học sinh", "\(invoice.studentName) – lớp \(invoice.className)"),
                    ("Tháng", "\(invoice.period.month)/\(invoice.period.year)"), ("Tổng", invoice.total.description),
                    ("Còn phải nộp", invoice.outstanding.description)]
        for (label, value) in rows { html += "<tr><th>\(HTMLText.escaped(label))</th><td>\(HTMLText.escaped(value))</td></tr>\n" }
        return html + "</tbody></table></section>\n"
    }

    static func take(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let form = ConsoleHTTP.form(request)
        guard let amount = Money.typedDong(form["amount"] ?? "") else {
            throw HTTPError(status: .unprocessableContent, code: "invalid_field", detail: "Số tiền (amount): nhập số đồng dương, ví dụ 1.250.000")
        }
        let key = form["key"] ?? ""
        guard key.utf8.count <= BillingPaymentEndpoints.paymentKeyBytesMax - keyNamespace.utf8.count, !key.isEmpty,
              key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPError(status: .unprocessableContent, code: "invalid_field", detail: "key: the form's payment key is missing; reload the desk")
        }
        let result = try state.pool.transaction(isolation: .readCommitted) { connection -> PaymentApplicationResult? in
            guard let invoice = try BillingLookup.invoice(form["invoice"] ?? "", school: school, on: connection) else { return nil }
            let allocated = Money.min(amount, invoice.outstanding)
            return try CashReceipts.record(CashPayment(
                schoolID: school.id, studentIDs: [invoice.studentID], amount: amount, payerName: form["payer"] ?? "",
                receivedOn: VietnamTime.today, allocations: allocated.isPositive ? [PaymentAllocation(invoiceID: invoice.id, amount: allocated)] : [],
                recordedBy: session.billingActor, paymentKey: keyNamespace + key), on: connection)
        }
        guard let result else { return ConsoleDashboards.notFound(session) }
        guard let receiptID = result.receiptIDs.first else {
            return ConsoleSchoolPages.page("Đã thu tiền", ConsolePage.notice("Đã ghi khoản tiền vào số dư của gia đình.", kind: "info"),
                                      session: session, school: school)
        }
        return ConsoleHTTP.redirect("\(ConsoleSchoolPages.base(school))/receipts/\(receiptID)")
    }

    /// The printable receipt (one A4 sheet, the document stylesheet), as `GET …/receipts/{receipt}/page` prints it.
    static func receipt(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let record = try state.pool.withConnection { connection -> ReceiptRecord? in
            guard let id = try BillingLookup.receiptID(request.pathParameters["receipt"] ?? "", school: school, on: connection) else { return nil }
            return try Receipts.receipt(schoolID: school.id, receiptID: id, on: connection)
        }
        guard let record else { return ConsoleDashboards.notFound(session) }
        let receipt = try DocumentEndpoints.printable { () throws(DocumentError) in try DocumentModels.receipt(record) }
        var html = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(HTMLText.escaped("Biên lai \(receipt.number.text) – \(receipt.payerName)"))</title>\n"
        html += "<link rel=\"stylesheet\" href=\"\(ConsoleInvoicePages.documentsStylesheetPath)\">\n</head>\n<body>\n"
        html += "<main class=\"sheet receipt\" id=\"receipt\">\n\(ReceiptPage.body(receipt))</main>\n</body>\n</html>\n"
        return ConsoleHTTP.html(html)
    }
}
