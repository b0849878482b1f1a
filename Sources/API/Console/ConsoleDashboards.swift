import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Reconciliation

/// The month dashboards: the province (finance office, admin), an authority's schools (authority office), one school (everyone
/// who may see it). Figures come from `ProvinceReports`, the service behind `GET /v1/reports/province`.
enum ConsoleDashboards {
    static func home(_ request: Request, session: ConsoleSessions.Live, state: ConsoleState) throws -> Response {
        let caller = session.caller
        if caller.role == .accountant, let schoolID = caller.schoolID,
           let school = try state.pool.withConnection({ try Schools.find(id: schoolID, on: $0) }) {
            return ConsoleHTTP.redirect("/console/schools/" + percentEncoded(school.code))
        }
        let month = try month(request)
        let scope: ProvinceScope = caller.role == .authorityOffice ? .authorities(caller.authorities, name: caller.label) : .province
        let report = try state.pool.withConnection { try ProvinceReports.build(month: month, scope: scope, on: $0) }
        var body = monthForm(month, action: "/console")
        let totals = report.totals
        body += figures(totals.figures, suspense: totals.unappliedCount)
        body += "<h2>Các trường</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Trường</th><th>Cơ quan quản lý</th>"
        body += "<th class=\"money\">Phải thu</th><th class=\"money\">Đã thu</th><th class=\"money\">Tỷ lệ thu</th>"
        body += "<th class=\"money\">Không tiền mặt</th><th>Đối chiếu</th></tr></thead>\n<tbody>\n"
        for district in report.districts {
            for row in district.schools {
                let link = "/console/schools/\(percentEncoded(row.code))?month=\(month.iso)"
                body += "<tr><td><a href=\"\(HTMLText.escaped(link))\">\(HTMLText.escaped(row.name))</a></td>"
                body += "<td>\(HTMLText.escaped(row.district))</td><td class=\"money\">\(HTMLText.escaped(row.figures.invoiced.description))</td>"
                body += "<td class=\"money\">\(HTMLText.escaped(row.figures.collected.description))</td>"
                body += "<td class=\"money\">\(HTMLText.escaped(BasisPoints.vietnamesePercent(row.figures.collectionRate)))</td>"
                body += "<td class=\"money\">\(HTMLText.escaped(BasisPoints.vietnamesePercent(row.figures.cashlessShare)))</td>"
                body += "<td>\(HTMLText.escaped(row.reconciliation.vietnameseName))</td></tr>\n"
            }
        }
        body += "</tbody></table></div>\n"
        let title = caller.role == .authorityOffice ? "Tổng quan các trường được quản lý tháng \(month.month)/\(month.year)" : "Tổng quan toàn tỉnh tháng \(month.month)/\(month.year)"
        return ConsoleHTTP.html(ConsolePage.shell(title: title, body: body, session: session,
                                                  navigation: ConsoleRoutes.navigation(caller)))
    }

    /// One school's month; 404 when the school does not exist or is outside the caller's scope (as the API answers).
    static func school(_ request: Request, session: ConsoleSessions.Live, state: ConsoleState) throws -> Response {
        let month = try month(request)
        let found = try state.pool.withConnection { connection -> (School, ProvinceSchoolRow?)? in
            guard let school = try scopedSchool(request, session: session, on: connection) else { return nil }
            let report = try ProvinceReports.build(month: month, scope: .authorities([school.authority.code], name: school.authority.name),
                                                  on: connection)
            let row = report.districts.flatMap(\.schools).first { $0.code == school.code }
            return (school, row)
        }
        guard let (school, row) = found else { return notFound(session) }
        let figures = row?.figures ?? .zero
        var body = "<p>\(HTMLText.escaped(school.name))</p>\n" + monthForm(month, action: "/console/schools/" + percentEncoded(school.code))
        body += ConsoleDashboards.figures(figures, suspense: row?.unappliedCount ?? 0)
        body += "<p>Đối chiếu tháng: <strong>\(HTMLText.escaped(row?.reconciliation.vietnameseName ?? "Chưa chạy"))</strong></p>\n"
        body += "<p><a href=\"/console/schools/\(HTMLText.escaped(percentEncoded(school.code)))/invoices?month=\(month.iso)\">Hóa đơn của tháng</a></p>\n"
        body += "<p><a id=\"month-report\" href=\"\(HTMLText.escaped(ConsoleMonthPages.monthLink(school, month)))\">Đối soát và báo cáo tháng</a></p>\n"
        body += "<section class=\"card chart\">\n"
        body += CollectionChart.svg([MonthlyCollection(month: month, invoiced: figures.invoiced, collected: figures.collected)])
        body += "\n</section>\n"
        return ConsoleHTTP.html(ConsolePage.shell(title: "Tháng \(month.month)/\(month.year)", body: body, session: session,
                                                  navigation: ConsoleRoutes.navigation(session.caller, school: school)))
    }

    /// The school of `{school}` when the caller may see it; nil (a 404 page) otherwise, as `APIBuilder.authorize` answers.
    static func scopedSchool(_ request: Request, session: ConsoleSessions.Live, on connection: PostgresConnection) throws -> School? {
        guard let code = request.pathParameters["school"], code.utf8.count <= 32,
              let school = try Schools.find(code: code, on: connection), session.caller.canSee(school) else { return nil }
        return school
    }

    static func figures(_ figures: CollectionFigures, suspense: Int) -> String {
        var html = "<div class=\"figures\">"
        html += ConsolePage.figure("Phải thu", figures.invoiced.description)
        html += ConsolePage.figure("Đã thu", figures.collected.description)
        html += ConsolePage.figure("Còn nợ", figures.outstanding.description)
        html += ConsolePage.figure("Tỷ lệ không tiền mặt", BasisPoints.vietnamesePercent(figures.cashlessShare))
        html += ConsolePage.figure("Giao dịch chờ xử lý", String(suspense))
        return html + "</div>\n"
    }

    static func monthForm(_ month: CalendarMonth, action: String) -> String {
        "<form method=\"get\" action=\"\(HTMLText.escaped(action))\"><label for=\"month\">Tháng</label>"
            + "<input type=\"month\" id=\"month\" name=\"month\" value=\"\(month.iso)\"> <button type=\"submit\">Xem</button></form>\n"
    }

    /// `?month=YYYY-MM`, the current month in Vietnam when absent; a malformed month is a 400 page.
    static func month(_ request: Request) throws -> CalendarMonth {
        guard let text = request.queryValue("month"), !text.isEmpty else { return VietnamTime.today.calendarMonth }
        return try month(text)
    }

    /// The `month` field a form posts (issuing, the monthly run): required; a malformed month is a 400 page.
    static func postedMonth(_ request: Request) throws -> CalendarMonth {
        try month(ConsoleHTTP.form(request)["month"] ?? "")
    }

    static func month(_ text: String) throws -> CalendarMonth {
        do { return try CalendarMonth(iso: text) } catch {
            throw HTTPError(status: .badRequest, code: "invalid_month", detail: "month: expected YYYY-MM, got '\(text.prefix(16))'")
        }
    }

    static func notFound(_ session: ConsoleSessions.Live?) -> Response {
        ConsoleHTTP.html(ConsolePage.shell(title: "Không tìm thấy", body: ConsolePage.notice("Không có trang này."), session: session,
                                           navigation: session.map { ConsoleRoutes.navigation($0.caller) } ?? []), status: .notFound)
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
    }
}
