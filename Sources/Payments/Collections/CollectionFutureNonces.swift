import Foundation
import Postgres
import Synchronization

/// Nonces of requests signed ahead of our clock, kept in `collection_future_nonces` until they are
/// stale: the one case the start-time rule of `CollectionNonces` cannot see (a request received
/// before a restart whose signed time is after it). A bank whose clock agrees with ours never writes
/// here, so inquiries stay free of writes. The next process reads the live ones before its first request.
final class CollectionFutureNonces: Sendable {
    /// Expired rows are deleted at most this often (by the process that writes).
    static let sweepIntervalSeconds: Int64 = 60
    /// Rows read back at start; more live ones than this cannot exist within the 600 s retention at the bank rates served.
    static let loadedRowsMax = 1_000_000

    let pool: PostgresPool
    private let state = Mutex<(loaded: Bool, nextSweep: Int64)>((false, 0))

    init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Whether `loadOnce` has run (a thread that must not block goes on only then).
    var isLoaded: Bool { state.withLock { $0.loaded } }

    /// Before the first request: the live nonces a previous process kept go into `nonces`.
    func loadOnce(into nonces: CollectionNonces, now: Date) throws {
        guard !state.withLock({ $0.loaded }) else { return }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let rows = try pool.withConnection { connection in
            try connection.query("""
                SELECT provider, merchant, nonce, expires_at FROM collection_future_nonces
                WHERE expires_at > \(seconds) LIMIT \(Self.loadedRowsMax)
                """).map { try $0.decode((String, String, String, Int64).self) }
        }
        nonces.remember(rows.map { (provider: $0.0, merchant: $0.1, nonce: $0.2, expiry: $0.3) })
        state.withLock { $0.loaded = true }
    }

    /// Keeps a nonce until `expiry`; false when a process recorded it already (a replay).
    func record(schoolID: Int64, provider: String, merchant: String, nonce: String, expiry: Int64, now: Date) throws -> Bool {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let sweep = state.withLock { state -> Bool in
            guard seconds >= state.nextSweep else { return false }
            state.nextSweep = seconds + Self.sweepIntervalSeconds
            return true
        }
        return try pool.withConnection { connection in
            if sweep { try connection.query("DELETE FROM collection_future_nonces WHERE expires_at <= \(seconds)") }
            return try !connection.query("""
                INSERT INTO collection_future_nonces (school_id, provider, merchant, nonce, expires_at)
                VALUES (\(schoolID), \(provider), \(merchant), \(nonce), \(expiry))
                ON CONFLICT DO NOTHING RETURNING 1
                """).isEmpty
        }
    }
}
