import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// The accountant's working pages of a school (bank statements, suspense decisions, the monthly run) and the roles
/// that may open each: the same sets as the JSON API routes calling the same services (`RoleSets`), written once here,
/// enforced by `register` and checked against a hand-written table by `AuthorizationTableTests`.
enum ConsoleActions {
    static let roles: [String: Set<Role>] = [
        "GET /console/schools/{school}/bank": RoleSets.schoolReaders,
        "POST /console/schools/{school}/bank/preview": StatementEndpoints.importers,
        "POST /console/schools/{school}/bank/uploads/{upload}/import": StatementEndpoints.importers,
        "GET /console/schools/{school}/suspense/{transaction}/accept": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/accept": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/suspense/{transaction}/apply": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/apply": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/suspense/{transaction}/refund": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/refund": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/suspense/{transaction}/not-tuition": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/not-tuition": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/reconciliation": ReconciliationEndpoints.readers,
        "POST /console/schools/{school}/reconciliation/run": ReconciliationEndpoints.runners,
        "GET /console/schools/{school}/reconciliation/close": ReconciliationEndpoints.runners,
        "POST /console/schools/{school}/reconciliation/close": ReconciliationEndpoints.runners,
        "GET /console/schools/{school}/reconciliations/{run}": ReconciliationEndpoints.readers,
    ]

    typealias Handler = @Sendable (Request, ConsoleSessions.Live, School) throws -> Response

    /// A signed-in school page (CSRF-checked on POST by `ConsoleRoutes.page`): a role outside its row is 403, as the API
    /// answers; a school outside the caller's scope is 404.
    static func register(_ builder: inout APIBuilder, _ method: HTTPMethod, _ template: String, state: ConsoleState,
                         bodyBytesMax: Int? = nil, handler: @escaping Handler) {
        guard let allowed = roles["\(method.rawValue) \(template)"] else { preconditionFailure("\(template): no row in ConsoleActions.roles") }
        ConsoleRoutes.page(&builder, method, template, state: state, bodyBytesMax: bodyBytesMax) { request, session in
            guard allowed.contains(session.caller.role) else {
                return page("Không có quyền", ConsolePage.notice("Vai trò của bạn chỉ được xem, không được thực hiện thao tác này."),
                            session: session, school: nil, status: .forbidden)
            }
            guard let school = try state.pool.withConnection({ try ConsoleDashboards.scopedSchool(request, session: session, on: $0) }) else {
                return ConsoleDashboards.notFound(session)
            }
            return try handler(request, session, school)
        }
    }

    /// Whether the signed-in person may do what `template` (a POST) does: pages show its buttons only then.
    static func mayAct(_ session: ConsoleSessions.Live, _ template: String) -> Bool {
        roles["POST \(template)"]?.contains(session.caller.role) ?? false
    }

    /// Who the records name: the console user (`user NAME`), or the token a person signed in with.
    static func actor(_ session: ConsoleSessions.Live) -> Actor {
        let caller = session.caller
        return caller.tokenID == 0 ? Actor(name: caller.label, role: caller.role) : caller.actor
    }

    /// `/console/schools/CODE`, the prefix of a school's pages.
    static func base(_ school: School) -> String {
        "/console/schools/" + ConsoleDashboards.percentEncoded(school.code)
    }

    static func page(_ title: String, _ body: String, session: ConsoleSessions.Live, school: School?, status: HTTPStatus = .ok) -> Response {
        ConsoleHTTP.html(ConsolePage.shell(title: title, body: body, session: session,
                                           navigation: ConsoleRoutes.navigation(session.caller, school: school)), status: status)
    }

    /// A refused action as a page: what the service said, with the status the API answers (404, 409, 422), and a way back.
    static func refusal(_ error: any HTTPResponseError, session: ConsoleSessions.Live, school: School, back: String) -> Response {
        let body = ConsolePage.notice(error.detail ?? error.title)
            + "<p><a href=\"\(HTMLText.escaped(back))\">Quay lại</a></p>\n"
        return page("Không thực hiện được", body, session: session, school: school, status: error.status)
    }

    /// A confirmation form: one button posting the CSRF token and `fields` to `action`, and a way back.
    static func confirmForm(action: String, fields: [(String, String)], button: String, back: String, extra: String = "") -> String {
        var html = "<form class=\"card\" method=\"post\" action=\"\(HTMLText.escaped(action))\">\n"
        for (name, value) in fields {
            html += "<input type=\"hidden\" name=\"\(HTMLText.escaped(name))\" value=\"\(HTMLText.escaped(value))\">\n"
        }
        html += extra
        html += "<p><button type=\"submit\" id=\"confirm\">\(HTMLText.escaped(button))</button> "
        html += "<a href=\"\(HTMLText.escaped(back))\">Hủy</a></p>\n</form>\n"
        return html
    }

    /// A positive id from the path; nil (a 404 page) for anything else.
    static func pathID(_ request: Request, _ name: String) -> Int64? {
        request.pathParameters[name].flatMap { $0.utf8.count <= 19 ? Int64($0) : nil }.flatMap { $0 > 0 ? $0 : nil }
    }
}
