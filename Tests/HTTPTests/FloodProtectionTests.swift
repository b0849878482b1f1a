import Testing
@testable import HTTP

/// A reference to mutable state, so `#expect` can call its mutating methods.
final class Ref<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// The flood protections as pure state, on a fake clock (nanoseconds).
@Suite("Flood protection (fake clock)")
struct FloodProtectionTests {
    private static let second: UInt64 = 1_000_000_000

    private static func limits(_ adjust: (inout ProtectionConfiguration) -> Void = { _ in }) -> ProtectionConfiguration {
        var limits = ProtectionConfiguration()
        adjust(&limits)
        return limits
    }

    // MARK: Eviction order

    private static func slowHead(acceptedAt: UInt64) -> ConnectionTimer {
        var timer = ConnectionTimer(acceptedAt: acceptedAt)
        timer.headBytesArrived(at: acceptedAt + 1)
        return timer
    }

    private static func idleKeptAlive(respondedAt: UInt64) -> ConnectionTimer {
        var timer = ConnectionTimer(acceptedAt: 0)
        timer.headCompleted(at: 0, expectsBody: false)
        timer.responseQueued(at: 0)
        timer.responseWritten(at: respondedAt)
        return timer
    }

    @Test("the connection waiting longest without a complete request goes first")
    func oldestWaitingFirst() {
        let candidates = [("slow-5s", Self.slowHead(acceptedAt: 5 * Self.second)),
                          ("slow-2s", Self.slowHead(acceptedAt: 2 * Self.second)),
                          ("idle-since-3s", Self.idleKeptAlive(respondedAt: 3 * Self.second)),
                          ("handshake-1s", ConnectionTimer(acceptedAt: 1 * Self.second, handshaking: true))]
        #expect(EvictionOrder.victim(among: candidates) == "handshake-1s")
        #expect(EvictionOrder.victim(among: candidates.dropLast()) == "slow-2s")
        #expect(EvictionOrder.victim(among: candidates.dropFirst().dropFirst()) == "handshake-1s")
        #expect(EvictionOrder.victim(among: [candidates[0], candidates[2]]) == "idle-since-3s")
        // Oldest first, repeatedly: the order a flood's connections are evicted in.
        var remaining = candidates
        var order: [String] = []
        while let victim = EvictionOrder.victim(among: remaining) {
            order.append(victim)
            remaining.removeAll { $0.0 == victim }
        }
        #expect(order == ["handshake-1s", "slow-2s", "idle-since-3s", "slow-5s"])
    }

    @Test("a connection that has sent a complete request is never evicted, however old")
    func completeRequestsStay() {
        var handling = ConnectionTimer(acceptedAt: 0)
        handling.headCompleted(at: 1, expectsBody: false)
        var readingBody = ConnectionTimer(acceptedAt: 0)
        readingBody.headCompleted(at: 1, expectsBody: true)
        var writing = handling
        writing.responseQueued(at: 2)
        var lingering = writing
        lingering.lingerStarted(at: 3)
        for timer in [handling, readingBody, writing, lingering] {
            #expect(EvictionOrder.waitingSince(timer) == nil)
        }
        let fresh = Self.slowHead(acceptedAt: 100 * Self.second)
        #expect(EvictionOrder.victim(among: [("handling", handling), ("body", readingBody), ("writing", writing),
                                             ("lingering", lingering)]) == nil)
        #expect(EvictionOrder.victim(among: [("handling", handling), ("fresh", fresh), ("writing", writing)]) == "fresh")
    }

    // MARK: Per-address connection limits

    @Test("an address at its connection cap is refused; others are not; a close frees a place")
    func connectionsPerAddress() {
        let table = Ref(AddressAdmissionTable(limits: Self.limits { $0.connectionsPerAddressMax = 3 }))
        for _ in 0..<3 { #expect(table.value.admit("192.0.2.1", now: 0) == .admitted(tracked: true)) }
        #expect(table.value.admit("192.0.2.1", now: 0) == .tooManyConnections)
        #expect(table.value.admit("192.0.2.2", now: 0) == .admitted(tracked: true))
        table.value.release("192.0.2.1", now: 0)
        #expect(table.value.openConnections("192.0.2.1") == 2)
        #expect(table.value.admit("192.0.2.1", now: 0) == .admitted(tracked: true))
        #expect(table.value.admit("192.0.2.1", now: 0) == .tooManyConnections)
    }

    @Test("new connections per address: a burst, then the sustained rate")
    func newConnectionRate() {
        let table = Ref(AddressAdmissionTable(limits: Self.limits {
            $0.newConnectionsPerAddressBurst = 4
            $0.newConnectionsPerAddressPerSecond = 2
        }))
        let address = "198.51.100.7"
        for _ in 0..<4 {
            #expect(table.value.admit(address, now: 10 * Self.second) == .admitted(tracked: true))
            table.value.release(address, now: 10 * Self.second)
        }
        #expect(table.value.admit(address, now: 10 * Self.second) == .tooManyNewConnections)
        #expect(table.value.admit("198.51.100.8", now: 10 * Self.second) == .admitted(tracked: true))
        // Half a second refills one token at 2 per second.
        #expect(table.value.admit(address, now: 10 * Self.second + Self.second / 2) == .admitted(tracked: true))
        #expect(table.value.admit(address, now: 10 * Self.second + Self.second / 2) == .tooManyNewConnections)
        // Refusals do not spend tokens: after two more seconds the bucket is full again (4).
        table.value.release(address, now: 13 * Self.second)
        for _ in 0..<4 { #expect(table.value.admit(address, now: 13 * Self.second) == .admitted(tracked: true)) }
        #expect(table.value.admit(address, now: 13 * Self.second) == .tooManyNewConnections)
    }

    @Test("a trusted proxy is not limited per address; a full table forgets idle addresses and then fails open")
    func trustedProxyAndTableBound() {
        let table = Ref(AddressAdmissionTable(limits: Self.limits {
            $0.connectionsPerAddressMax = 1
            $0.trustedProxies = ["10.0.0.5"]
            $0.addressesTrackedMax = 2
        }))
        for _ in 0..<5 { #expect(table.value.admit("10.0.0.5", now: 0) == .admitted(tracked: false)) }
        #expect(table.value.admit("192.0.2.1", now: 0) == .admitted(tracked: true))
        #expect(table.value.admit("192.0.2.2", now: 0) == .admitted(tracked: true))
        #expect(table.value.admit("192.0.2.3", now: 0) == .admitted(tracked: false))
        #expect(table.value.trackedCount == 2)
        table.value.release("192.0.2.1", now: 0)
        // Its bucket is not full yet (one token spent): remembered until it refills.
        #expect(table.value.trackedCount == 2)
        #expect(table.value.admit("192.0.2.4", now: 5 * Self.second) == .admitted(tracked: true))
        #expect(table.value.trackedCount == 2)
        #expect(table.value.openConnections("192.0.2.1") == 0)
    }

    // MARK: Client address behind a proxy

    @Test("forwarding headers count only from a trusted proxy, right-most untrusted entry first")
    func clientAddress() {
        let proxies: Set<String> = ["10.0.0.5", "10.0.0.6"]
        let spoofed: HTTPHeaders = ["X-Forwarded-For": "203.0.113.66"]
        #expect(ClientAddress.resolve(peerAddress: "192.0.2.9", headers: spoofed, trustedProxies: proxies) == "192.0.2.9")
        let chain: HTTPHeaders = ["X-Forwarded-For": "203.0.113.66, 198.51.100.4, 10.0.0.6"]
        #expect(ClientAddress.resolve(peerAddress: "10.0.0.5", headers: chain, trustedProxies: proxies) == "198.51.100.4")
        let forwarded: HTTPHeaders = ["Forwarded": #"for=203.0.113.66;proto=https, for="[2001:db8:cafe::17]:4711""#,
                                      "X-Forwarded-For": "198.51.100.99"]
        #expect(ClientAddress.resolve(peerAddress: "10.0.0.5", headers: forwarded, trustedProxies: proxies) == "2001:db8:cafe::17")
        let withPort: HTTPHeaders = ["Forwarded": #"for="192.0.2.60:8080""#]
        #expect(ClientAddress.resolve(peerAddress: "10.0.0.5", headers: withPort, trustedProxies: proxies) == "192.0.2.60")
        #expect(ClientAddress.resolve(peerAddress: "10.0.0.5", headers: [:], trustedProxies: proxies) == "10.0.0.5")
        let onlyProxies: HTTPHeaders = ["X-Forwarded-For": "10.0.0.6"]
        #expect(ClientAddress.resolve(peerAddress: "10.0.0.5", headers: onlyProxies, trustedProxies: proxies) == "10.0.0.5")
        #expect(ClientAddress.host(ofPeer: "192.0.2.1:5123") == "192.0.2.1")
        #expect(ClientAddress.host(ofPeer: "[2001:db8::1]:5123") == "2001:db8::1")
    }

    // MARK: Request rate limits

    /// Bursts of 2; 6 a minute per token (one every 10 s), 12 per address (one every 5 s).
    private static func smallRateTable() -> Ref<RequestRateTable> {
        Ref(RequestRateTable(limits: limits {
            $0.expensiveRequestsBurst = 2
            $0.expensiveRequestsPerMinutePerToken = 6
            $0.expensiveRequestsPerMinutePerAddress = 12
        }))
    }

    @Test("expensive routes: a bucket per token and per address, 429 with the seconds until the next token")
    func requestRates() {
        let table = Self.smallRateTable()
        let now = 50 * Self.second
        #expect(table.value.check(token: "alpha", address: "192.0.2.1", now: now) == .allowed)
        #expect(table.value.check(token: "alpha", address: "192.0.2.2", now: now) == .allowed)
        // 6 per minute: one token every 10 s.
        #expect(table.value.check(token: "alpha", address: "192.0.2.3", now: now) == .limited(.token, retryAfterSeconds: 10))
        #expect(table.value.check(token: "alpha", address: "192.0.2.3", now: now + 4 * Self.second) == .limited(.token, retryAfterSeconds: 6))
        // A refused token spends nothing of the address's bucket.
        #expect(table.value.check(token: "beta", address: "192.0.2.3", now: now) == .allowed)
        #expect(table.value.check(token: "gamma", address: "192.0.2.3", now: now) == .allowed)
        // 12 per minute for the address: one every 5 s.
        #expect(table.value.check(token: "delta", address: "192.0.2.3", now: now) == .limited(.address, retryAfterSeconds: 5))
        #expect(table.value.check(token: nil, address: "192.0.2.3", now: now + 5 * Self.second) == .allowed)
        #expect(table.value.check(token: "alpha", address: "192.0.2.4", now: now + 10 * Self.second) == .allowed)
    }

    @Test("an authenticated request gives its address's token back: the address bounds only what no token vouches for")
    func authenticatedRequestsSpareTheAddress() {
        let table = Self.smallRateTable()
        let now = 50 * Self.second
        // A verified token spends its own bucket, not the address's.
        for _ in 0..<2 {
            #expect(table.value.check(token: "alpha", address: "192.0.2.1", now: now) == .allowed)
            table.value.authenticated(address: "192.0.2.1", now: now)
        }
        #expect(table.value.check(token: "alpha", address: "192.0.2.1", now: now) == .limited(.token, retryAfterSeconds: 10))
        // So a wrong token from that address still reaches authentication (a 401), until wrong ones spend the address's burst.
        #expect(table.value.check(token: "wrong", address: "192.0.2.1", now: now) == .allowed)
        #expect(table.value.check(token: nil, address: "192.0.2.1", now: now) == .allowed)
        #expect(table.value.check(token: "other", address: "192.0.2.1", now: now) == .limited(.address, retryAfterSeconds: 5))
        // Giving back never fills a bucket past its size, and an address never seen has nothing to give back.
        for _ in 0..<5 { table.value.authenticated(address: "192.0.2.1", now: now) }
        #expect(table.value.check(token: "b1", address: "192.0.2.1", now: now) == .allowed)
        #expect(table.value.check(token: "b2", address: "192.0.2.1", now: now) == .allowed)
        #expect(table.value.check(token: "b3", address: "192.0.2.1", now: now) == .limited(.address, retryAfterSeconds: 5))
        let tracked = table.value.trackedCount
        table.value.authenticated(address: "192.0.2.9", now: now)
        #expect(table.value.trackedCount == tracked)
    }

    @Test("a token bucket refills at its rate up to its size")
    func tokenBucket() {
        let bucket = Ref(TokenBucket(capacity: 3, perSecond: 1, now: 0))
        for _ in 0..<3 { #expect(bucket.value.take(now: 0) == true) }
        #expect(bucket.value.take(now: 0) == false)
        #expect(bucket.value.secondsUntilToken(now: 0) == 1)
        #expect(bucket.value.take(now: Self.second) == true)
        #expect(!bucket.value.isFull(now: 2 * Self.second))
        #expect(bucket.value.isFull(now: 60 * Self.second))
        for _ in 0..<3 { #expect(bucket.value.take(now: 60 * Self.second) == true) }
        #expect(bucket.value.take(now: 60 * Self.second) == false)
    }

    // MARK: Shedding and the body budget

    @Test("shedding: expensive first, then standard; critical never")
    func shedding() {
        let limits = Self.limits {
            $0.shedExpensiveQueueDepth = 4
            $0.shedStandardQueueDepth = 10
        }
        let depths = [0, 3, 4, 9, 10, 500]
        #expect(depths.map { LoadShedding.sheds(.expensive, generalQueueDepth: $0, limits: limits) } == [false, false, true, true, true, true])
        #expect(depths.map { LoadShedding.sheds(.standard, generalQueueDepth: $0, limits: limits) } == [false, false, false, false, true, true])
        #expect(depths.map { LoadShedding.sheds(.critical, generalQueueDepth: $0, limits: limits) } == [false, false, false, false, false, false])
    }

    @Test("the body budget refuses what would go past it and takes back what is released")
    func bodyBudget() {
        let budget = BodyBudget(bytesMax: 1_000)
        #expect(budget.reserve(600))
        #expect(budget.reserve(400))
        #expect(!budget.reserve(1))
        #expect(budget.reserve(0))
        budget.release(400)
        #expect(!budget.reserve(401))
        #expect(budget.reserve(400))
        budget.release(1_000)
        #expect(budget.bytesReserved == 0)
    }
}
