import Synchronization

/// What all event loops of one server share. Immutable apart from atomics.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let router: Router
    let metrics: HTTPMetrics
    let workers: WorkerPool
    let listener: Int32
    /// Makes each accepted socket's transport: `configuration.transport`, or TLS.
    let transport: any HTTPTransportFactory
    /// The TLS factory when TLS is on, for certificate reloads.
    let tls: TLSTransportFactory?
    let parserLimits: HTTPParserLimits
    let timeouts: ConnectionTimeouts
    let mailboxes: [LoopMailbox]
    /// Which loop owns how many connections: a new one goes to the loop owning fewest.
    let balance: LoopBalance
    let admission: ConnectionAdmission
    let rateLimiter: RequestRateLimiter
    let refusalThrottle: RefusalThrottle
    let bodyBudget: BodyBudget
    let trustedProxies: Set<String>
    /// What loop-first handlers start blocking jobs with (`WorkerJobs`), by the route's class.
    let criticalJobs: WorkerJobs
    let generalJobs: WorkerJobs
    private let loopsWatchingListener: Atomic<Int>
    private let loopsRunning: Atomic<Int>
    private let stopping = Atomic<Bool>(false)
    private let onStopped: @Sendable () -> Void

    init(
        configuration: HTTPServerConfiguration, router: Router, metrics: HTTPMetrics, workers: WorkerPool,
        listener: Int32, tls: TLSTransportFactory?, mailboxes: [LoopMailbox], bodyBudget: BodyBudget, onStopped: @escaping @Sendable () -> Void
    ) {
        self.configuration = configuration
        self.router = router
        self.metrics = metrics
        self.workers = workers
        self.listener = listener
        self.tls = tls
        transport = tls ?? configuration.transport
        self.mailboxes = mailboxes
        balance = LoopBalance(loops: mailboxes.count)
        self.onStopped = onStopped
        admission = ConnectionAdmission(limits: configuration.protection)
        rateLimiter = RequestRateLimiter(limits: configuration.protection)
        refusalThrottle = RefusalThrottle(limits: configuration.protection)
        self.bodyBudget = bodyBudget
        trustedProxies = Set(configuration.protection.trustedProxies)
        parserLimits = configuration.parserLimits
        timeouts = configuration.timeouts
        criticalJobs = WorkerJobs { [workers] job in workers.submit(critical: true, job) }
        generalJobs = WorkerJobs { [workers] job in workers.submit(critical: false, job) }
        loopsWatchingListener = Atomic(mailboxes.count)
        loopsRunning = Atomic(mailboxes.count)
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Asks every loop to drain. Idempotent.
    func beginShutdown() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for mailbox in mailboxes { mailbox.post(.beginShutdown) }
    }

    /// A loop no longer watches the listener; the last one closes it, so no loop can accept on a closed
    /// (or reused) descriptor. From then on connection attempts are refused by the kernel.
    func releaseListener() {
        if loopsWatchingListener.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            SystemCall.close(listener)
        }
    }

    /// A loop has ended; the last one stops the workers and reports the server stopped.
    func loopExited() {
        guard loopsRunning.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        let graceNanoseconds = HTTPServerConfiguration.nanoseconds(configuration.shutdownGraceSeconds)
        if !workers.stop(threads: configuration.workerThreads, timeoutNanoseconds: graceNanoseconds) {
            configuration.errorLog("shutdown: a handler was still running after the grace period; not waiting for it")
        }
        onStopped()
    }
}
