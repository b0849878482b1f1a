import BankFormats
import Foundation
import Ledger
import Postgres
import Synchronization

/// Connections by (provider, service code), with the school's name, kept for `ttlSeconds`: an
/// inquiry then costs two queries instead of four. A rotation or removal takes effect within
/// `ttlSeconds`; unknown service codes are remembered as well, so a flood of them does not reach the
/// database. Bounded: past `entriesMax` the cache is emptied.
final class CollectionRoutes: Sendable {
    static let ttlSeconds: Int64 = 5
    static let entriesMax = 10_000

    struct Entry: Sendable {
        let route: CallbackRoute?
        let schoolName: String
        let expires: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])
    let pool: PostgresPool

    init(pool: PostgresPool) {
        self.pool = pool
    }

    func route(provider: String, merchant: String, now: Date) throws -> (CallbackRoute, schoolName: String)? {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let key = provider + "\u{0}" + merchant
        if let entry = entries.withLock({ $0[key] }), entry.expires > seconds {
            return entry.route.map { ($0, entry.schoolName) }
        }
        let (route, name) = try pool.withConnection { connection -> (CallbackRoute?, String) in
            guard let route = try BankConnections.route(provider: provider, receivingAccount: merchant, on: connection) else { return (nil, "") }
            return (route, try Schools.find(id: route.schoolID, on: connection)?.name ?? "")
        }
        entries.withLock { entries in
            if entries.count >= Self.entriesMax { entries.removeAll() }
            entries[key] = Entry(route: route, schoolName: name, expires: seconds + Self.ttlSeconds)
        }
        return route.map { ($0, name) }
    }
}
