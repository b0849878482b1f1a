import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// The invoices of a school's month: list and filter by class and status, and print every notice of a class on one
/// printable page (each notice an A4 sheet with its VietQR). Reads through `InvoiceQueries` and builds notices with
/// `DocumentEndpoints.noticeModel`, as `GET …/invoices` and `GET …/invoices/{invoice}/notice` do.
enum ConsoleInvoicePages {
    /// Notices printed on one page at most: a class, not a school (a school prints class by class).
    static let noticesPerPrintMax = 80
    /// Invoices listed on one page at most.
    static let invoicesListedMax = 500
    static let documentsStylesheetPath = "/console/documents.css"

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        builder.addPage(.get, documentsStylesheetPath) { _ in
            var response = Response.text(DocumentHTML.stylesheet, contentType: "text/css; charset=utf-8")
            response.headers.set("Cache-Control", "public, max-age=3600")
            return ConsoleHTTP.secured(response)
        }
        ConsoleRoutes.page(&builder, .get, "/console/schools/{school}/invoices", state: state) { request, session in
            try list(request, session: session, state: state)
        }
        ConsoleRoutes.page(&builder, .get, "/console/schools/{school}/notices", state: state) { request, session in
            try notices(request, session: session, state: state)
        }
    }

    static func filter(_ request: Request) throws -> (CalendarMonth, String?, InvoiceStatus?) {
        let month = try ConsoleDashboards.month(request)
        let className = request.queryValue("class").flatMap { $0.isEmpty ? nil : String($0.prefix(32)) }
        let status = request.queryValue("status").flatMap { InvoiceStatus(rawValue: $0) }
        return (month, className, status)
    }

    static func list(_ request: Request, session: ConsoleSessions.Live, state: ConsoleState) throws -> Response {
        let (month, className, status) = try filter(request)
        let found = try state.pool.withConnection { connection -> (School, [Invoice])? in
            guard let school = try ConsoleDashboards.scopedSchool(request, session: session, on: connection) else { return nil }
            let invoices = try InvoiceQueries.list(schoolID: school.id, filter: InvoiceFilter(period: month, className: className, status: status),
                                                   limit: invoicesListedMax, on: connection)
            return (school, invoices)
        }
        guard let (school, invoices) = found else { return ConsoleDashboards.notFound(session) }
        let base = "/console/schools/" + ConsoleDashboards.percentEncoded(school.code)
        var body = "<form class=\"card\" method=\"get\" action=\"\(HTMLText.escaped(base))/invoices\">"
        body += "<label for=\"month\">Tháng</label><input type=\"month\" id=\"month\" name=\"month\" value=\"\(month.iso)\">"
        body += "<label for=\"class\">Lớp</label><input type=\"text\" id=\"class\" name=\"class\" value=\"\(HTMLText.escaped(className ?? ""))\">"
        body += "<label for=\"status\">Trạng thái</label><select id=\"status\" name=\"status\"><option value=\"\">Tất cả</option>"
        for option in InvoiceStatus.allCases {
            body += "<option value=\"\(option.rawValue)\"\(option == status ? " selected" : "")>\(HTMLText.escaped(statusName(option)))</option>"
        }
        body += "</select><p><button type=\"submit\">Lọc</button></p></form>\n"
        if let className {
            let print = "\(base)/notices?month=\(month.iso)&class=\(className.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            body += "<p><a href=\"\(HTMLText.escaped(print))\" id=\"print-class\">In giấy báo cả lớp \(HTMLText.escaped(className))</a></p>\n"
        }
        body += "<div class=\"scroll\"><table id=\"invoices\"><thead><tr><th>Số</th><th>Học sinh</th><th>Lớp</th><th>Mã thanh toán</th>"
        body += "<th class=\"money\">Tổng</th><th class=\"money\">Còn nợ</th><th>Trạng thái</th></tr></thead><tbody>\n"
        for invoice in invoices {
            body += "<tr><td>\(HTMLText.escaped(invoice.number.text))</td><td>\(HTMLText.escaped(invoice.studentName))</td>"
            body += "<td>\(HTMLText.escaped(invoice.className))</td><td>\(HTMLText.escaped(invoice.paymentCode))</td>"
            body += "<td class=\"money\">\(HTMLText.escaped(invoice.total.description))</td>"
            body += "<td class=\"money\">\(HTMLText.escaped(invoice.outstanding.description))</td><td>\(HTMLText.escaped(statusName(invoice.status)))</td></tr>\n"
        }
        body += "</tbody></table></div>\n<p>\(invoices.count) hóa đơn.</p>\n"
        return ConsoleHTTP.html(ConsolePage.shell(title: "Hóa đơn tháng \(month.month)/\(month.year)", body: body, session: session,
                                                  navigation: ConsoleRoutes.navigation(session.caller, school: school)))
    }

    /// Every notice of one class and month on one page; each prints as its own A4 sheet.
    static func notices(_ request: Request, session: ConsoleSessions.Live, state: ConsoleState) throws -> Response {
        let (month, className, _) = try filter(request)
        guard let className else {
            throw HTTPError(status: .badRequest, code: "class_required", detail: "class: name the class whose notices to print")
        }
        let found = try state.pool.withConnection { connection -> (School, [FeeNotice])? in
            guard let school = try ConsoleDashboards.scopedSchool(request, session: session, on: connection) else { return nil }
            let invoices = try InvoiceQueries.list(schoolID: school.id, filter: InvoiceFilter(period: month, className: className),
                                                   limit: noticesPerPrintMax + 1, on: connection).filter { $0.status != .void }
            guard invoices.count <= noticesPerPrintMax else {
                throw HTTPError(status: .unprocessableContent, code: "too_many_notices",
                                detail: "class \(className) has more than \(noticesPerPrintMax) notices in \(month.iso)")
            }
            // The listing carries no lines: each notice reads its whole invoice.
            let whole = try invoices.compactMap { try InvoiceQueries.invoice(schoolID: school.id, id: $0.id, on: connection) }
            return (school, try whole.map { try DocumentEndpoints.noticeModel($0, school: school, on: connection) })
        }
        guard let (school, notices) = found else { return ConsoleDashboards.notFound(session) }
        var html = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(HTMLText.escaped("Giấy báo học phí lớp \(className) – \(school.name)"))</title>\n"
        html += "<link rel=\"stylesheet\" href=\"\(documentsStylesheetPath)\">\n</head>\n<body>\n"
        if notices.isEmpty { html += "<main class=\"sheet\"><p>Lớp này không có giấy báo trong tháng.</p></main>\n" }
        for notice in notices {
            html += "<main class=\"sheet notice\">\n\(FeeNoticePage.body(notice))</main>\n"
        }
        return ConsoleHTTP.html(html + "</body>\n</html>\n")
    }

    static func statusName(_ status: InvoiceStatus) -> String {
        switch status {
        case .open: return "Chưa nộp"
        case .partlyPaid: return "Nộp một phần"
        case .paid: return "Đã nộp đủ"
        case .overpaid: return "Nộp thừa"
        case .void: return "Đã hủy"
        }
    }
}
