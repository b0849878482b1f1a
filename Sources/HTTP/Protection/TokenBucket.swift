/// A token bucket on the monotonic clock (nanoseconds): `capacity` tokens, refilled at `perSecond`.
/// Pure state; callers pass the time, so tests drive it with a fake clock.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let perSecond: Double
    public private(set) var tokens: Double
    public private(set) var updatedAt: UInt64

    /// A full bucket at `now`.
    public init(capacity: Int, perSecond: Double, now: UInt64) {
        precondition(capacity >= 1 && perSecond > 0, "a bucket holds at least one token and refills")
        self.capacity = Double(capacity)
        self.perSecond = perSecond
        tokens = Double(capacity)
        updatedAt = now
    }

    private mutating func refill(_ now: UInt64) {
        guard now > updatedAt else { return }
        let elapsedSeconds = Double(now - updatedAt) / 1_000_000_000
        tokens = min(capacity, tokens + elapsedSeconds * perSecond)
        updatedAt = now
    }

    /// Takes one token; false (nothing taken) when the bucket is empty.
    public mutating func take(now: UInt64) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Puts back one token taken earlier (a request that turned out not to count against this bucket), never above
    /// `capacity`.
    public mutating func giveBack(now: UInt64) {
        refill(now)
        tokens = min(capacity, tokens + 1)
    }

    /// Whole seconds until one token is available (at least 1): the `Retry-After` of a refusal.
    public func secondsUntilToken(now: UInt64) -> Int {
        var bucket = self
        bucket.refill(now)
        guard bucket.tokens < 1 else { return 1 }
        let seconds = (1 - bucket.tokens) / perSecond
        return max(1, Int(seconds.rounded(.up)))
    }

    /// True when the bucket would be full at `now`: forgetting it changes nothing.
    public func isFull(now: UInt64) -> Bool {
        var bucket = self
        bucket.refill(now)
        return bucket.tokens >= capacity
    }
}

/// Token buckets by key (a client address, a token's hash), bounded to `keysMax` entries. A table full of live
/// buckets does not remember a new key (fails open: the connection limits still bound what a crowd of addresses
/// can do); a full table forgets its full buckets at most once per `pruneIntervalNanoseconds`.
struct TokenBucketTable<Key: Hashable & Sendable>: Sendable {
    static var pruneIntervalNanoseconds: UInt64 { 1_000_000_000 }

    let keysMax: Int
    private var buckets: [Key: TokenBucket] = [:]
    private var prunedAt: UInt64?

    init(keysMax: Int) {
        precondition(keysMax >= 1, "a table remembers at least one key")
        self.keysMax = keysMax
    }

    var count: Int { buckets.count }

    subscript(key: Key) -> TokenBucket? { buckets[key] }

    /// Remembers `bucket` under `key`, unless the table is full of live buckets.
    mutating func store(_ key: Key, _ bucket: TokenBucket, now: UInt64) {
        if buckets[key] == nil && buckets.count >= keysMax {
            if let prunedAt, now < prunedAt + Self.pruneIntervalNanoseconds { return }
            prunedAt = now
            buckets = buckets.filter { !$0.value.isFull(now: now) }
            guard buckets.count < keysMax else { return }
        }
        buckets[key] = bucket
    }
}
