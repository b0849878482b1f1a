/// Everything the server bounds, with defaults. Times are seconds (fractions allowed, for tests).
public struct HTTPServerConfiguration: Sendable {
    /// Numeric IPv4 or IPv6 address to listen on.
    public var host: String = "127.0.0.1"
    /// 0 picks an ephemeral port; read it from `HTTPServer.boundPort` after `start()`.
    public var port: Int = 8080
    public var listenBacklog: Int = 511

    /// Threads running epoll: accept, read, parse, inline handlers, write.
    public var eventLoopThreads: Int = 2
    /// Threads running `.worker` handlers; size the database pool to this.
    public var workerThreads: Int = 8
    /// Requests waiting for a worker; when full, new requests get 503 `server_busy`.
    public var workerQueueMax: Int = 256

    /// Open connections across all loops; one more is answered 503 and closed.
    public var connectionsMax: Int = 1_024
    /// Requests served on one connection before it is closed (`Connection: close` on the last).
    public var requestsPerConnectionMax: Int = 10_000
    /// Connections accepted per wake-up of one loop, so a connection storm cannot starve open connections.
    public var acceptsPerWakeMax: Int = 64
    /// Events handled per `epoll_wait`.
    public var eventsPerWaitMax: Int = 256

    public var requestLineBytesMax: Int = 8 * 1024
    public var headerSectionBytesMax: Int = 16 * 1024
    public var headerFieldsMax: Int = 100
    /// Body cap for routes that do not set `RouteOptions.bodyBytesMax` (and for unmatched requests).
    public var bodyBytesMaxDefault: Int = 64 * 1024
    public var chunkExtensionBytesMax: Int = 256
    public var trailerSectionBytesMax: Int = 4 * 1024

    /// Absolute deadline for a complete request head: from accept for the first request, from its first byte
    /// for later ones (never later than the idle deadline). Bytes arriving do not extend it. 408, then close.
    public var headTimeoutSeconds: Double = 10
    /// Absolute deadline for the body, from the end of the head. 408, then close.
    public var bodyTimeoutSeconds: Double = 60
    /// How long a deferred handler (`Router.addDeferred`) may take to answer before the loop answers 503
    /// and closes the connection. Its answers come after a database commit bounded by the pool's
    /// `statement_timeout` and `lock_timeout`, well under this.
    public var replyTimeoutSeconds: Double = 30
    /// A kept-alive connection with no byte of a next request is closed after this long.
    public var idleTimeoutSeconds: Double = 30
    /// Absolute deadline for writing one response; a client that does not read is disconnected.
    public var writeTimeoutSeconds: Double = 30
    /// After a closing response, unread input is drained this long so the response is not lost to a reset.
    public var lingerTimeoutSeconds: Double = 2
    /// Bytes drained while lingering before giving up.
    public var lingerBytesMax: Int = 1 << 20
    /// On shutdown, how long requests in flight may take before connections are dropped.
    public var shutdownGraceSeconds: Double = 25

    /// Per-address limits, eviction, callbacks-first workers, shedding, rate limits and the body budget.
    public var protection = ProtectionConfiguration()

    /// Receives one entry per request; nil disables the access log.
    public var accessLog: AccessLogSink? = .standardOutput
    /// Receives server-side error messages (handler failures, accept errors). Never sent to clients.
    public var errorLog: @Sendable (String) -> Void = ServerLog.standardError
    /// TLS on the listening port; nil serves plain HTTP. The certificate files are loaded by `start()`.
    public var tls: TLSConfiguration?
    /// Creates the byte stream for each accepted socket when `tls` is nil (plain TCP by default).
    public var transport: any HTTPTransportFactory = PlainTCPTransportFactory()

    public init() {}

    var parserLimits: HTTPParserLimits {
        var limits = HTTPParserLimits()
        limits.requestLineBytesMax = requestLineBytesMax
        limits.headerSectionBytesMax = headerSectionBytesMax
        limits.headerFieldsMax = headerFieldsMax
        limits.chunkExtensionBytesMax = chunkExtensionBytesMax
        limits.trailerSectionBytesMax = trailerSectionBytesMax
        return limits
    }

    var timeouts: ConnectionTimeouts {
        ConnectionTimeouts(
            head: Self.nanoseconds(headTimeoutSeconds), body: Self.nanoseconds(bodyTimeoutSeconds),
            idle: Self.nanoseconds(idleTimeoutSeconds), write: Self.nanoseconds(writeTimeoutSeconds),
            linger: Self.nanoseconds(lingerTimeoutSeconds),
            handshake: Self.nanoseconds(tls?.handshakeTimeoutSeconds ?? headTimeoutSeconds),
            reply: Self.nanoseconds(replyTimeoutSeconds))
    }

    func validate() {
        precondition(eventLoopThreads >= 1 && workerThreads >= 1 && workerQueueMax >= 1, "thread counts must be positive")
        precondition(connectionsMax >= 1 && requestsPerConnectionMax >= 1 && acceptsPerWakeMax >= 1)
        precondition(eventsPerWaitMax >= 1 && listenBacklog >= 1)
        precondition(requestLineBytesMax >= 64 && headerSectionBytesMax >= 64 && headerFieldsMax >= 1)
        precondition(bodyBytesMaxDefault >= 0 && lingerBytesMax >= 0)
        for seconds in [headTimeoutSeconds, bodyTimeoutSeconds, idleTimeoutSeconds, writeTimeoutSeconds,
                        lingerTimeoutSeconds, shutdownGraceSeconds, replyTimeoutSeconds] {
            precondition(seconds > 0 && seconds <= 86_400, "timeouts are between 0 and a day")
        }
        precondition(tls == nil || transport is PlainTCPTransportFactory, "set either tls or a custom transport, not both")
        tls?.validate()
        protection.validate(workerThreads: workerThreads)
    }

    static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(seconds * 1_000_000_000)
    }
}
