import Dispatch
import Glibc
import Synchronization

/// An HTTP/1.1 server: event-loop threads for I/O and parsing, a fixed pool of worker threads for handlers.
///
///     var router = Router()
///     router.add(.get, "/health", options: .inline) { _ in .text("ok") }
///     let server = HTTPServer(configuration: configuration, router: router)
///     try server.installSignalHandlers()
///     try server.run()   // returns after SIGTERM/SIGINT or shutdown(), once requests in flight are answered
public final class HTTPServer: Sendable {
    private enum Lifecycle: Sendable {
        case idle
        case running(ServerCore)
        case stopped
    }

    public let configuration: HTTPServerConfiguration
    public let metrics: HTTPMetrics
    /// The routes served, with middleware applied.
    public let router: Router
    private let workers: WorkerPool
    private let bodyBudget: BodyBudget
    private let lifecycle = Mutex(Lifecycle.idle)
    private let finished = DispatchGroup()
    private let port = Atomic<Int>(-1)

    /// `router` is frozen here: its middleware is composed around every handler once.
    public init(configuration: HTTPServerConfiguration, router: Router, metrics: HTTPMetrics = HTTPMetrics()) {
        configuration.validate()
        self.configuration = configuration
        self.router = router.composed()
        self.metrics = metrics
        let workers = WorkerPool(queueMax: configuration.workerQueueMax, criticalQueueMax: configuration.protection.criticalQueueMax)
        self.workers = workers
        let bodyBudget = BodyBudget(bytesMax: configuration.protection.bodyBufferBytesMax)
        self.bodyBudget = bodyBudget
        metrics.attach(templates: self.router.templates)
        metrics.registerGauge(name: "http_worker_queue_depth", help: "Requests waiting for a worker thread.") {
            Double(workers.queueDepth)
        }
        metrics.registerGauge(name: "http_workers_busy", help: "Worker threads running a handler.") {
            Double(workers.busyWorkers)
        }
        metrics.registerGauge(name: "http_worker_threads", help: "Worker threads.") {
            Double(configuration.workerThreads)
        }
        Self.registerProtectionGauges(metrics, configuration: configuration, workers: workers, bodyBudget: bodyBudget)
    }

    /// The flood-protection limits in force and their current use, so an operator sees both in `/metrics`.
    private static func registerProtectionGauges(
        _ metrics: HTTPMetrics, configuration: HTTPServerConfiguration, workers: WorkerPool, bodyBudget: BodyBudget
    ) {
        let limits = configuration.protection
        let fixed: [(String, String, Double)] = [
            ("http_limit_connections_max", "Open connections allowed (then eviction, then 503).", Double(configuration.connectionsMax)),
            ("http_limit_connections_per_address_max", "Open connections allowed per client address.", Double(limits.connectionsPerAddressMax)),
            ("http_limit_new_connections_per_address_per_second", "New connections per address per second, sustained.",
             limits.newConnectionsPerAddressPerSecond),
            ("http_limit_new_connections_per_address_burst", "New connections per address in a burst.", Double(limits.newConnectionsPerAddressBurst)),
            ("http_limit_expensive_requests_per_minute_per_token", "Expensive-route requests per token per minute.",
             Double(limits.expensiveRequestsPerMinutePerToken)),
            ("http_limit_expensive_requests_per_minute_per_address", "Expensive-route requests per address per minute.",
             Double(limits.expensiveRequestsPerMinutePerAddress)),
            ("http_limit_expensive_requests_burst", "Expensive-route requests per token or address in a burst.", Double(limits.expensiveRequestsBurst)),
            ("http_limit_shed_expensive_queue_depth", "General queue depth from which expensive requests are shed.",
             Double(limits.shedExpensiveQueueDepth)),
            ("http_limit_shed_standard_queue_depth", "General queue depth from which standard requests are shed.",
             Double(limits.shedStandardQueueDepth)),
            ("http_limit_body_buffer_bytes", "Request-body bytes all connections may buffer together.", Double(limits.bodyBufferBytesMax)),
            ("http_limit_refusals_per_address_per_second", "Refusals (401, 403, 404, 405, 429) per address per second before holding.",
             limits.refusalsPerAddressPerSecond),
            ("http_limit_refusals_per_address_burst", "Refusals per address in a burst before holding.", Double(limits.refusalsPerAddressBurst)),
            ("http_limit_refusal_hold_seconds", "How long a connection past its refusal budget waits before its next request is read.",
             Double(limits.refusalHoldMilliseconds) / 1_000),
            ("http_critical_workers_reserved", "Worker threads that run only critical routes (callbacks).",
             Double(limits.reservedWorkers(workerThreads: configuration.workerThreads))),
        ]
        for (name, help, value) in fixed {
            metrics.registerGauge(name: name, help: help) { value }
        }
        metrics.registerGauge(name: "http_critical_queue_depth", help: "Critical requests waiting for a worker thread.") {
            Double(workers.criticalQueueDepth)
        }
        metrics.registerGauge(name: "http_body_buffer_bytes_reserved", help: "Request-body bytes reserved by requests in progress.") {
            Double(bodyBudget.bytesReserved)
        }
    }

    /// Binds, listens and starts the threads. Afterwards `boundPort` is known.
    public func start() throws {
        try lifecycle.withLock { lifecycle in
            guard case .idle = lifecycle else { preconditionFailure("start() called twice or after shutdown()") }
            // Writes to a closed log pipe must fail with EPIPE rather than kill the process.
            signal(SIGPIPE, SIG_IGN)
            let core = try launch()
            lifecycle = .running(core)
        }
    }

    private func launch() throws -> ServerCore {
        let tls = try configuration.tls.map { configuration throws(TLSConfigurationError) in
            try TLSTransportFactory(configuration: configuration)
        }
        warnAboutUnverifiableRoutes()
        let (listener, port) = try Socket.listen(
            host: configuration.host, port: configuration.port, backlog: configuration.listenBacklog)
        var epolls: [Int32] = []
        var mailboxes: [LoopMailbox] = []
        do {
            for _ in 0..<configuration.eventLoopThreads {
                epolls.append(try Epoll.create())
                mailboxes.append(try LoopMailbox())
            }
            try workers.start(threads: configuration.workerThreads,
                              reserved: configuration.protection.reservedWorkers(workerThreads: configuration.workerThreads))
        } catch {
            epolls.forEach(SystemCall.close)
            SystemCall.close(listener)
            throw error
        }
        finished.enter()
        self.port.store(port, ordering: .releasing)
        let core = ServerCore(
            configuration: configuration, router: router, metrics: metrics, workers: workers, listener: listener,
            tls: tls, mailboxes: mailboxes, bodyBudget: bodyBudget, onStopped: { [weak self] in self?.didStop() })
        for (index, descriptor) in epolls.enumerated() {
            // A loop thread that cannot start leaves the server unable to stop cleanly: treat it as fatal.
            do {
                try OSThread.spawn(name: "http-loop-\(index)") {
                    EventLoop(index: index, core: core, epollDescriptor: descriptor).run()
                }
            } catch {
                preconditionFailure("could not start event loop \(index): \(error)")
            }
        }
        return core
    }

    /// Routes that require a client certificate answer 403 to everyone when no client CA is configured.
    private func warnAboutUnverifiableRoutes() {
        guard configuration.tls?.clientCAFile == nil else { return }
        let routes = router.routesRequiringClientCertificate
        guard !routes.isEmpty else { return }
        configuration.errorLog(
            "no TLS client CA is configured, so these routes will refuse every request with 403: "
                + routes.map(\.description).joined(separator: ", "))
    }

    /// Called once by the last event loop: releases the loops' shared state and wakes `waitUntilStopped()`.
    private func didStop() {
        lifecycle.withLock { $0 = .stopped }
        finished.leave()
    }

    /// The port listened on (the ephemeral one when configured with 0); stays readable after shutdown.
    public var boundPort: Int {
        let port = port.load(ordering: .acquiring)
        precondition(port >= 0, "boundPort before start()")
        return port
    }

    /// Connections each event loop owns (`LoopBalance`); empty before `start()` and after shutdown.
    var loopConnectionCounts: [Int] {
        lifecycle.withLock { if case .running(let core) = $0 { core.balance.snapshot } else { [] } }
    }

    /// Whether the server has started and not finished shutting down.
    public var isRunning: Bool {
        lifecycle.withLock { if case .running(let core) = $0 { !core.isStopping } else { false } }
    }

    /// Starts if needed and blocks until the server has shut down.
    public func run() throws {
        let mustStart = lifecycle.withLock { if case .idle = $0 { true } else { false } }
        if mustStart { try start() }
        waitUntilStopped()
    }

    /// Blocks until shutdown has completed (returns at once if the server never started).
    public func waitUntilStopped() {
        finished.wait()
    }

    /// Stops accepting, closes idle connections, answers requests in flight (with `Connection: close`),
    /// then lets `run()` return. Returns immediately; idempotent.
    public func shutdown() {
        let core: ServerCore? = lifecycle.withLock { lifecycle in
            switch lifecycle {
            case .idle:
                lifecycle = .stopped
                return nil
            case .running(let core):
                return core
            case .stopped:
                return nil
            }
        }
        core?.beginShutdown()
    }

    /// Loads the TLS certificate chain, key and client CA files again. New connections use them; open
    /// connections keep the ones they were accepted with. If a file is missing or invalid, the current
    /// certificates stay, the error is logged to `errorLog` and thrown. Does nothing without TLS or while
    /// the server is not running.
    public func reloadCertificates() throws(TLSConfigurationError) {
        let tls: TLSTransportFactory? = lifecycle.withLock { if case .running(let core) = $0 { core.tls } else { nil } }
        guard let tls else { return }
        do {
            try tls.reload()
        } catch {
            configuration.errorLog("TLS certificate reload failed, keeping the current certificates: \(error)")
            throw error
        }
    }

    /// Whether the server runs with TLS and can reload certificates.
    var reloadsCertificates: Bool {
        lifecycle.withLock { if case .running(let core) = $0 { core.tls != nil && !core.isStopping } else { false } }
    }

    /// Shuts this server down gracefully on SIGTERM or SIGINT and reloads its TLS certificates on SIGHUP
    /// (through a self-pipe; the signal handler only writes one byte). Once no registered server is running
    /// (for SIGHUP: none running with TLS), the signal's default action applies again.
    public func installSignalHandlers() throws {
        try SignalRelay.shared.register(self)
    }
}
