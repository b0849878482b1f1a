import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Issuing a month's invoices from the browser: a form, then a result page with the counts. Issuing runs in the request
/// (`InvoiceIssuer.issue` in one READ COMMITTED transaction, as `POST …/invoices/issue` runs it): a school's month is a few
/// thousand invoices written in batches, seconds at most, so the page answers when it is done rather than polling a
/// progress bar. Posting again issues only what is missing.
enum ConsoleIssuePage {
    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/issue", state: state) { request, session, school in
            let month = try ConsoleDashboards.month(request)
            return ConsoleSchoolPages.page("Phát hành hóa đơn", form(month, session: session, school: school), session: session, school: school)
        }
        // Expensive, as `POST …/invoices/issue` is: a whole school's month in one request.
        ConsoleSchoolPages.register(&builder, .post, "/console/schools/{school}/issue", state: state, routeClass: .expensive) { request, session, school in
            try issue(request, session: session, school: school, state: state)
        }
    }

    static func form(_ month: CalendarMonth, session: ConsoleSessions.Live, school: School) -> String {
        var body = "<form class=\"card\" method=\"post\" action=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/issue\">"
        body += ConsolePage.csrfField(session.csrf)
        body += "<label for=\"month\">Tháng</label><input type=\"month\" id=\"month\" name=\"month\" value=\"\(month.iso)\" required>"
        body += "<p>Mỗi học sinh đang học nhận một hóa đơn của tháng; học sinh đã có hóa đơn tháng này được bỏ qua.</p>"
        body += "<p><button type=\"submit\" id=\"issue\">Phát hành</button></p></form>\n"
        return body
    }

    static func issue(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let month = try ConsoleDashboards.postedMonth(request)
        let summary = try state.pool.transaction(isolation: .readCommitted) { connection in
            try InvoiceIssuer.issue(schoolID: school.id, period: month, issuedBy: session.billingActor, on: connection)
        }
        var body = "<div class=\"figures\" id=\"issue-summary\">"
        body += ConsolePage.figure("Hóa đơn mới", String(summary.issued))
        body += ConsolePage.figure("Đã có từ trước", String(summary.alreadyIssued))
        body += ConsolePage.figure("Không có khoản thu", String(summary.withoutFees))
        body += ConsolePage.figure("Tổng tiền phát hành", summary.totalIssued.description)
        body += "</div>\n"
        if summary.cappedCount > 0 {
            body += ConsolePage.notice("Không tính học phí cho \(summary.cappedCount) học sinh đã đủ số tháng tối đa của năm học: "
                                       + summary.cappedStudentCodes.joined(separator: ", "), kind: "info")
        }
        let list = "\(ConsoleSchoolPages.base(school))/invoices?month=\(month.iso)"
        body += "<p><a href=\"\(HTMLText.escaped(list))\" id=\"issued-invoices\">Xem hóa đơn tháng \(month.month)/\(month.year)</a></p>\n"
        return ConsoleSchoolPages.page("Đã phát hành tháng \(month.month)/\(month.year)", body, session: session, school: school)
    }
}
