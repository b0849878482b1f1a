import Synchronization

/// Request rate limits of `.expensive` routes as pure state: one token bucket per bearer token and one per client
/// address; a request must find a token in both. Tokens are remembered by a hash (never the secret itself).
public struct RequestRateTable: Sendable {
    public enum Scope: String, Sendable, Equatable {
        case token
        case address
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        case limited(Scope, retryAfterSeconds: Int)
    }

    enum Key: Hashable, Sendable {
        case token(Int)
        case address(String)
    }

    let limits: ProtectionConfiguration
    private var buckets: TokenBucketTable<Key>

    public init(limits: ProtectionConfiguration) {
        self.limits = limits
        buckets = TokenBucketTable(keysMax: limits.addressesTrackedMax)
    }

    public var trackedCount: Int { buckets.count }

    /// Takes one request from the token's and the address's buckets, or from neither when one is empty.
    public mutating func check(token: Substring?, address: String, now: UInt64) -> Decision {
        let tokenKey = token.map { Key.token(Self.tokenHash($0)) }
        var tokenBucket = tokenKey.map { bucket($0, perMinute: limits.expensiveRequestsPerMinutePerToken, now: now) }
        if let held = tokenBucket {
            var probe = held
            guard probe.take(now: now) else { return .limited(.token, retryAfterSeconds: held.secondsUntilToken(now: now)) }
            tokenBucket = probe
        }
        let addressKey = Key.address(address)
        let held = bucket(addressKey, perMinute: limits.expensiveRequestsPerMinutePerAddress, now: now)
        var addressBucket = held
        guard addressBucket.take(now: now) else {
            return .limited(.address, retryAfterSeconds: held.secondsUntilToken(now: now))
        }
        if let tokenKey, let tokenBucket { buckets.store(tokenKey, tokenBucket, now: now) }
        buckets.store(addressKey, addressBucket, now: now)
        return .allowed
    }

    /// Gives back the address's token of a request whose bearer token the application verified: an authenticated
    /// caller is held to its token's bucket, and the address's bounds what no verified token vouches for (no token, a
    /// wrong one), so a client's own requests never turn its next unauthenticated one into a 429 instead of a 401.
    public mutating func authenticated(address: String, now: UInt64) {
        let key = Key.address(address)
        guard var bucket = buckets[key] else { return }
        bucket.giveBack(now: now)
        buckets.store(key, bucket, now: now)
    }

    private func bucket(_ key: Key, perMinute: Int, now: UInt64) -> TokenBucket {
        buckets[key] ?? TokenBucket(capacity: limits.expensiveRequestsBurst, perSecond: Double(perMinute) / 60, now: now)
    }

    /// A per-process seeded hash: equal tokens share a bucket, and the table holds no secret.
    static func tokenHash(_ token: Substring) -> Int {
        var hasher = Hasher()
        hasher.combine(token)
        return hasher.finalize()
    }
}

/// The rate table shared by the event loops of one server.
final class RequestRateLimiter: Sendable {
    private let table: Mutex<RequestRateTable>

    init(limits: ProtectionConfiguration) {
        table = Mutex(RequestRateTable(limits: limits))
    }

    func check(token: Substring?, address: String, now: UInt64) -> RequestRateTable.Decision {
        table.withLock { $0.check(token: token, address: address, now: now) }
    }

    func authenticated(address: String, now: UInt64) {
        table.withLock { $0.authenticated(address: address, now: now) }
    }
}

/// What an `.expensive` request took from its address's rate bucket at the head, for the layer that verifies bearer
/// tokens to give back once it has (`RequestRateTable.authenticated`). Nil on other routes.
public struct RequestRateCharge: Sendable {
    let limiter: RequestRateLimiter
    let address: String

    /// The request's bearer token was verified: its address's token goes back.
    public func authenticated() {
        limiter.authenticated(address: address, now: Clock.monotonicNanoseconds())
    }
}
