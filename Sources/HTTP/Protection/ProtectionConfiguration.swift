/// Limits that keep the server available to honest clients while one address (or a crowd) floods it.
/// Every field has a default; `docs/http.md` and `docs/threat_model.md` say what each one defends.
public struct ProtectionConfiguration: Sendable, Equatable {
    /// Open connections one client address may hold at once. Past it, new connections from that address are
    /// refused (429 `too_many_connections_from_address`) without evicting anyone.
    /// 128 of the default 1,024: one address can hold an eighth of the cap, and a bank posting callbacks on many
    /// connections at once while the server is slow still fits.
    public var connectionsPerAddressMax: Int = 128
    /// New connections one address may open per second, sustained (token bucket refill). Generous: a bank may
    /// post each callback on a new connection from one address at peak; the cap on open connections is what
    /// stops a slow-connection flood, this only bounds the churn of accept and close.
    public var newConnectionsPerAddressPerSecond: Double = 250
    /// New connections one address may open in a burst (token bucket size).
    public var newConnectionsPerAddressBurst: Int = 500
    /// Addresses whose connections carry other clients' requests (a reverse proxy): exempt from the per-address
    /// connection limits, and only for them is `X-Forwarded-For` / `Forwarded` read to find the client.
    /// Exact addresses as the server sees them (`127.0.0.1`, `::1`, `10.0.0.5`).
    public var trustedProxies: [String] = []
    /// Addresses the limiters remember at once; a crowd of addresses past it is not rate limited per address
    /// (the connection cap and eviction still hold), so the tables cannot grow without bound.
    public var addressesTrackedMax: Int = 65_536

    /// Requests to `.expensive` routes per bearer token per minute, sustained; 429 with `Retry-After` past it.
    public var expensiveRequestsPerMinutePerToken: Int = 60
    /// Requests to `.expensive` routes per client address per minute, sustained.
    public var expensiveRequestsPerMinutePerAddress: Int = 120
    /// Requests to `.expensive` routes one token or address may make in a burst.
    public var expensiveRequestsBurst: Int = 20

    /// Refusals (401, 403, 404, 405, 429) one address may draw per second, sustained. Past its budget the
    /// connection that drew one is held (not read) for `refusalHoldMilliseconds`, so a flood of unauthenticated
    /// or wrong requests cannot take the CPU that callbacks need. An honest client draws a handful.
    public var refusalsPerAddressPerSecond: Double = 50
    /// Refusals one address may draw in a burst before its connections are held.
    public var refusalsPerAddressBurst: Int = 200
    /// How long a connection past its address's refusal budget waits before its next request is read.
    public var refusalHoldMilliseconds: Int = 1_000

    /// Worker threads that run only `.critical` routes (bank callbacks and collection), so other routes can
    /// never take all the workers. At most `workerThreads - 1` are reserved.
    public var criticalWorkersReserved: Int = 2
    /// Requests waiting for a worker on the critical queue (separate from `workerQueueMax`).
    public var criticalQueueMax: Int = 256
    /// From this many requests waiting on the general queue, `.expensive` requests are shed (503).
    public var shedExpensiveQueueDepth: Int = 8
    /// From this many requests waiting on the general queue, `.standard` requests are shed too.
    public var shedStandardQueueDepth: Int = 64
    /// `Retry-After` of a shed request, in seconds.
    public var shedRetryAfterSeconds: Int = 5

    /// Request-body bytes all connections together may buffer; a request whose body would go past it gets
    /// 503 with `Retry-After` before any of its body is read.
    public var bodyBufferBytesMax: Int = 256 * 1024 * 1024
    /// `Retry-After` when the body budget is spent, in seconds.
    public var bodyBudgetRetryAfterSeconds: Int = 2

    public init() {}

    func validate(workerThreads: Int) {
        precondition(connectionsPerAddressMax >= 1 && newConnectionsPerAddressBurst >= 1, "per-address limits must be positive")
        precondition(newConnectionsPerAddressPerSecond > 0 && newConnectionsPerAddressPerSecond <= 1_000_000)
        precondition(addressesTrackedMax >= 1 && criticalQueueMax >= 1 && bodyBufferBytesMax >= 0)
        precondition(expensiveRequestsPerMinutePerToken >= 1 && expensiveRequestsPerMinutePerAddress >= 1 && expensiveRequestsBurst >= 1)
        precondition(refusalsPerAddressPerSecond > 0 && refusalsPerAddressPerSecond <= 1_000_000 && refusalsPerAddressBurst >= 1)
        precondition((0...60_000).contains(refusalHoldMilliseconds), "a refusal hold is 0 to 60 s")
        precondition(criticalWorkersReserved >= 0 && shedExpensiveQueueDepth >= 0 && shedStandardQueueDepth >= 0)
        precondition((1...3_600).contains(shedRetryAfterSeconds) && (1...3_600).contains(bodyBudgetRetryAfterSeconds))
        precondition(trustedProxies.allSatisfy { !$0.isEmpty }, "a trusted proxy address is empty")
    }

    /// Reserved critical workers actually used: one general worker always remains.
    func reservedWorkers(workerThreads: Int) -> Int {
        min(criticalWorkersReserved, max(workerThreads - 1, 0))
    }
}
