import Core
import Crypto
import Ledger
import Foundation
import HTTP
import Postgres

/// The web console served by `tuition serve`: sign-in, the dashboards and the parents' page.
///
/// Pages call the same services as the JSON API and scope exactly as it does: a school page resolves the school
/// through `Schools.find` and `Caller.canSee`, and answers 404 for a school outside the caller's scope.
/// A new page registers here with `page(...)` (signed-in, scoped) and adds its link to `navigation`.
enum ConsoleRoutes {
    /// Failed sign-ins allowed per account and per address in `signInWindowMilliseconds`.
    static let signInFailuresMax = 5
    static let signInWindowMilliseconds: Int64 = 15 * 60 * 1_000
    /// Accounts and addresses a throttle remembers at once.
    static let throttledKeysMax = 100_000

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let state = ConsoleState(context: context)
        builder.addPage(.get, ConsolePage.stylesheetPath) { _ in
            var response = Response.text(ConsolePage.stylesheet, contentType: "text/css; charset=utf-8")
            response.headers.set("Cache-Control", "public, max-age=3600")
            return ConsoleHTTP.secured(response)
        }
        builder.addPage(.get, "/console/sign-in") { request in signInForm(request, state: state) }
        builder.addPage(.post, "/console/sign-in", bodyBytesMax: ConsoleHTTP.formBytesMax) { request in
            try signIn(request, state: state)
        }
        builder.addPage(.post, "/console/sign-out", bodyBytesMax: ConsoleHTTP.formBytesMax) { request in
            try signOut(request, state: state)
        }
        page(&builder, .get, "/console", state: state) { request, session in
            try ConsoleDashboards.home(request, session: session, state: state)
        }
        page(&builder, .get, "/console/schools/{school}", state: state) { request, session in
            try ConsoleDashboards.school(request, session: session, state: state)
        }
        ConsoleInvoicePages.register(&builder, state: state)
        ConsoleSuspensePage.register(&builder, state: state)
        ConsoleSuspenseActions.register(&builder, state: state)
        ConsoleSuspenseReversals.register(&builder, state: state)
        ConsoleStatementPages.register(&builder, state: state)
        ConsoleMonthPages.register(&builder, state: state)
        ParentRoutes.register(&builder, state: state)
        // The accountant's working pages (pupils and rosters, fees, issuing, the cash desk): ConsoleSchoolPages.roles.
        ConsolePupilPages.register(&builder, state: state)
        ConsoleRosterPages.register(&builder, state: state)
        ConsoleFeePages.register(&builder, state: state)
        ConsoleIssuePage.register(&builder, state: state)
        ConsoleCashDesk.register(&builder, state: state)
    }

    /// The links of the header, by role (finance offices read the province; accountants their school).
    static func navigation(_ caller: Caller, school: School? = nil) -> [ConsolePage.Link] {
        var links = [ConsolePage.Link(title: "Tổng quan", href: "/console")]
        if let school {
            let base = "/console/schools/\(ConsoleDashboards.percentEncoded(school.code))"
            links.append(ConsolePage.Link(title: "Hóa đơn", href: base + "/invoices"))
            links.append(ConsolePage.Link(title: "Chờ xử lý", href: base + "/suspense"))
            links.append(ConsolePage.Link(title: "Học sinh", href: base + "/pupils"))
            links.append(ConsolePage.Link(title: "Khoản thu", href: base + "/fees"))
            if RoleSets.bookkeepers.contains(caller.role) {
                links.append(ConsolePage.Link(title: "Phát hành", href: base + "/issue"))
                links.append(ConsolePage.Link(title: "Thu tiền mặt", href: base + "/cash"))
            }
            links.append(ConsolePage.Link(title: "Ngân hàng", href: base + "/bank"))
            links.append(ConsolePage.Link(title: "Đối soát", href: base + "/reconciliation"))
        }
        return links
    }

    typealias PageHandler = @Sendable (Request, ConsoleSessions.Live) throws -> Response

    /// A signed-in page: no session sends the browser to the sign-in form; a POST must carry the session's CSRF token.
    static func page(_ builder: inout APIBuilder, _ method: HTTPMethod, _ template: String, state: ConsoleState,
                     bodyBytesMax: Int? = nil, routeClass: RouteClass = .standard, handler: @escaping PageHandler) {
        builder.addPage(method, template, bodyBytesMax: method == .post ? bodyBytesMax ?? ConsoleHTTP.formBytesMax : nil,
                        routeClass: routeClass) { request in
            guard let session = try session(request, state: state) else { return ConsoleHTTP.redirect("/console/sign-in") }
            if method == .post, !ConsoleHTTP.tokensMatch(ConsoleHTTP.form(request)["csrf"], session.csrf) {
                return refusedForm(session)
            }
            return try handler(request, session)
        }
    }

    /// The live session of the request's cookie; nil when there is none (the page sends the browser to sign in).
    static func session(_ request: Request, state: ConsoleState) throws -> ConsoleSessions.Live? {
        guard let presented = ConsoleHTTP.cookieValue(ConsoleHTTP.sessionCookie, in: request) else { return nil }
        return try state.pool.withConnection { try ConsoleSessions.resolve(presented, on: $0) }
    }

    /// The 403 page of a form posted without the session's CSRF token (or not readable at all): nothing was done.
    static func refusedForm(_ session: ConsoleSessions.Live?, problem: String = "Biểu mẫu đã hết hạn hoặc không hợp lệ.") -> Response {
        ConsoleHTTP.html(ConsolePage.shell(title: "Yêu cầu bị từ chối", body: ConsolePage.notice(problem + " Hãy tải lại trang và thử lại."),
                                           session: session, navigation: session.map { navigation($0.caller) } ?? []), status: .forbidden)
    }

    // MARK: - Sign-in and sign-out

    static func signInForm(_ request: Request, state: ConsoleState, message: String? = nil, status: HTTPStatus = .ok) -> Response {
        var fields = "<label for=\"username\">Tên đăng nhập</label><input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\">\n"
        fields += "<label for=\"password\">Mật khẩu</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\n"
        fields += "<label for=\"token\">Hoặc mã truy cập API</label><input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\">\n"
        return ConsoleSignInForm.page(title: "Đăng nhập", action: "/console/sign-in", intro: message.map { ConsolePage.notice($0) } ?? "",
                                      fields: fields, button: "Đăng nhập", state: state, status: status)
    }

    static func signIn(_ request: Request, state: ConsoleState) throws -> Response {
        let form = ConsoleHTTP.form(request)
        guard ConsoleSignInForm.isGenuine(request, form: form) else {
            return signInForm(request, state: state, message: "Biểu mẫu đã hết hạn. Hãy đăng nhập lại.", status: .forbidden)
        }
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespaces)
        let keys = ["address:" + ConsoleHTTP.address(request)] + (username.isEmpty ? [] : ["account:" + username])
        guard !state.signInThrottle.isBlocked(keys) else {
            return signInForm(request, state: state, message: "Quá nhiều lần đăng nhập sai. Hãy thử lại sau 15 phút.",
                              status: .tooManyRequests)
        }
        let opened = try state.pool.withConnection { connection -> ConsoleSessions.Opened? in
            let principal: ConsoleSessions.Principal?
            if !token.isEmpty {
                principal = try TokenStore.authenticate(token, on: connection).flatMap { $0.role == .bank ? nil : .token($0.tokenID) }
            } else {
                principal = try ConsoleUsers.verify(username: username, password: form["password"] ?? "", on: connection).map { .user($0.userID) }
            }
            guard let principal else { return nil }
            // A fresh id at every sign-in, and the one presented (if any) ends: a planted id never becomes a session.
            if let old = ConsoleHTTP.cookieValue(ConsoleHTTP.sessionCookie, in: request) { try ConsoleSessions.revoke(old, on: connection) }
            return try ConsoleSessions.open(principal, on: connection)
        }
        guard let opened else {
            state.signInThrottle.recordFailure(keys)
            return signInForm(request, state: state, message: "Tên đăng nhập, mật khẩu hoặc mã truy cập không đúng.", status: .unauthorized)
        }
        return ConsoleHTTP.redirect("/console", cookies: [
            ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, opened.id, path: "/", secure: state.secureCookies),
            ConsoleHTTP.cookie(ConsoleHTTP.signInCookie, "", path: "/console/sign-in", secure: state.secureCookies, maxAgeSeconds: 0),
        ])
    }

    static func signOut(_ request: Request, state: ConsoleState) throws -> Response {
        guard let presented = ConsoleHTTP.cookieValue(ConsoleHTTP.sessionCookie, in: request) else {
            return ConsoleHTTP.redirect("/console/sign-in")
        }
        let refused = try state.pool.withConnection { connection -> Bool in
            guard let session = try ConsoleSessions.resolve(presented, on: connection) else { return false }
            guard ConsoleHTTP.tokensMatch(ConsoleHTTP.form(request)["csrf"], session.csrf) else { return true }
            try ConsoleSessions.revoke(presented, on: connection)
            return false
        }
        if refused { return refusedForm(nil) }
        return ConsoleHTTP.redirect("/console/sign-in", cookies: [
            ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, "", path: "/", secure: state.secureCookies, maxAgeSeconds: 0),
        ])
    }
}

/// What the console's handlers share: the pool, the cookie policy and the throttles.
final class ConsoleState: Sendable {
    let pool: PostgresPool
    let context: APIContext
    let secureCookies: Bool
    let signInThrottle = FailureWindows(failuresMax: ConsoleRoutes.signInFailuresMax, windowMilliseconds: ConsoleRoutes.signInWindowMilliseconds,
                                        keysMax: ConsoleRoutes.throttledKeysMax)
    let qrCache = RenderedQRCache()
    let parentThrottle = FailureWindows(failuresMax: ParentRoutes.failuresMax, windowMilliseconds: ParentRoutes.windowMilliseconds,
                                        keysMax: ConsoleRoutes.throttledKeysMax)

    init(context: APIContext) {
        self.pool = context.pool
        self.context = context
        self.secureCookies = context.consoleCookiesSecure
    }
}
