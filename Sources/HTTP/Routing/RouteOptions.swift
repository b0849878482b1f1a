/// Where a route's handler runs.
public enum RouteExecution: Sendable, Equatable {
    /// On the event-loop thread, right after parsing. Only for handlers that never block and finish in
    /// microseconds (`/health`, `/metrics`): a slow inline handler stalls every connection of its loop.
    case inline
    /// On the fixed pool of worker threads (the default): handlers may block on PostgreSQL.
    case worker
}

/// Per-route settings.
public struct RouteOptions: Sendable {
    /// Body cap for this route in bytes; nil uses `HTTPServerConfiguration.bodyBytesMaxDefault`.
    public var bodyBytesMax: Int?
    public var execution: RouteExecution
    /// Opaque to HTTP: what the API layer declares about the route (allowed roles, operation id).
    public var metadata: HTTPAttributes
    /// Only connections that presented a client certificate verified against the TLS client CA reach the
    /// handler (e.g. bank callbacks); others get 403 `client_certificate_required` before the body is read.
    /// The handler finds the certificate in `Request.clientCertificate`.
    public var requiresClientCertificate: Bool
    /// When set, requests without a well-formed `Authorization: Bearer` header get 401 (with this
    /// realm) before the body is read; the handler still checks the token itself.
    public var bearerRealm: String?
    /// Priority under load: `.critical` routes get reserved workers and are never shed, `.expensive` ones are
    /// rate limited and shed first.
    public var routeClass: RouteClass

    public init(
        bodyBytesMax: Int? = nil, execution: RouteExecution = .worker, metadata: HTTPAttributes = HTTPAttributes(),
        requiresClientCertificate: Bool = false, bearerRealm: String? = nil, routeClass: RouteClass = .standard
    ) {
        precondition(bodyBytesMax.map { $0 >= 0 } ?? true, "bodyBytesMax must not be negative")
        self.bodyBytesMax = bodyBytesMax
        self.execution = execution
        self.metadata = metadata
        self.requiresClientCertificate = requiresClientCertificate
        self.bearerRealm = bearerRealm
        self.routeClass = routeClass
    }

    /// Options for a cheap route run on the event loop.
    public static var inline: RouteOptions { RouteOptions(execution: .inline) }
}

/// A handler: synchronous, run on a worker thread (or inline on the loop for `.inline` routes).
public typealias HTTPHandler = @Sendable (Request) throws -> Response

/// A handler that answers through `completion`, exactly once, from any thread — possibly after it has
/// returned (`Router.addDeferred`). Throwing before answering answers with the error.
public typealias DeferredHTTPHandler = @Sendable (Request, ResponseCompletion) throws -> Void

/// Wraps every route's handler (authentication, auditing). The chain is composed once, when the server is created.
public protocol HTTPMiddleware: Sendable {
    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response
}

/// A registered route, for comparison with the OpenAPI document.
public struct RouteDescription: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPMethod
    public let template: String

    public var description: String { "\(method) \(template)" }
}
