import Testing
@testable import HTTP

@Suite("Router")
struct RouterTests {
    private static func handler(_ name: String) -> HTTPHandler {
        { _ in .text(name) }
    }

    private func respond(_ router: Router, _ method: HTTPMethod, _ segments: [String]) throws -> String? {
        guard case .found(let route, _) = router.match(method: method, segments: segments) else { return nil }
        let request = Request(method: method, target: "/", path: "/", routeTemplate: route.template, requestId: "r", peer: "p")
        return String(decoding: try route.handler(request).body, as: UTF8.self)
    }

    @Test("path parameters are captured by name")
    func parameters() throws {
        var router = Router()
        router.add(.get, "/v1/schools/{school}/invoices/{id}", handler: Self.handler("invoice"))
        guard case .found(let route, let parameters) = router.match(method: .get, segments: ["v1", "schools", "s 1", "invoices", "42"]) else {
            Issue.record("no match")
            return
        }
        #expect(route.template == "/v1/schools/{school}/invoices/{id}")
        #expect(parameters["school"] == "s 1")
        #expect(parameters["id"] == "42")
        #expect(parameters.items.map(\.name) == ["school", "id"])
    }

    @Test("literals win over parameters, earliest segment first, whatever the registration order")
    func precedence() throws {
        var router = Router()
        router.add(.get, "/invoices/{id}", handler: Self.handler("by id"))
        router.add(.get, "/invoices/export", handler: Self.handler("export"))
        router.add(.get, "/{kind}/summary", handler: Self.handler("kind summary"))
        router.add(.get, "/reports/{name}", handler: Self.handler("report"))
        #expect(try respond(router, .get, ["invoices", "export"]) == "export")
        #expect(try respond(router, .get, ["invoices", "7"]) == "by id")
        #expect(try respond(router, .get, ["reports", "summary"]) == "report")
        #expect(try respond(router, .get, ["fees", "summary"]) == "kind summary")
    }

    @Test("a parameter does not match an empty segment; trailing slashes do not match")
    func emptySegments() throws {
        var router = Router()
        router.add(.get, "/invoices/{id}", handler: Self.handler("by id"))
        router.add(.get, "/health", handler: Self.handler("ok"))
        #expect(try respond(router, .get, ["invoices", ""]) == nil)
        #expect(try respond(router, .get, ["health", ""]) == nil)
        #expect(try respond(router, .get, []) == nil)
    }

    @Test("templates of every length, added in any order, each answer only paths of their own length")
    func lengths() throws {
        var router = Router()
        router.add(.get, "/a/{x}/c", handler: Self.handler("three"))
        router.add(.get, "/", handler: Self.handler("root"))
        router.add(.get, "/a", handler: Self.handler("one"))
        router.add(.get, "/a/{x}/c/{y}/e/{z}/g", handler: Self.handler("seven"))
        router.add(.get, "/{x}/b", handler: Self.handler("two"))
        router.add(.get, "/a/b", handler: Self.handler("two literal"))
        #expect(try respond(router, .get, []) == "root")
        #expect(try respond(router, .get, ["a"]) == "one")
        #expect(try respond(router, .get, ["a", "b"]) == "two literal")
        #expect(try respond(router, .get, ["z", "b"]) == "two")
        #expect(try respond(router, .get, ["a", "b", "c"]) == "three")
        #expect(try respond(router, .get, ["a", "1", "c", "2", "e", "3", "g"]) == "seven")
        #expect(try respond(router, .get, ["a", "1", "c", "2"]) == nil)
        #expect(try respond(router, .get, ["a", "1", "c", "2", "e", "3", "g", "h"]) == nil)
        #expect(try respond(router, .get, Array(repeating: "a", count: 40)) == nil)
    }

    @Test("a path with other methods is 405 with Allow, HEAD included with GET")
    func methodNotAllowed() {
        var router = Router()
        router.add(.get, "/invoices", handler: Self.handler("list"))
        router.add(.post, "/invoices", handler: Self.handler("create"))
        guard case .methodNotAllowed(let template, _, let allowed) = router.match(method: .delete, segments: ["invoices"]) else {
            Issue.record("expected 405")
            return
        }
        #expect(template == "/invoices")
        #expect(allowed == [.get, .head, .post])
        guard case .notFound = router.match(method: .get, segments: ["payments"]) else {
            Issue.record("expected 404")
            return
        }
    }

    @Test("HEAD is served by GET unless registered")
    func headFallsBackToGet() throws {
        var router = Router()
        router.add(.get, "/a", handler: Self.handler("get a"))
        router.add(.get, "/b", handler: Self.handler("get b"))
        router.add(.head, "/b", handler: Self.handler("head b"))
        #expect(try respond(router, .head, ["a"]) == "get a")
        #expect(try respond(router, .head, ["b"]) == "head b")
    }

    @Test("routes lists every method and template for comparison with OpenAPI")
    func listing() {
        var router = Router()
        router.add(.get, "/v1/invoices", handler: Self.handler(""))
        router.add(.post, "/v1/invoices", handler: Self.handler(""))
        router.add(.get, "/v1/invoices/{id}", handler: Self.handler(""))
        #expect(router.routes.map(\.description) == ["GET /v1/invoices", "POST /v1/invoices", "GET /v1/invoices/{id}"])
    }

    @Test("options and metadata travel with the route")
    func options() {
        enum Roles: HTTPAttributeKey { typealias Value = [String] }
        var metadata = HTTPAttributes()
        metadata[Roles.self] = ["accountant"]
        var router = Router()
        router.add(.post, "/statements", options: RouteOptions(bodyBytesMax: 20 << 20, execution: .worker, metadata: metadata),
                   handler: Self.handler(""))
        guard case .found(let route, _) = router.match(method: .post, segments: ["statements"]) else {
            Issue.record("no match")
            return
        }
        #expect(route.options.bodyBytesMax == 20 << 20)
        #expect(route.options.execution == .worker)
        #expect(route.options.metadata[Roles.self] == ["accountant"])
    }

    @Test("middleware wraps every handler, first added outermost")
    func middleware() throws {
        struct Tag: HTTPMiddleware {
            let name: String
            func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
                var response = try next(request)
                response.body = Array("\(name)(".utf8) + response.body + Array(")".utf8)
                return response
            }
        }
        var router = Router()
        router.add(.get, "/a", handler: Self.handler("a"))
        router.use(Tag(name: "outer"))
        router.use(Tag(name: "inner"))
        let composed = router.composed()
        #expect(try respond(composed, .get, ["a"]) == "outer(inner(a))")
        #expect(try respond(router, .get, ["a"]) == "a")
    }

    @Test("a middleware can attach a typed caller for the handler")
    func typedAttributes() throws {
        struct Caller: Sendable, Equatable { let id: String }
        enum CallerKey: HTTPAttributeKey { typealias Value = Caller }
        struct Authenticate: HTTPMiddleware {
            func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
                guard request.headers["Authorization"] == "Bearer good" else {
                    throw HTTPError(status: .unauthorized, code: "unauthenticated")
                }
                var request = request
                request.attributes[CallerKey.self] = Caller(id: "u1")
                return try next(request)
            }
        }
        var router = Router()
        router.add(.get, "/me") { request in .text(request.attributes[CallerKey.self]?.id ?? "nobody") }
        router.use(Authenticate())
        let composed = router.composed()
        guard case .found(let route, _) = composed.match(method: .get, segments: ["me"]) else { return }
        let good = Request(method: .get, target: "/me", path: "/me", headers: ["Authorization": "Bearer good"],
                           routeTemplate: "/me", requestId: "r", peer: "p")
        #expect(String(decoding: try route.handler(good).body, as: UTF8.self) == "u1")
        let bad = Request(method: .get, target: "/me", path: "/me", routeTemplate: "/me", requestId: "r", peer: "p")
        #expect(throws: HTTPError(status: .unauthorized, code: "unauthenticated")) { try route.handler(bad) }
    }
}

@Suite("Route templates")
struct RouteTemplateTests {
    @Test("conflicting shapes and malformed templates stop the program")
    func invalidTemplates() async {
        await #expect(processExitsWith: .failure) {
            var router = Router()
            router.add(.get, "/a/{x}") { _ in .text("") }
            router.add(.post, "/a/{y}") { _ in .text("") }
        }
        await #expect(processExitsWith: .failure) {
            var router = Router()
            router.add(.get, "/a/{x}/{x}") { _ in .text("") }
        }
        await #expect(processExitsWith: .failure) {
            var router = Router()
            router.add(.get, "/a//b") { _ in .text("") }
        }
        await #expect(processExitsWith: .failure) {
            var router = Router()
            router.add(.get, "/a") { _ in .text("") }
            router.add(.get, "/a") { _ in .text("") }
        }
    }

    @Test("the same shape with the same names is one template")
    func sameShape() {
        var router = Router()
        router.add(.get, "/a/{x}") { _ in .text("") }
        router.add(.put, "/a/{x}") { _ in .text("") }
        #expect(router.templates == ["/a/{x}"])
    }
}
