import Synchronization

/// Counts refused callback deliveries per source address and turns an address away once it has
/// had `refusalsMax` refusals within `windowSeconds`, until that window ends.
///
/// Anyone can post to a callback route; a refused delivery costs a parse, a lookup and an audit
/// row. Past the limit a delivery from that address is answered "unavailable" (the sender retries
/// later, so a genuine bank sharing the address loses nothing) without any work or row. In
/// process and approximate on purpose: one counter per address, in a table of bounded size.
public final class RefusalLimiter: Sendable {
    public struct Policy: Sendable {
        public var refusalsMax: Int
        public var windowSeconds: Double
        /// Addresses tracked at once; past it, expired entries go first, then the oldest window.
        public var addressesMax: Int

        public init(refusalsMax: Int = 60, windowSeconds: Double = 60, addressesMax: Int = 10_000) {
            self.refusalsMax = refusalsMax
            self.windowSeconds = windowSeconds
            self.addressesMax = addressesMax
        }
    }

    private struct Window {
        var startedAt: Double
        var refusals: Int
    }

    public let policy: Policy
    /// Seconds on a monotonic clock; tests pass their own.
    private let now: @Sendable () -> Double
    private let windows = Mutex<[String: Window]>([:])

    public init(policy: Policy = Policy(), now: @escaping @Sendable () -> Double = RefusalLimiter.monotonicSeconds) {
        self.policy = policy
        self.now = now
    }

    /// Seconds since the first use, on the monotonic clock.
    public static func monotonicSeconds() -> Double {
        RefusalLimiter.origin.duration(to: ContinuousClock.now).seconds
    }

    private static let origin = ContinuousClock.now

    /// True while `address` has used up its refusals in the current window.
    public func isLimited(_ address: String) -> Bool {
        let time = now()
        return windows.withLock { windows in
            guard let window = windows[address], time - window.startedAt < policy.windowSeconds else { return false }
            return window.refusals >= policy.refusalsMax
        }
    }

    /// Counts one refusal of `address`.
    public func noteRefusal(_ address: String) {
        let time = now()
        windows.withLock { windows in
            if var window = windows[address], time - window.startedAt < policy.windowSeconds {
                window.refusals += 1
                windows[address] = window
                return
            }
            if windows[address] == nil && windows.count >= policy.addressesMax { evict(&windows, at: time) }
            windows[address] = Window(startedAt: time, refusals: 1)
        }
    }

    /// Addresses tracked now (for tests of the bound).
    public var trackedAddresses: Int { windows.withLock { $0.count } }

    private func evict(_ windows: inout [String: Window], at time: Double) {
        windows = windows.filter { time - $0.value.startedAt < policy.windowSeconds }
        if windows.count >= policy.addressesMax, let oldest = windows.min(by: { $0.value.startedAt < $1.value.startedAt })?.key {
            windows.removeValue(forKey: oldest)
        }
    }
}

private extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
