import Billing
import Core
import HTTP
import Ledger
import Postgres

/// Who may open each console page that reads or writes one school's books: the roles of the API route the page
/// stands for (`RoleSets`, as `BillingEndpoints.readers`/`writers` declare them), then the school scoped as
/// `APIBuilder.authorize` scopes it. A role the route refuses gets 403; a school outside the caller's scope 404.
enum ConsoleAccess {
    /// Each page's roles, by "METHOD template"; `schoolPage` refuses to register a page without a row, and
    /// `AuthorizationTableTests` compares this table with its hand-written one.
    static let roles: [String: Set<Role>] = [
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
    ]

    typealias SchoolPageHandler = @Sendable (Request, ConsoleSessions.Live, School) throws -> Response

    /// A signed-in, CSRF-checked page (`ConsoleRoutes.page`) of one school the caller's role may use and may see.
    static func schoolPage(_ builder: inout APIBuilder, _ method: HTTPMethod, _ template: String, state: ConsoleState,
                           routeClass: RouteClass = .standard, handler: @escaping SchoolPageHandler) {
        let allowed = allowedRoles(method, template)
        ConsoleRoutes.page(&builder, method, template, state: state, routeClass: routeClass) { request, session in
            guard let school = try admit(request, session: session, roles: allowed, state: state) else {
                return try refusal(request, session: session, roles: allowed)
            }
            return try handler(request, session, school)
        }
    }

    static func allowedRoles(_ method: HTTPMethod, _ template: String) -> Set<Role> {
        guard let allowed = roles["\(method.rawValue) \(template)"] else { preconditionFailure("\(template) has no row in ConsoleAccess.roles") }
        return allowed
    }

    /// The school of the path when the caller's role is allowed and the school is in scope.
    static func admit(_ request: Request, session: ConsoleSessions.Live, roles: Set<Role>, state: ConsoleState) throws -> School? {
        guard roles.contains(session.caller.role) else { return nil }
        return try state.pool.withConnection { try ConsoleDashboards.scopedSchool(request, session: session, on: $0) }
    }

    static func refusal(_ request: Request, session: ConsoleSessions.Live, roles: Set<Role>) throws -> Response {
        guard roles.contains(session.caller.role) else {
            return ConsoleHTTP.html(ConsolePage.shell(title: "Không có quyền", body: ConsolePage.notice(
                "Vai trò của bạn không được làm việc này."), session: session, navigation: ConsoleRoutes.navigation(session.caller)),
                status: .forbidden)
        }
        return ConsoleDashboards.notFound(session)
    }

    /// `/console/schools/CODE`: the base of a school's pages.
    static func base(_ school: School) -> String {
        "/console/schools/" + ConsoleDashboards.percentEncoded(school.code)
    }

    /// A school page in the shell, with the school's navigation.
    static func page(_ title: String, _ body: String, session: ConsoleSessions.Live, school: School, status: HTTPStatus = .ok) -> Response {
        ConsoleHTTP.html(ConsolePage.shell(title: title, body: body, session: session,
                                           navigation: ConsoleRoutes.navigation(session.caller, school: school)), status: status)
    }
}

extension ConsoleSessions.Live {
    /// Who billing records name for a console write: a user by name ("user lan"), a token as the API names it. Users have no
    /// token, so the API's `Caller.actor` would read "token 0 (user lan)".
    var billingActor: String {
        let name = caller.tokenID == 0 ? caller.label : caller.actor.name
        return String(name.prefix(BillingLimits.nameCharactersMax))
    }
}
