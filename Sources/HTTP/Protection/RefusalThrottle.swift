import Synchronization

/// Refusals answered to one client address, as pure state: a token bucket of refusals per address. Past its
/// budget, the connection that drew the refusal is **held**: its next request is not read for
/// `refusalHoldMilliseconds`. Tests drive it with a fake clock (nanoseconds).
///
/// Why hold rather than answer faster: a flood client (wrk, a script) sends its next request the moment it has an
/// answer, so however cheap a refusal is, the flood takes all the CPU it can get, and on a small machine that is
/// the CPU a bank's callback needs. A held connection costs nothing (its bytes wait in the kernel), so a flooding
/// address gets at most one answer per connection per hold, and its connections are bounded per address.
public struct RefusalThrottleTable: Sendable {
    /// Statuses that count as refusals: the caller is not allowed (401, 403), asked for nothing that exists
    /// (404, 405) or is already over a limit (429). Not 4xx in general: a 409 or 422 is an honest client's answer.
    public static let refusalStatuses: Set<Int> = [401, 403, 404, 405, 429]

    let limits: ProtectionConfiguration
    let trustedProxies: Set<String>
    private var buckets: TokenBucketTable<String>

    public init(limits: ProtectionConfiguration) {
        self.limits = limits
        trustedProxies = Set(limits.trustedProxies)
        buckets = TokenBucketTable(keysMax: limits.addressesTrackedMax)
    }

    public var trackedCount: Int { buckets.count }

    /// Counts a response with `status` answered to `address`; returns when the connection may be read again if
    /// the address is past its refusal budget, nil when it may go on at once. Trusted proxies are never held:
    /// their connections carry other clients' requests.
    public mutating func answered(status: Int, to address: String, now: UInt64) -> UInt64? {
        guard Self.refusalStatuses.contains(status), !trustedProxies.contains(address) else { return nil }
        var bucket = buckets[address]
            ?? TokenBucket(capacity: limits.refusalsPerAddressBurst, perSecond: limits.refusalsPerAddressPerSecond, now: now)
        let allowed = bucket.take(now: now)
        buckets.store(address, bucket, now: now)
        return allowed ? nil : now + UInt64(limits.refusalHoldMilliseconds) * 1_000_000
    }
}

/// The refusal table shared by the event loops of one server.
final class RefusalThrottle: Sendable {
    private let table: Mutex<RefusalThrottleTable>

    init(limits: ProtectionConfiguration) {
        table = Mutex(RefusalThrottleTable(limits: limits))
    }

    func answered(status: Int, to address: String, now: UInt64) -> UInt64? {
        // Most answers are not refusals: decided without the lock.
        guard RefusalThrottleTable.refusalStatuses.contains(status) else { return nil }
        return table.withLock { $0.answered(status: status, to: address, now: now) }
    }
}
