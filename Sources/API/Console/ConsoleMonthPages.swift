import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Reconciliation
import VietQR

/// A school's monthly reconciliation: the month's recorded runs and the newest report, run it, close the month when
/// every bank account agrees with its statement — or see why not. The finance office reaches it from the province
/// dashboard (school → month); an authority office reads it for its own schools and acts on none. Runs go through
/// `MonthlyReconciliation`, reports through `ReconciliationRuns`, as `…/reconciliations` routes of the API.
enum ConsoleMonthPages {
    static let monthTemplate = "/console/schools/{school}/reconciliation"

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, monthTemplate, state: state) { request, session, school in
            try monthPage(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, monthTemplate + "/run", state: state) { request, session, school in
            try run(request, session: session, school: school, state: state, close: false)
        }
        ConsoleSchoolPages.register(&builder, .get, monthTemplate + "/close", state: state) { request, session, school in
            let month = try ConsoleDashboards.month(request)
            var body = "<p>Khóa sổ tháng \(month.month)/\(month.year) của \(HTMLText.escaped(school.name)): chạy đối soát lần nữa, và nếu số dư "
            body += "mọi tài khoản ngân hàng khớp với sao kê thì khóa tháng — sau đó không bút toán nào được ghi vào tháng này nữa.</p>\n"
            body += ConsoleSchoolPages.confirmForm(action: ConsoleSchoolPages.base(school) + "/reconciliation/close",
                                               fields: [("csrf", session.csrf), ("month", month.iso)], button: "Xác nhận khóa sổ",
                                               back: monthLink(school, month))
            return ConsoleSchoolPages.page("Khóa sổ tháng \(month.month)/\(month.year)", body, session: session, school: school)
        }
        ConsoleSchoolPages.register(&builder, .post, monthTemplate + "/close", state: state) { request, session, school in
            try run(request, session: session, school: school, state: state, close: true)
        }
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/reconciliations/{run}", state: state) { request, session, school in
            try runPage(request, session: session, school: school, state: state)
        }
    }

    static func monthLink(_ school: School, _ month: CalendarMonth) -> String {
        ConsoleSchoolPages.base(school) + "/reconciliation?month=" + month.iso
    }

    static func monthPage(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let month = try ConsoleDashboards.month(request)
        let runs = try state.pool.withConnection { try ReconciliationRuns.list(schoolID: school.id, month: month, on: $0) }
        var body = request.queryValue("done") == "closed" ? ConsolePage.notice("Đã khóa sổ tháng.", kind: "info") : ""
        body += ConsoleDashboards.monthForm(month, action: ConsoleSchoolPages.base(school) + "/reconciliation")
        let closed = school.closedThrough.map { month.lastDay <= $0 } ?? false
        body += "<p>Tháng \(month.month)/\(month.year): <strong id=\"month-state\">\(closed ? "Đã khóa sổ" : runs.first?.state.vietnameseName ?? "Chưa chạy đối soát")</strong></p>\n"
        if ConsoleSchoolPages.mayAct(session, monthTemplate + "/run") {
            body += "<form class=\"card\" method=\"post\" action=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/reconciliation/run\">"
            body += ConsolePage.csrfField(session.csrf) + "<input type=\"hidden\" name=\"month\" value=\"\(month.iso)\">"
            body += "<p><button type=\"submit\" id=\"run\">Chạy đối soát</button>"
            if !closed {
                body += " <a id=\"close\" href=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/reconciliation/close?month=\(month.iso)\">Khóa sổ tháng…</a>"
            }
            body += "</p></form>\n"
        }
        body += runsTable(runs, school: school)
        if let newest = runs.first { body += try reportSection(newest) }
        return ConsoleSchoolPages.page("Đối soát tháng \(month.month)/\(month.year) – \(school.name)", body, session: session, school: school)
    }

    static func runsTable(_ runs: [ReconciliationRun], school: School) -> String {
        guard !runs.isEmpty else { return "<p>Chưa có lần đối soát nào trong tháng.</p>\n" }
        var html = "<h2>Các lần đối soát</h2>\n<div class=\"scroll\"><table id=\"runs\"><thead><tr><th>Lần</th><th>Lúc</th><th>Người chạy</th>"
        html += "<th>Trạng thái</th><th>Tự động gán</th></tr></thead><tbody>\n"
        for run in runs {
            let link = "\(ConsoleSchoolPages.base(school))/reconciliations/\(run.id)"
            html += "<tr><td><a href=\"\(HTMLText.escaped(link))\">\(run.id)</a></td><td>\(HTMLText.escaped(ReportFormat.vietnameseTimestamp(run.runAt)))</td>"
            html += "<td>\(HTMLText.escaped(run.runBy))</td><td>\(HTMLText.escaped(run.state.vietnameseName))</td><td>\(run.appliedCount)</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    /// A recorded run's report, read back and checked against its hash (`ReconciliationRuns.report`).
    static func reportSection(_ run: ReconciliationRun) throws -> String {
        let report = try ReconciliationEndpoints.translating { try ReconciliationRuns.report(of: run) }
        return "<section class=\"card report\" id=\"report\">\n\(MonthlyReportPage.body(report))</section>\n"
    }

    static func runPage(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        guard let runID = ConsoleSchoolPages.pathID(request, "run"),
              let run = try state.pool.withConnection({ try ReconciliationRuns.find(schoolID: school.id, runID: runID, on: $0) }) else {
            return ConsoleDashboards.notFound(session)
        }
        var body = "<p><a href=\"\(HTMLText.escaped(monthLink(school, run.month)))\">Tháng \(run.month.month)/\(run.month.year)</a></p>\n"
        body += try reportSection(run)
        return ConsoleSchoolPages.page("Lần đối soát \(run.id) – \(school.name)", body, session: session, school: school)
    }

    /// Runs the month (and closes it when asked and every account agrees); a refused close shows why, with the run it recorded.
    static func run(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState, close: Bool) throws -> Response {
        let month = try ConsoleDashboards.postedMonth(request)
        let runner = MonthlyReconciliation(pool: state.pool, bankName: VietQRBank.displayName)
        do {
            _ = try runner.run(schoolID: school.id, month: month, close: close, actor: session.actor)
            return ConsoleHTTP.redirect(monthLink(school, month) + (close ? "&done=closed" : ""))
        } catch .closeRefused(let runID, let differences) {
            var body = ConsolePage.notice("Chưa khóa sổ được: số dư ngân hàng và sổ sách chưa khớp.")
            body += "<ul id=\"differences\">\n" + differences.map { "<li>\(HTMLText.escaped($0))</li>\n" }.joined() + "</ul>\n"
            body += "<p>Lần đối soát \(runID) vẫn được ghi lại với báo cáo của nó. "
            body += "<a href=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/reconciliations/\(runID)\">Xem báo cáo</a> · "
            body += "<a href=\"\(HTMLText.escaped(monthLink(school, month)))\">Quay lại tháng</a></p>\n"
            return ConsoleSchoolPages.page("Không khóa sổ được tháng \(month.month)/\(month.year)", body, session: session, school: school,
                                       status: .conflict)
        } catch {
            do { _ = try ReconciliationEndpoints.translating { () throws -> Int in throw error } } catch let answer as any HTTPResponseError {
                return ConsoleSchoolPages.refusal(answer, session: session, school: school, back: monthLink(school, month))
            }
            throw error
        }
    }
}
