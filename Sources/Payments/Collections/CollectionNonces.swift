import Foundation
import Synchronization

/// The replay rule of collection requests: a signed request is accepted once, by this process.
///
/// - Nonces seen within the time window, per provider and merchant: a second request with the same
///   nonce is refused as replayed before anything is looked up. Held in memory (a database write per
///   inquiry would cap inquiries far below the target rate).
/// - Across restarts: a request whose signed time is earlier than this process's start
///   (`startedAt`, to the fraction of a second) is refused as stale. Every request the previous
///   process could have accepted was signed before this one started (a bank whose clock runs ahead
///   of ours is the exception: `CollectionFutureNonces` keeps those), so none can be replayed after
///   a restart; a genuine request caught by the restart is re-signed by the bank, as on any stale reply.
///
/// Bounded: past `noncesMax` live entries new requests are refused as unavailable (the bank retries).
public final class CollectionNonces: Sendable {
    public static let noncesMax = 1_000_000
    /// A nonce is remembered for twice the tolerance: long enough that a request it could replay is stale.
    let retentionSeconds: Int64
    /// The first whole second a signed time may name: the second after the process started taking requests (or that
    /// second itself when it started exactly on it). Signed times are whole seconds, so earlier ones may predate the start.
    let firstAcceptedSecond: Int64
    private let seen = Mutex<State>(State())

    struct State {
        var expiries: [String: Int64] = [:]
        var nextSweep: Int64 = 0
    }

    public enum Verdict: Equatable { case fresh, replayed, signedBeforeStart, full }

    public init(startedAt: Date, retentionSeconds: Int64 = 600) {
        firstAcceptedSecond = Int64(startedAt.timeIntervalSince1970.rounded(.up))
        self.retentionSeconds = retentionSeconds
    }

    public func claim(provider: String, merchant: String, nonce: String, signedAt timestamp: Int64, now: Date) -> Verdict {
        guard timestamp >= firstAcceptedSecond else { return .signedBeforeStart }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let key = Self.key(provider: provider, merchant: merchant, nonce: nonce)
        return seen.withLock { state in claim(key, seconds: seconds, in: &state, sweepAllowed: true)! }
    }

    /// `claim` for a thread that must not wait (an event loop): nil, and nothing claimed, when another
    /// thread holds the nonces or a sweep is due (a pass over up to `noncesMax` entries, left to a worker).
    func claimWithoutWaiting(provider: String, merchant: String, nonce: String, signedAt timestamp: Int64, now: Date) -> Verdict? {
        guard timestamp >= firstAcceptedSecond else { return .signedBeforeStart }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let key = Self.key(provider: provider, merchant: merchant, nonce: nonce)
        return seen.withLockIfAvailable { state in claim(key, seconds: seconds, in: &state, sweepAllowed: false) } ?? nil
    }

    private func claim(_ key: String, seconds: Int64, in state: inout State, sweepAllowed: Bool) -> Verdict? {
        if let expiry = state.expiries[key], expiry > seconds { return .replayed }
        if state.expiries.count >= Self.noncesMax || seconds >= state.nextSweep {
            guard sweepAllowed else { return nil }
            state.expiries = state.expiries.filter { $0.value > seconds }
            state.nextSweep = seconds + 60
        }
        guard state.expiries.count < Self.noncesMax else { return .full }
        state.expiries[key] = seconds + retentionSeconds
        return .fresh
    }

    /// Marks nonces a previous process accepted (read back from `CollectionFutureNonces`) as seen until `expiry`.
    func remember(_ entries: [(provider: String, merchant: String, nonce: String, expiry: Int64)]) {
        seen.withLock { state in
            for entry in entries.prefix(Self.noncesMax - min(Self.noncesMax, state.expiries.count)) {
                state.expiries[Self.key(provider: entry.provider, merchant: entry.merchant, nonce: entry.nonce)] = entry.expiry
            }
        }
    }

    static func key(provider: String, merchant: String, nonce: String) -> String {
        provider + "\u{0}" + merchant + "\u{0}" + nonce
    }
}
