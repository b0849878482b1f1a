import Synchronization

/// Counts failures per key (a source address, an account) and blocks a key once it has had
/// `failuresMax` failures within `windowMilliseconds` of its first one, until that window ends.
///
/// The one in-process limiter of repeated failures: refused callback deliveries per address,
/// failed console sign-ins per account and address, failed parents' lookups per address. In
/// memory and approximate on purpose (a restart forgets, which only loosens the limit); the table
/// holds at most `keysMax` keys, so a flood of addresses cannot grow memory. Time is integer
/// milliseconds on a monotonic clock; tests pass their own clock.
public final class FailureWindows: Sendable {
    public let failuresMax: Int
    public let windowMilliseconds: Int64
    public let keysMax: Int

    private struct Window {
        var startedAt: Int64
        var failures: Int
    }

    private let now: @Sendable () -> Int64
    private let windows = Mutex<[String: Window]>([:])

    public init(failuresMax: Int, windowMilliseconds: Int64, keysMax: Int = 10_000,
                now: @escaping @Sendable () -> Int64 = FailureWindows.monotonicMilliseconds) {
        precondition(failuresMax >= 1 && windowMilliseconds >= 1 && keysMax >= 1, "a limit of failures needs positive bounds")
        self.failuresMax = failuresMax
        self.windowMilliseconds = windowMilliseconds
        self.keysMax = keysMax
        self.now = now
    }

    /// Milliseconds since the first use, on the monotonic clock.
    public static func monotonicMilliseconds() -> Int64 {
        let (seconds, attoseconds) = origin.duration(to: ContinuousClock.now).components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    private static let origin = ContinuousClock.now

    /// True while any of `keys` has used up its failures in its current window.
    public func isBlocked(_ keys: String...) -> Bool { isBlocked(keys) }

    public func isBlocked(_ keys: [String]) -> Bool {
        let time = now()
        return windows.withLock { windows in
            keys.contains { key in
                guard let window = windows[key], time - window.startedAt < windowMilliseconds else { return false }
                return window.failures >= failuresMax
            }
        }
    }

    /// Counts one failure of each of `keys`.
    public func recordFailure(_ keys: String...) { recordFailure(keys) }

    public func recordFailure(_ keys: [String]) {
        let time = now()
        windows.withLock { windows in
            for key in keys {
                if var window = windows[key], time - window.startedAt < windowMilliseconds {
                    window.failures += 1
                    windows[key] = window
                    continue
                }
                if windows[key] == nil && windows.count >= keysMax { evict(&windows, at: time) }
                windows[key] = Window(startedAt: time, failures: 1)
            }
        }
    }

    /// Keys tracked now (for tests of the bound).
    public var trackedKeys: Int { windows.withLock { $0.count } }

    /// Expired windows go first; if none has expired, the oldest.
    private func evict(_ windows: inout [String: Window], at time: Int64) {
        windows = windows.filter { time - $0.value.startedAt < windowMilliseconds }
        if windows.count >= keysMax, let oldest = windows.min(by: { $0.value.startedAt < $1.value.startedAt })?.key {
            windows.removeValue(forKey: oldest)
        }
    }
}
