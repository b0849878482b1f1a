/// A route ready to serve: the handler already wrapped in the router's middleware.
public struct Route: Sendable {
    public let method: HTTPMethod
    public let template: String
    public let options: RouteOptions
    /// Index of the template in the router (a metrics label key).
    let templateIndex: Int
    let handler: RouteHandler
}

/// A route's handler: one that returns its response, or one that answers later through a `ResponseCompletion`.
enum RouteHandler: Sendable {
    case immediate(HTTPHandler)
    case deferred(DeferredHTTPHandler)
    /// Run on the event loop first, then, when it says so, on a worker (`Router.addDeferred(_:_:options:onLoop:)`).
    case loopFirst(LoopFirstHandler)

    /// Runs an immediate handler; a deferred one has no response to return.
    func callAsFunction(_ request: Request) throws -> Response {
        guard case .immediate(let handler) = self else { preconditionFailure("a deferred route answers through its completion") }
        return try handler(request)
    }
}

extension Route {
    init(method: HTTPMethod, template: String, options: RouteOptions, templateIndex: Int, handler: @escaping HTTPHandler) {
        self.init(method: method, template: template, options: options, templateIndex: templateIndex, handler: .immediate(handler))
    }
}

/// The outcome of matching a method and a decoded path.
public enum RouteMatch: Sendable {
    case found(Route, PathParameters)
    /// The path matches a template but not with this method: 405 with `Allow`.
    case methodNotAllowed(template: String, templateIndex: Int, allowed: [HTTPMethod])
    case notFound
}

/// Routes by method and path template. Build it, then hand it to `HTTPServer`, which freezes it.
///
/// A template is `/`-separated literals and `{name}` parameters; a parameter matches one non-empty decoded
/// segment. When several templates match, literals win over parameters, earliest segment first. `HEAD` is
/// served by the `GET` handler (without the body) unless registered.
public struct Router: Sendable {
    private struct Pattern: Sendable {
        let template: RouteTemplate
        var routes: [Route]
    }

    private var patterns: [Pattern] = []
    /// The patterns' indices by their number of segments, in registration order: a path is compared
    /// only with the templates of its own length (the only ones `RouteTemplate.match` can accept),
    /// not with every template of the API on every request.
    private var patternsBySegmentCount: [[Int]] = []
    private var middleware: [any HTTPMiddleware] = []
    private var isComposed = false

    public init() {}

    /// Registers `handler` for `method` on `template`. Templates are programmer input: a malformed or
    /// conflicting template, or a duplicate method and template, stops the program.
    public mutating func add(
        _ method: HTTPMethod, _ template: String, options: RouteOptions = RouteOptions(),
        handler: @escaping HTTPHandler
    ) {
        add(method, template, options: options, routeHandler: .immediate(handler))
    }

    /// Registers a handler that answers through the `ResponseCompletion` it is given, from any thread,
    /// possibly after it returned (docs/http.md, "Deferred responses"). Runs on the worker threads;
    /// middleware does not wrap it.
    public mutating func addDeferred(
        _ method: HTTPMethod, _ template: String, options: RouteOptions = RouteOptions(),
        handler: @escaping DeferredHTTPHandler
    ) {
        precondition(options.execution == .worker, "a deferred route runs on the worker threads")
        add(method, template, options: options, routeHandler: .deferred(handler))
    }

    /// A deferred route whose handler runs ON THE EVENT LOOP first, saving the wake-up of a worker thread
    /// per request: `onLoop` takes the request when it needs nothing that may block, and returns
    /// `.onWorker(rest)` otherwise (docs/http.md, "Deferred responses on the loop"). The answer comes
    /// through the completion, as for `addDeferred`, under the same reply timeout. Middleware does not wrap it.
    public mutating func addDeferred(
        _ method: HTTPMethod, _ template: String, options: RouteOptions = RouteOptions(),
        onLoop handler: @escaping LoopFirstHandler
    ) {
        precondition(options.execution == .worker, "a loop-first route continues on the worker threads")
        add(method, template, options: options, routeHandler: .loopFirst(handler))
    }

    private mutating func add(_ method: HTTPMethod, _ template: String, options: RouteOptions, routeHandler handler: RouteHandler) {
        precondition(!isComposed, "routes are added before the server is created")
        let parsed = RouteTemplate(template)
        let index = patterns.firstIndex { $0.template.shape == parsed.shape } ?? appendPattern(parsed)
        precondition(patterns[index].template == parsed,
                     "route template '\(template)' conflicts with '\(patterns[index].template.text)'")
        precondition(!patterns[index].routes.contains { $0.method == method }, "\(method) \(template) is registered twice")
        let route = Route(method: method, template: template, options: options, templateIndex: index, handler: handler)
        patterns[index].routes.append(route)
    }

    /// Adds middleware around every route (the first added is the outermost).
    public mutating func use(_ middleware: any HTTPMiddleware) {
        precondition(!isComposed, "middleware is added before the server is created")
        self.middleware.append(middleware)
    }

    /// Every registered method and template, in registration order of templates.
    public var routes: [RouteDescription] {
        patterns.flatMap { pattern in pattern.routes.map { RouteDescription(method: $0.method, template: $0.template) } }
    }

    /// Routes declared with `RouteOptions.requiresClientCertificate`.
    var routesRequiringClientCertificate: [RouteDescription] {
        patterns.flatMap { pattern in
            pattern.routes.filter(\.options.requiresClientCertificate)
                .map { RouteDescription(method: $0.method, template: $0.template) }
        }
    }

    /// Every template, indexed as in metrics.
    var templates: [String] { patterns.map(\.template.text) }

    public func match(method: HTTPMethod, segments: [String]) -> RouteMatch {
        var best: (pattern: Int, parameters: PathParameters)?
        guard segments.count < patternsBySegmentCount.count else { return .notFound }
        for index in patternsBySegmentCount[segments.count] {
            guard let parameters = patterns[index].template.match(segments) else { continue }
            if let current = best, patterns[current.pattern].template.specificity >= patterns[index].template.specificity {
                continue
            }
            best = (index, parameters)
        }
        guard let best else { return .notFound }
        let routes = patterns[best.pattern].routes
        if let route = routes.first(where: { $0.method == method })
            ?? (method == .head ? routes.first { $0.method == .get } : nil) {
            return .found(route, best.parameters)
        }
        var allowed = routes.map(\.method)
        if allowed.contains(.get) && !allowed.contains(.head) { allowed.insert(.head, at: allowed.firstIndex(of: .get)! + 1) }
        return .methodNotAllowed(template: patterns[best.pattern].template.text, templateIndex: best.pattern, allowed: allowed)
    }

    /// Wraps each handler in the middleware chain, once.
    func composed() -> Router {
        var copy = self
        copy.isComposed = true
        let chain = middleware
        for patternIndex in copy.patterns.indices {
            for routeIndex in copy.patterns[patternIndex].routes.indices {
                let route = copy.patterns[patternIndex].routes[routeIndex]
                guard case .immediate(var handler) = route.handler else {
                    precondition(chain.isEmpty, "middleware cannot wrap the deferred route \(route.template)")
                    continue
                }
                for layer in chain.reversed() {
                    let next = handler
                    handler = { request in try layer.respond(to: request, next: next) }
                }
                copy.patterns[patternIndex].routes[routeIndex] = Route(
                    method: route.method, template: route.template, options: route.options,
                    templateIndex: route.templateIndex, handler: .immediate(handler))
            }
        }
        return copy
    }

    private mutating func appendPattern(_ template: RouteTemplate) -> Int {
        patterns.append(Pattern(template: template, routes: []))
        let count = template.segments.count
        while patternsBySegmentCount.count <= count { patternsBySegmentCount.append([]) }
        patternsBySegmentCount[count].append(patterns.count - 1)
        return patterns.count - 1
    }
}
