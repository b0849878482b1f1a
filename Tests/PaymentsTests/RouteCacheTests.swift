import BankFormats
import Foundation
@testable import Payments
import Postgres
import Synchronization
import Testing

/// The route caches of callbacks and collection requests (docs/callbacks.md §6, seventh round): used
/// only while the listener hears the database's change notifications, forgotten on every change.
@Suite struct RouteCacheTests {
    /// A notified change reaches the cache within this (docs/callbacks.md, docs/operations.md).
    static let notificationBoundSeconds = 1.0

    /// Waits until `changes` listens; fails the test past 10 s.
    static func listening(_ changes: ConnectionChanges) throws -> UInt64 {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let generation = changes.listeningGeneration { return generation }
            usleep(10_000)
        }
        throw CacheTestFailure(message: "the listener did not connect within 10 s")
    }

    /// Seconds until the generation moves past `generation`; fails past the bound.
    static func secondsUntilChange(_ changes: ConnectionChanges, after generation: UInt64) throws -> Double {
        let started = Date()
        while Date().timeIntervalSince(started) < notificationBoundSeconds {
            if changes.generation != generation { return Date().timeIntervalSince(started) }
            usleep(1_000)
        }
        throw CacheTestFailure(message: "no change seen within \(notificationBoundSeconds) s")
    }

    struct CacheTestFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    @Test func aRouteIsReadOnceUntilAConnectionChanges() throws {
        let fixture = try CallbackFixture()
        let changes = ConnectionChanges(configuration: fixture.pool.configuration)
        defer { changes.stop() }
        let generation = try Self.listening(changes)
        let cache = RouteCache<Int>(changes: changes, ageMaxSeconds: 60)
        let loads = Mutex(0)
        let load = { loads.withLock { $0 += 1; return $0 } }
        #expect(cache.value(for: "k", load: load) == (1, false))
        #expect(cache.value(for: "k", load: load) == (1, true))
        #expect(cache.value(for: "other", load: load) == (2, false))
        // Any change to the connections' tables, from any session, empties it.
        let id = try fixture.pool.withConnection { try BankConnections.list(schoolID: fixture.school.id, on: $0)[0].id }
        try fixture.billing.transaction {
            try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "another-secret-value", retireOld: false, on: $0)
        }
        _ = try Self.secondsUntilChange(changes, after: generation)
        #expect(cache.value(for: "k", load: load) == (3, false))
        #expect(cache.value(for: "k", load: load) == (3, true))
        #expect(cache.value(for: "k", fresh: true, load: load) == (4, false))
    }

    @Test func nothingIsCachedWhileTheListenerIsNotListening() throws {
        let fixture = try CallbackFixture()
        let changes = ConnectionChanges(configuration: fixture.pool.configuration)
        _ = try Self.listening(changes)
        changes.stop()
        #expect(changes.listeningGeneration == nil)
        let cache = RouteCache<Int>(changes: changes, ageMaxSeconds: 60)
        let loads = Mutex(0)
        let load = { loads.withLock { $0 += 1; return $0 } }
        #expect(cache.value(for: "k", load: load) == (1, false))
        #expect(cache.value(for: "k", load: load) == (2, false))
    }

    @Test func aValueReadWhileAChangeArrivesIsNotKept() throws {
        let fixture = try CallbackFixture()
        let changes = ConnectionChanges(configuration: fixture.pool.configuration)
        defer { changes.stop() }
        let generation = try Self.listening(changes)
        let cache = RouteCache<Int>(changes: changes, ageMaxSeconds: 60)
        let id = try fixture.pool.withConnection { try BankConnections.list(schoolID: fixture.school.id, on: $0)[0].id }
        // The change commits and is heard while the value is being read: the value may predate it.
        let first = try cache.value(for: "k") { () throws -> Int in
            try fixture.billing.transaction {
                try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "another-secret-value", retireOld: false, on: $0)
            }
            _ = try Self.secondsUntilChange(changes, after: generation)
            return 1
        }
        #expect(first == (1, false))
        #expect(cache.value(for: "k") { 2 } == (2, false))
        #expect(cache.value(for: "k") { 3 } == (2, true))
    }

    @Test func entriesLapseAfterTheirMaximumAge() throws {
        let cache = RouteCache<Int>(changes: nil, ageMaxSeconds: 0.2)
        #expect(cache.value(for: "k") { 1 } == (1, false))
        #expect(cache.value(for: "k") { 2 } == (1, true))
        usleep(300_000)
        #expect(cache.value(for: "k") { 3 } == (3, false))
    }

    @Test func retiringASecretRefusesTheNextCallbackOnceNotified() throws {
        var fixture = try CallbackFixture()
        let changes = ConnectionChanges(configuration: fixture.pool.configuration)
        defer { changes.stop() }
        let now = fixture.now
        fixture.ingest = CallbackIngest(pool: fixture.pool, catalog: fixture.catalog, clock: { now }, changes: changes)
        _ = try Self.listening(changes)
        let id = try fixture.pool.withConnection { try BankConnections.list(schoolID: fixture.school.id, on: $0)[0].id }
        #expect(fixture.deliver(CallbackFixture.body(id: "C1", amount: 10, memo: "a")).outcome == .accepted)
        #expect(fixture.deliver(CallbackFixture.body(id: "C2", amount: 10, memo: "b")).outcome == .accepted)

        // A secret added is accepted at once, notified or not: a refusal is decided on the database's route.
        let beforeAdding = changes.generation
        try fixture.billing.transaction {
            try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "the-new-secret-value", retireOld: false, on: $0)
        }
        #expect(fixture.deliver(CallbackFixture.body(id: "C3", amount: 10, memo: "c"), secret: "the-new-secret-value").outcome == .accepted)
        // Once notified, the route with both secrets is cached (read after the notification).
        _ = try Self.secondsUntilChange(changes, after: beforeAdding)
        #expect(fixture.deliver(CallbackFixture.body(id: "C3B", amount: 10, memo: "cb"), secret: "the-new-secret-value").outcome == .accepted)

        // The old secret retired: refused as soon as the notification is heard, within the bound.
        let before = changes.generation
        try fixture.billing.transaction {
            try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "the-newest-secret", retireOld: true, on: $0)
        }
        let seconds = try Self.secondsUntilChange(changes, after: before)
        #expect(seconds < Self.notificationBoundSeconds)
        #expect(fixture.deliver(CallbackFixture.body(id: "C4", amount: 10, memo: "d"), secret: "the-new-secret-value").outcome == .refusedSignature)
        #expect(fixture.deliver(CallbackFixture.body(id: "C5", amount: 10, memo: "e"), secret: "the-newest-secret").outcome == .accepted)

        // The connection removed: its account is no longer routed.
        let beforeRemoval = changes.generation
        try fixture.billing.transaction { try BankConnections.remove(schoolID: fixture.school.id, connectionID: id, on: $0) }
        _ = try Self.secondsUntilChange(changes, after: beforeRemoval)
        #expect(fixture.deliver(CallbackFixture.body(id: "C6", amount: 10, memo: "f"), secret: "the-newest-secret").outcome == .unknownAccount)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 5)
    }

    @Test func collectionRoutesFollowNotifiedChanges() throws {
        let base = try CollectionFixture()
        let changes = ConnectionChanges(configuration: base.pool.configuration)
        defer { changes.stop() }
        let fixture = base.listening(to: changes)
        _ = try Self.listening(changes)
        let accepted = try fixture.send("inquiry", ["customer_code": "HS999"])
        #expect(accepted.outcome != .forged && accepted.outcome != .unknownMerchant, "\(accepted.reason ?? "")")
        let provider = fixture.tuition.connectionProvider
        let id = try fixture.pool.withConnection {
            try BankConnections.list(schoolID: fixture.school.id, on: $0).first { $0.provider == provider }!.id
        }
        let before = changes.generation
        try fixture.billing.transaction {
            try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "collection-secret-new-2026", retireOld: true, on: $0)
        }
        _ = try Self.secondsUntilChange(changes, after: before)
        // The route cached for the first inquiry held the old secret: dropped on the notification, not 5 s later.
        #expect(try fixture.send("inquiry", ["customer_code": "HS999"]).outcome == .forged)
        let renewed = try fixture.send("inquiry", ["customer_code": "HS999"], secret: "collection-secret-new-2026")
        #expect(renewed.outcome != .forged && renewed.outcome != .unknownMerchant, "\(renewed.reason ?? "")")
    }
}
