@testable import API
import Core
import Foundation
import Ledger
import Testing
import TestSupport

/// A browser's side of the console over plain HTTP: cookies kept per name, forms posted url-encoded.
struct ConsoleClient {
    let client: TestHTTPClient
    var cookies: [String: String] = [:]

    init(_ server: APITestServer) { client = server.client }

    mutating func get(_ target: String) throws -> TestHTTPClient.Response {
        try keep(client.request("GET", target, headers: cookieHeader()))
    }

    mutating func post(_ target: String, _ fields: [(String, String)]) throws -> TestHTTPClient.Response {
        let body = fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return try keep(client.request("POST", target, headers: cookieHeader() + [("Content-Type", "application/x-www-form-urlencoded")],
                                       body: Array(body.utf8)))
    }

    /// The hidden `csrf` field of a page's first form.
    static func csrf(in page: TestHTTPClient.Response) -> String {
        let text = page.text
        guard let range = text.range(of: "name=\"csrf\" value=\"") else { return "" }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    mutating func signIn(_ fields: [(String, String)]) throws -> TestHTTPClient.Response {
        let form = try get("/console/sign-in")
        return try post("/console/sign-in", [("csrf", Self.csrf(in: form))] + fields)
    }

    /// The parents' form fetched afresh (each answer carries a new form token), then posted.
    mutating func lookUp(code: String, dob: String) throws -> TestHTTPClient.Response {
        let form = try get("/parents")
        return try post("/parents", [("csrf", Self.csrf(in: form)), ("code", code), ("dob", dob)])
    }

    static func setCookies(_ response: TestHTTPClient.Response) -> [String] {
        response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
    }

    private func cookieHeader() -> [(String, String)] {
        cookies.isEmpty ? [] : [("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))]
    }

    private mutating func keep(_ response: TestHTTPClient.Response) -> TestHTTPClient.Response {
        for cookie in Self.setCookies(response) {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count > 1 ? String(pair[1]) : ""
            cookies[String(pair[0])] = value.isEmpty ? nil : value
        }
        return response
    }

    private func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}

@Suite struct ConsoleTests {
    static let password = "mật khẩu thật dài 2026"

    func addUser(_ server: APITestServer, _ name: String, role: Role, school: School?) throws {
        _ = try server.pool.withConnection { connection in
            try ConsoleUsers.add(username: name, password: Self.password, role: role, schoolID: school?.id,
                                 authority: role == .authorityOffice ? server.ownSchool.authority.code : nil, on: connection)
        }
    }

    static func expectSecurityHeaders(_ response: TestHTTPClient.Response) {
        let policy = response.header("Content-Security-Policy") ?? ""
        #expect(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"))
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Referrer-Policy") == "no-referrer")
    }

    @Test func signInGivesAFreshHttpOnlyStrictSessionAndSignOutRevokesIt() throws {
        let server = try APITestServer()
        try addUser(server, "ketoan", role: .accountant, school: server.ownSchool)
        var browser = ConsoleClient(server)
        #expect(try browser.get("/console").status == 303, "no session: sent to the sign-in form")
        browser.cookies["tuition_session"] = "planted-by-an-attacker"
        let signedIn = try browser.signIn([("username", "ketoan"), ("password", Self.password)])
        #expect(signedIn.status == 303 && signedIn.header("Location") == "/console")
        let cookie = ConsoleClient.setCookies(signedIn).first { $0.hasPrefix("tuition_session=") } ?? ""
        #expect(cookie.contains("; HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"), "plain HTTP here: Secure is set under TLS only")
        let session = browser.cookies["tuition_session"] ?? ""
        #expect(!session.isEmpty && session != "planted-by-an-attacker", "a new id at sign-in: fixation impossible")

        let home = try browser.get("/console")
        #expect(home.status == 303 && home.header("Location") == "/console/schools/TH-OWN", "an accountant lands on their school")
        let dashboard = try browser.get("/console/schools/TH-OWN?month=2026-09")
        #expect(dashboard.status == 200)
        #expect(dashboard.text.contains("Phải thu") && dashboard.text.contains("<svg"), "figures and the chart")
        Self.expectSecurityHeaders(dashboard)

        let other = try browser.get("/console/schools/TH-OTHER")
        #expect(other.status == 404, "another school's page answers 404, as the API does")
        #expect(!other.text.contains(server.otherSchool.name))

        let forged = try browser.post("/console/sign-out", [])
        #expect(forged.status == 403, "a form without the session's CSRF token is refused")
        #expect(try browser.get("/console/schools/TH-OWN").status == 200, "and the session is still live")

        let csrf = ConsoleClient.csrf(in: dashboard)
        #expect(try browser.post("/console/sign-out", [("csrf", csrf)]).status == 303)
        var replay = ConsoleClient(server)
        replay.cookies["tuition_session"] = session
        #expect(try replay.get("/console/schools/TH-OWN").status == 303, "a signed-out session is revoked in the database")
    }

    @Test func anAPITokenSignsInAndAFinanceOfficeSeesTheProvince() throws {
        let server = try APITestServer()
        var finance = ConsoleClient(server)
        #expect(try finance.signIn([("token", server.tokens[.financeOffice]!)]).status == 303)
        let province = try finance.get("/console?month=2026-09")
        #expect(province.status == 200 && province.text.contains(server.ownSchool.name) && province.text.contains(server.otherSchool.name))
        #expect(try finance.get("/console/schools/TH-OTHER").status == 200)

        var bank = ConsoleClient(server)
        #expect(try bank.signIn([("token", server.tokens[.bank]!)]).status == 401, "a bank token has no console")
    }

    @Test func signInWithoutTheFormsCookieIsRefused() throws {
        let server = try APITestServer()
        try addUser(server, "ketoan", role: .accountant, school: server.ownSchool)
        var browser = ConsoleClient(server)
        let refused = try browser.post("/console/sign-in", [("csrf", "guess"), ("username", "ketoan"), ("password", Self.password)])
        #expect(refused.status == 403 && browser.cookies["tuition_session"] == nil)
    }

    @Test func wrongPasswordsAreThrottledPerAccount() throws {
        let server = try APITestServer()
        try addUser(server, "ketoan", role: .accountant, school: server.ownSchool)
        var browser = ConsoleClient(server)
        for _ in 0..<ConsoleRoutes.signInFailuresMax {
            let wrong = try browser.signIn([("username", "ketoan"), ("password", "not the password")])
            #expect(wrong.status == 401 && wrong.text.contains("không đúng"))
        }
        let blocked = try browser.signIn([("username", "ketoan"), ("password", Self.password)])
        #expect(blocked.status == 429, "even the right password waits once the account is throttled")
        #expect(browser.cookies["tuition_session"] == nil)
    }

    @Test func disablingAUserEndsTheirSessions() throws {
        let server = try APITestServer()
        try addUser(server, "ketoan", role: .accountant, school: server.ownSchool)
        var browser = ConsoleClient(server)
        _ = try browser.signIn([("username", "ketoan"), ("password", Self.password)])
        #expect(try browser.get("/console/schools/TH-OWN").status == 200)
        try server.pool.withConnection { try ConsoleUsers.disable(username: "ketoan", on: $0) }
        #expect(try browser.get("/console/schools/TH-OWN").status == 303)
        #expect(try browser.signIn([("username", "ketoan"), ("password", Self.password)]).status == 401)
    }

    @Test func aParentSeesTheInvoiceOnlyWithTheRightDateOfBirth() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.seedSeptember()
        let code = try api.invoice(of: "HS002")["payment_code"] as? String ?? ""
        let payload = try api.get("/invoices/\(code)/qr").json["dynamic_payload"] as? String ?? ""
        #expect(!code.isEmpty && !payload.isEmpty)

        var parent = ConsoleClient(server)
        let form = try parent.get("/parents")
        Self.expectSecurityHeaders(form)
        let found = try parent.post("/parents", [("csrf", ConsoleClient.csrf(in: form)), ("code", code.lowercased()), ("dob", "2019-07-15")])
        #expect(found.status == 200, "\(found.text)")
        #expect(found.text.contains("Trần Văn Bình") && found.text.contains("1.500.000") && found.text.contains("<svg"))
        #expect(!found.text.contains("HS001") && !found.text.contains("Lê Văn Anh"), "no other pupil on the page")

        let wrongDate = try parent.lookUp(code: code, dob: "16/07/2019")
        let unknownCode = try parent.lookUp(code: "HP2345678", dob: "2019-07-15")
        #expect(wrongDate.status == 404 && unknownCode.status == 404)
        #expect(Self.message(wrongDate) == Self.message(unknownCode) && Self.message(wrongDate) == ParentRoutes.failureMessage)
        #expect(!wrongDate.text.contains("Trần Văn Bình"))
    }

    @Test func anAccountantListsTheMonthsInvoicesAndPrintsAClassesNotices() throws {
        let server = try APITestServer()
        try BillingAPIClient(server, token: server.tokens[.accountant]!).seedSeptember()
        try addUser(server, "ketoan", role: .accountant, school: server.ownSchool)
        var browser = ConsoleClient(server)
        _ = try browser.signIn([("username", "ketoan"), ("password", Self.password)])
        let listed = try browser.get("/console/schools/TH-OWN/invoices?month=2026-09&class=1A1")
        #expect(listed.status == 200)
        #expect(listed.text.contains("Trần Văn Bình") && listed.text.contains("Lê Thị &lt;Bé&gt; &amp; &#39;Na&#39;"), "names escaped")
        #expect(!listed.text.contains("Lê Văn Anh"), "the filter keeps class 1A1 only")
        let printed = try browser.get("/console/schools/TH-OWN/notices?month=2026-09&class=1A1")
        #expect(printed.status == 200, "\(printed.text)")
        #expect(printed.text.components(separatedBy: "THÔNG BÁO HỌC PHÍ VÀ CÁC KHOẢN THU").count - 1 == 2, "one notice per pupil of the class")
        #expect(printed.text.components(separatedBy: "<svg").count - 1 >= 2, "each notice with its QR")
        #expect(!printed.text.contains("<style"), "no inline style: the documents' stylesheet is a file, as the CSP requires")
        Self.expectSecurityHeaders(printed)
        let suspense = try browser.get("/console/schools/TH-OWN/suspense")
        #expect(suspense.status == 200 && suspense.text.contains("Không có giao dịch nào chờ xử lý"), "an empty queue says so")
        #expect(try browser.get("/console/schools/TH-OTHER/suspense").status == 404)
        #expect(try browser.get("/console/schools/TH-OTHER/invoices").status == 404)
        #expect(try browser.get("/console/schools/TH-OTHER/notices?class=1A1").status == 404)
    }

    @Test func failedParentLookupsAreThrottledPerAddress() throws {
        let server = try APITestServer()
        var parent = ConsoleClient(server)
        for _ in 0..<ParentRoutes.failuresMax {
            #expect(try parent.lookUp(code: "HP2345678", dob: "2019-07-15").status == 404)
        }
        let blocked = try parent.lookUp(code: "HP2345678", dob: "2019-07-15")
        #expect(blocked.status == 429)
    }

    static func message(_ response: TestHTTPClient.Response) -> String {
        let text = response.text
        guard let start = text.range(of: "role=\"alert\">"), let end = text.range(of: "</p>", range: start.upperBound..<text.endIndex) else { return "" }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
