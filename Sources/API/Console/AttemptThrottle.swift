import Foundation
import Synchronization

/// Counts failed attempts per key (an account, an address) in a sliding window and says when a key is blocked.
/// In memory: one server process answers the console; a restart forgets, which only ever loosens the limit.
public final class AttemptThrottle: Sendable {
    public let failuresMax: Int
    public let windowSeconds: Double
    /// Keys remembered at most; past this the oldest are forgotten, so a flood of addresses cannot grow memory.
    public let keysMax: Int
    private let state = Mutex<[String: [Double]]>([:])
    private let clock: @Sendable () -> Double

    public init(failuresMax: Int, windowSeconds: Double, keysMax: Int = 100_000,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.failuresMax = failuresMax
        self.windowSeconds = windowSeconds
        self.keysMax = keysMax
        self.clock = clock
    }

    /// Whether any of `keys` has used up its failures in the window.
    public func isBlocked(_ keys: [String]) -> Bool {
        let now = clock()
        return state.withLock { table in
            keys.contains { key in (table[key] ?? []).filter { now - $0 < windowSeconds }.count >= failuresMax }
        }
    }

    public func recordFailure(_ keys: [String]) {
        let now = clock()
        state.withLock { table in
            if table.count >= keysMax { table.removeAll(keepingCapacity: true) }
            for key in keys {
                var times = (table[key] ?? []).filter { now - $0 < windowSeconds }
                times.append(now)
                table[key] = Array(times.suffix(failuresMax))
            }
        }
    }
}
