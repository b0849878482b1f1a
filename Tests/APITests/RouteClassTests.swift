import API
import Foundation
import HTTP
import Postgres
import Testing
import TestSupport

/// Which routes the flood protections treat as critical or expensive: declared at registration.
@Suite struct RouteClassTests {
    private static func routeClass(_ router: Router, _ method: HTTPMethod, _ path: String) -> RouteClass? {
        let segments = path.split(separator: "/").map(String.init)
        guard case .found(let route, _) = router.match(method: method, segments: segments) else { return nil }
        return route.options.routeClass
    }

    @Test func callbacksAreCriticalAndCostlyRoutesExpensive() throws {
        let router = try APITestServer().builder.router
        #expect(Self.routeClass(router, .post, "/v1/callbacks/tuition") == .critical)
        #expect(Self.routeClass(router, .get, "/v1/callbacks/vnpay") == .critical)
        for (method, path) in [(HTTPMethod.post, "/v1/schools/S/statements"), (.post, "/v1/schools/S/students/import"),
                               (.post, "/v1/schools/S/invoices/issue"), (.post, "/v1/schools/S/reconciliations"),
                               (.get, "/v1/schools/S/reconciliations/1/report"), (.get, "/v1/reports/province")] {
            #expect(Self.routeClass(router, method, path) == .expensive, "\(method) \(path)")
        }
        #expect(Self.routeClass(router, .get, "/v1/schools/S/invoices") == .standard)
        #expect(Self.routeClass(router, .get, "/ready") == .standard)
    }

    /// A fresh server with small rate limits, on the same database and routes, started.
    static func limitedServer(_ server: APITestServer, _ limits: (inout ProtectionConfiguration) -> Void) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.workerThreads = 2
        configuration.accessLog = nil
        configuration.errorLog = { _ in }
        limits(&configuration.protection)
        let limited = HTTPServer(configuration: configuration, router: server.builder.router, metrics: HTTPMetrics())
        try limited.start()
        return limited
    }

    @Test func anExpensiveRouteAnswers429PastItsBurstFromTheHead() throws {
        let server = try APITestServer()
        let limited = try Self.limitedServer(server) {
            $0.expensiveRequestsBurst = 2
            $0.expensiveRequestsPerMinutePerToken = 1
        }
        defer { limited.shutdown(); limited.waitUntilStopped() }
        let client = TestHTTPClient(port: limited.boundPort)
        let token = server.tokens[.financeOffice]!
        var statuses: [Int] = []
        for _ in 0..<3 {
            statuses.append(try client.get("/v1/reports/province?month=2026-09", token: token).status)
        }
        #expect(statuses[0] != 429 && statuses[1] != 429)
        #expect(statuses[2] == 429)
        let third = try client.get("/v1/reports/province?month=2026-09", token: token)
        #expect(third.header("Retry-After") == "60" && third.json["code"] as? String == "rate_limited")
    }

    /// The address's bucket is for requests no verified token vouches for: a client's authenticated requests (whatever
    /// their role or school decide) leave it full, so its wrong token is answered 401 as the document says; a run of
    /// wrong tokens from one address is still stopped from the head, 429 before any body is read.
    @Test func anInvalidTokenIs401AfterTheAddressesAuthenticatedRequestsAnd429OnlyPastItsOwnBurst() throws {
        let server = try APITestServer()
        let limited = try Self.limitedServer(server) {
            $0.expensiveRequestsBurst = 3
            $0.expensiveRequestsPerMinutePerToken = 1
            $0.expensiveRequestsPerMinutePerAddress = 1
        }
        defer { limited.shutdown(); limited.waitUntilStopped() }
        let client = TestHTTPClient(port: limited.boundPort)
        let token = server.tokens[.financeOffice]!
        // Three to the token's burst, one of them refused 404 for a school out of its scope: the token's bucket is spent.
        var statuses = try (0..<2).map { _ in try client.get("/v1/reports/province?month=2026-09", token: token).status }
        statuses.append(try client.request("POST", "/v1/schools/NOWHERE/students/import", headers: [("Authorization", "Bearer \(token)")],
                                           body: []).status)
        statuses.append(try client.get("/v1/reports/province?month=2026-09", token: token).status)
        #expect(statuses[0] != 429 && statuses[1] != 429 && [403, 404].contains(statuses[2]) && statuses[3] == 429, "\(statuses)")
        // The address's bucket is untouched by them: a wrong token is answered by authentication.
        let wrong = try (0..<4).map { _ in try client.get("/v1/reports/province?month=2026-09", token: "tuition_wrong").status }
        #expect(wrong == [401, 401, 401, 429], "the address's own burst of unverified requests, then 429: \(wrong)")
    }
}
