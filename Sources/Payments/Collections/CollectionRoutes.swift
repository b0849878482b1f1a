import BankFormats
import Foundation
import Ledger
import Postgres

/// Connections by (provider, service code), with the school's name: an inquiry then costs two
/// queries instead of four. Unknown service codes are remembered as well, so a flood of them does not
/// reach the database. With a listener (`ConnectionChanges`), a rotation, removal or new connection
/// takes effect as soon as its notification arrives, and `ageMaxSeconds` is only a backstop; without
/// one (tests, `tuition demo`), within `ageMaxSeconds`. Bounded by `RouteCache.entriesMax`.
final class CollectionRoutes: Sendable {
    static let ageMaxSeconds = 5.0

    struct Entry: Sendable {
        let route: CallbackRoute?
        let schoolName: String
    }

    private let cache: RouteCache<Entry>
    let pool: PostgresPool

    init(pool: PostgresPool, changes: ConnectionChanges?) {
        self.pool = pool
        self.cache = RouteCache(changes: changes, ageMaxSeconds: Self.ageMaxSeconds)
    }

    /// The route when the cache may answer now, without the database: nil when it cannot; `.some(nil)` for a
    /// service code cached as not routed.
    func cachedRoute(provider: String, merchant: String) -> (CallbackRoute, schoolName: String)?? {
        guard let entry = cache.cached(provider + "\u{0}" + merchant) else { return nil }
        return .some(entry.route.map { ($0, entry.schoolName) })
    }

    func route(provider: String, merchant: String) throws -> (CallbackRoute, schoolName: String)? {
        let entry = try cache.value(for: provider + "\u{0}" + merchant) {
            try pool.withConnection { connection -> Entry in
                guard let route = try BankConnections.route(provider: provider, receivingAccount: merchant, on: connection) else {
                    return Entry(route: nil, schoolName: "")
                }
                return Entry(route: route, schoolName: try Schools.find(id: route.schoolID, on: connection)?.name ?? "")
            }
        }.value
        return entry.route.map { ($0, entry.schoolName) }
    }
}
