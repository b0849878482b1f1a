import Foundation
import Postgres
import Testing
import TestSupport

/// Migration 0027 moves the single-column CHECK rules of the tables every callback and notice batch
/// writes into domains (built once per session instead of on every statement): the database must
/// refuse exactly what it refused, under the same constraint names, and the migration must apply on
/// a database already holding rows.
@Suite struct ColumnRuleDomainTests {
    static let tables = ["bank_transactions", "callback_deliveries", "journal_entries", "postings", "receipts", "payment_applications",
                         "collection_payments", "billing_counters", "dimension_balances", "account_balances"]
    static let migration = "0027"

    /// The rules on these tables' columns, read as `CallbackDoorTests` reads them.
    static func rules(_ connection: PostgresConnection) throws -> [String: String] {
        Dictionary(try CallbackDoorTests.constraints(connection, of: Self.tables), uniquingKeysWith: { first, _ in first })
    }

    /// A directory holding the migrations before 0027.
    static func earlierMigrations() throws -> String {
        let path = NSTemporaryDirectory() + "migrations-before-\(Self.migration)-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.migrations)
        where name.hasSuffix(".sql") && name < Self.migration {
            try FileManager.default.copyItem(atPath: Repository.migrations + "/" + name, toPath: path + "/" + name)
        }
        return path
    }

    @Test func everyRuleKeepsItsNameAndDefinitionOnADatabaseHoldingRows() throws {
        let database = try TestDatabase.create(migrated: false)
        let owner = try database.connectAsOwner()
        defer { owner.close() }
        let earlier = try Self.earlierMigrations()
        defer { try? FileManager.default.removeItem(atPath: earlier) }
        try Migrator(directory: earlier).migrate(owner)
        let before = try Self.rules(owner)
        // A delivery's audit row (it needs no school) holding a value at each converted bound.
        try owner.query("""
            INSERT INTO callback_deliveries (provider, request_id, method, query, headers, body, verdict, reason, body_sha256, body_bytes)
            VALUES ('tuition', \(String(repeating: "r", count: 64)), 'POST', '', '{}', \(Array(repeating: UInt8(ascii: "b"), count: 65_536)),
                    'malformed', \(String(repeating: "ý", count: 1_000)), \(Array(repeating: UInt8(7), count: 32)), 65536)
            """)

        #expect(try Migrator(directory: Repository.migrations).migrate(owner).contains { $0.hasPrefix(Self.migration) })
        // A rule comparing two columns reads a domain-typed column through a no-op cast to its base type.
        let after = try Self.rules(owner).mapValues { $0.replacing(/\((\w+)\)::text/) { String($0.output.1) } }
        #expect(before.count > 60, "\(before.count) rules read before \(Self.migration)")
        for name in Set(before.keys).union(after.keys) where after[name] != before[name] {
            Issue.record("\(name): \(before[name] ?? "none") became \(after[name] ?? "none")")
        }
        // Only rules comparing two columns are left as table CHECKs.
        let tableChecks = try owner.query("""
            SELECT count(*) FILTER (WHERE cardinality(conkey) = 1), count(*) FROM pg_constraint
            WHERE contype = 'c' AND conrelid::regclass::text = ANY(\(PostgresTextArray(Self.tables)))
            """).singleRow()!.decode((Int64, Int64).self)
        #expect(tableChecks.0 == 0 && tableChecks.1 == 7, "\(tableChecks)")
        let kept = try owner.query("SELECT length(request_id), length(body), length(reason), body_bytes::bigint FROM callback_deliveries")
            .singleRow()!.decode((Int64, Int64, Int64, Int64).self)
        #expect(kept == (64, 65_536, 1_000, 65_536))
    }

    /// The application meets a domain's refusal as it met the CHECK's: SQLSTATE 23514 naming the
    /// same constraint, and the statement changes nothing.
    @Test(arguments: [
        ("INSERT INTO callback_deliveries (provider, request_id, method, query, headers, body, verdict) VALUES ('tuition', 'r1', 'POST', '', '{}', '', 'lost')",
         "callback_deliveries_verdict_check"),
        ("INSERT INTO callback_deliveries (provider, request_id, method, query, headers, body, verdict) VALUES ('tuition', repeat('r', 65), 'POST', '', '{}', '', 'malformed')",
         "callback_deliveries_request_id_check"),
        ("INSERT INTO callback_deliveries (provider, request_id, method, query, headers, body, verdict) VALUES ('', 'r1', 'POST', '', '{}', '', 'malformed')",
         "callback_deliveries_provider_check"),
        ("INSERT INTO callback_deliveries (provider, request_id, method, query, headers, body, verdict, body_bytes) VALUES ('tuition', 'r1', 'POST', '', '{}', '', 'malformed', 65537)",
         "callback_deliveries_body_bytes_check"),
    ])
    func aRefusedValueIsACheckViolationNamingTheRule(_ case: (String, String)) throws {
        let database = try TestDatabase.create()
        let app = try database.connect()
        defer { app.close() }
        let refused = #expect(throws: PostgresError.self) { try app.query(PostgresQuery(unsafeSQL: `case`.0)) }
        #expect(refused?.sqlState == .checkViolation && refused?.constraintName == `case`.1, "\(String(describing: refused))")
        #expect(try app.query("SELECT count(*) FROM callback_deliveries").singleRow()!.decode(column: 0, as: Int64.self) == 0)
    }
}
