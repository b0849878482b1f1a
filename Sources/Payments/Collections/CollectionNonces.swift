import Foundation
import Synchronization

/// Nonces seen within the time window, per provider and merchant: a second request with the same
/// nonce is refused as replayed before anything is looked up. Held in memory (a database write per
/// inquiry would cap inquiries far below the target rate): a restart forgets them, which is safe
/// because inquiries only read and payment notices and reversals are idempotent on the bank's ids.
/// Bounded: past `noncesMax` live entries new requests are refused as unavailable (the bank retries).
public final class CollectionNonces: Sendable {
    public static let noncesMax = 1_000_000
    /// A nonce is remembered for twice the tolerance: long enough that a request it could replay is stale.
    let retentionSeconds: Int64
    private let seen = Mutex<State>(State())

    struct State {
        var expiries: [String: Int64] = [:]
        var nextSweep: Int64 = 0
    }

    public enum Verdict: Equatable { case fresh, replayed, full }

    public init(retentionSeconds: Int64 = 600) {
        self.retentionSeconds = retentionSeconds
    }

    public func claim(provider: String, merchant: String, nonce: String, now: Date) -> Verdict {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let key = provider + "\u{0}" + merchant + "\u{0}" + nonce
        return seen.withLock { state in
            if let expiry = state.expiries[key], expiry > seconds { return .replayed }
            if state.expiries.count >= Self.noncesMax || seconds >= state.nextSweep {
                state.expiries = state.expiries.filter { $0.value > seconds }
                state.nextSweep = seconds + 60
            }
            guard state.expiries.count < Self.noncesMax else { return .full }
            state.expiries[key] = seconds + retentionSeconds
            return .fresh
        }
    }
}
