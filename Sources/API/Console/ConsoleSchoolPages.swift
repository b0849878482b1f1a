import Billing
import Core
import HTTP
import Ledger
import Postgres

/// The console's pages of one school — reading or writing its books — and who may open each: the roles of the API
/// route the page stands for (`RoleSets`, as the endpoints declare them), written once in `roles`, then the school
/// scoped as `APIBuilder.authorize` scopes it. A role the route refuses gets 403; a school outside the caller's scope
/// 404 (checked after the role, as the API does). Also what those pages share: the school's base path, the page
/// shell with the school's navigation, refusal and confirmation pages.
enum ConsoleSchoolPages {
    /// Each page's roles, by "METHOD template": `register` refuses to register a page without a row, and
    /// `AuthorizationTableTests` compares this table with its hand-written one.
    static let roles: [String: Set<Role>] = [
        // Pupils, rosters, fees, issuing, the cash desk: the billing routes' roles.
        "GET /console/schools/{school}/pupils": BillingEndpoints.readers,
        "GET /console/schools/{school}/pupils/{student}": BillingEndpoints.readers,
        "POST /console/schools/{school}/pupils/{student}/enrolments": BillingEndpoints.writers,
        "POST /console/schools/{school}/pupils/{student}/enrolments/end": BillingEndpoints.writers,
        "GET /console/schools/{school}/roster": BillingEndpoints.writers,
        "POST /console/schools/{school}/roster/preview": BillingEndpoints.writers,
        "POST /console/schools/{school}/roster/confirm": BillingEndpoints.writers,
        "GET /console/schools/{school}/fees": BillingEndpoints.readers,
        "GET /console/schools/{school}/issue": BillingEndpoints.writers,
        "POST /console/schools/{school}/issue": BillingEndpoints.writers,
        "GET /console/schools/{school}/cash": BillingEndpoints.writers,
        "POST /console/schools/{school}/cash": BillingEndpoints.writers,
        "GET /console/schools/{school}/receipts/{receipt}": BillingEndpoints.readers,
        // Bank statements, suspense decisions, the monthly run: the statements, suspense and reconciliation routes' roles.
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
        "GET /console/schools/{school}/suspense/{transaction}/reverse": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/reverse": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/suspense/{transaction}/unapply": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/unapply": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/suspense/{transaction}/refund-paid": SuspenseEndpoints.actors,
        "POST /console/schools/{school}/suspense/{transaction}/refund-paid": SuspenseEndpoints.actors,
        "GET /console/schools/{school}/reconciliation": ReconciliationEndpoints.readers,
        "POST /console/schools/{school}/reconciliation/run": ReconciliationEndpoints.runners,
        "GET /console/schools/{school}/reconciliation/close": ReconciliationEndpoints.runners,
        "POST /console/schools/{school}/reconciliation/close": ReconciliationEndpoints.runners,
        "GET /console/schools/{school}/reconciliations/{run}": ReconciliationEndpoints.readers,
    ]

    typealias Handler = @Sendable (Request, ConsoleSessions.Live, School) throws -> Response

    /// A signed-in, CSRF-checked page (`ConsoleRoutes.page`) of one school the caller's role may use and may see.
    static func register(_ builder: inout APIBuilder, _ method: HTTPMethod, _ template: String, state: ConsoleState,
                         bodyBytesMax: Int? = nil, routeClass: RouteClass = .standard, handler: @escaping Handler) {
        let allowed = allowedRoles(method, template)
        ConsoleRoutes.page(&builder, method, template, state: state, bodyBytesMax: bodyBytesMax, routeClass: routeClass) { request, session in
            guard let school = try admit(request, session: session, roles: allowed, state: state) else {
                return try refusal(request, session: session, roles: allowed)
            }
            return try handler(request, session, school)
        }
    }

    static func allowedRoles(_ method: HTTPMethod, _ template: String) -> Set<Role> {
        guard let allowed = roles["\(method.rawValue) \(template)"] else { preconditionFailure("\(template) has no row in ConsoleSchoolPages.roles") }
        return allowed
    }

    /// Whether the signed-in person may do what `template` (a POST) does: pages show its buttons only then.
    static func mayAct(_ session: ConsoleSessions.Live, _ template: String) -> Bool {
        roles["POST \(template)"]?.contains(session.caller.role) ?? false
    }

    /// The school of the path when the caller's role is allowed and the school is in scope.
    static func admit(_ request: Request, session: ConsoleSessions.Live, roles: Set<Role>, state: ConsoleState) throws -> School? {
        guard roles.contains(session.caller.role) else { return nil }
        return try state.pool.withConnection { try ConsoleDashboards.scopedSchool(request, session: session, on: $0) }
    }

    /// Why `admit` said no: the role (403) or the school (404).
    static func refusal(_ request: Request, session: ConsoleSessions.Live, roles: Set<Role>) throws -> Response {
        guard roles.contains(session.caller.role) else {
            return page("Không có quyền", ConsolePage.notice("Vai trò của bạn không được làm việc này."), session: session, school: nil,
                        status: .forbidden)
        }
        return ConsoleDashboards.notFound(session)
    }

    /// A refused action as a page: what the service said, with the status the API answers (404, 409, 422), and a way back.
    /// `words`: the refusal said in Vietnamese, shown before the service's own words when the page knows its code.
    static func refusal(_ error: any HTTPResponseError, session: ConsoleSessions.Live, school: School, back: String,
                        words: String? = nil) -> Response {
        let body = (words.map { "<p class=\"refusal\">\(HTMLText.escaped($0))</p>\n" } ?? "") + ConsolePage.notice(error.detail ?? error.title)
            + "<p><a href=\"\(HTMLText.escaped(back))\">Quay lại</a></p>\n"
        return page("Không thực hiện được", body, session: session, school: school, status: error.status)
    }

    /// `/console/schools/CODE`: the base of a school's pages.
    static func base(_ school: School) -> String {
        "/console/schools/" + ConsoleDashboards.percentEncoded(school.code)
    }

    /// A page in the shell, with the school's navigation (the province's without a school).
    static func page(_ title: String, _ body: String, session: ConsoleSessions.Live, school: School?, status: HTTPStatus = .ok) -> Response {
        ConsoleHTTP.html(ConsolePage.shell(title: title, body: body, session: session,
                                           navigation: ConsoleRoutes.navigation(session.caller, school: school)), status: status)
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

extension ConsoleSessions.Live {
    /// Who the records name for a console write: a console user as "user NAME" (users have no token, so the API's
    /// `Caller.actor` would read "token 0 (user NAME)"), a token session as the API names the token.
    var actor: Actor {
        caller.tokenID == 0 ? Actor(name: caller.label, role: caller.role) : caller.actor
    }

    /// `actor`'s name cut to what billing records hold, as the API's `BillingRequest.actor` cuts it.
    var billingActor: String {
        String(actor.name.prefix(BillingLimits.nameCharactersMax))
    }
}
