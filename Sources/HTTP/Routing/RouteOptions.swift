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

/// What a loop-first handler (`Router.addDeferred(_:_:options:onLoop:)`) decided on the event loop.
public enum LoopStep: Sendable {
    /// Taken: the handler answered through the completion, or something it handed the completion to will
    /// (from any thread). The loop goes on with its other connections.
    case taken
    /// The rest may block (a database read or write): the server runs it on a worker thread with the same
    /// completion, as a deferred handler runs; a throw there answers with the error.
    case onWorker(@Sendable (ResponseCompletion) throws -> Void)
}

/// A handler run ON THE EVENT LOOP, right after the request is read: it must never block and must bound
/// its own time (a large body or any work that may wait goes to a worker through `.onWorker`). `workers`
/// starts blocking jobs the handler's answer depends on (a commit lane's leader). Throwing answers with
/// the error.
public typealias LoopFirstHandler = @Sendable (Request, ResponseCompletion, WorkerJobs) throws -> LoopStep

/// Starts jobs that may block on the server's worker threads, from a thread that must not (an event
/// loop): what a loop-first handler's answer may wait for, e.g. the leader of a commit lane.
public struct WorkerJobs: Sendable {
    let start: @Sendable (@escaping @Sendable () -> Void) -> Bool

    /// `start`: queues a job on worker threads; false when it cannot be queued (queue full, server stopping).
    public init(start: @escaping @Sendable (@escaping @Sendable () -> Void) -> Bool) {
        self.start = start
    }

    /// Queues `job` on a worker thread; false when the queue is full or the server is stopping (the job
    /// will not run: the caller answers for it).
    public func run(_ job: @escaping @Sendable () -> Void) -> Bool {
        start(job)
    }
}

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
