import Foundation
import Postgres
import TestSupport
import Testing

/// What the pool and a connection must still do when they skip work on the hot path: a connection
/// the server ended while it sat idle is replaced before use, a plan invalidated by a schema change
/// is prepared again.
@Suite struct ConnectionReuseTests {
    @Test func aConnectionTheServerEndedWhileIdleIsReplacedBeforeUse() throws {
        let database = try TestDatabase.create()
        let pool = database.pool(size: 1)
        defer { pool.close() }
        let before = try pool.withConnection { try $0.query("SELECT pg_backend_pid()").singleRow()!.decode(column: 0, as: Int32.self) }
        // An administrator's termination, as after a failover or `pg_terminate_backend` by an operator.
        let admin = try PostgresConnection(configuration: database.cluster.configuration(database: "postgres"))
        defer { admin.close() }
        try admin.query("SELECT pg_terminate_backend(\(before))")
        let deadline = Date().addingTimeInterval(5)
        while try admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(before)").count > 0 {
            #expect(Date() < deadline, "the terminated backend did not exit")
            if Date() >= deadline { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
        // The only pooled connection is the dead one: the checkout must notice and open another.
        let after = try pool.withConnection { try $0.query("SELECT pg_backend_pid()").singleRow()!.decode(column: 0, as: Int32.self) }
        #expect(after != before)
        #expect(pool.statistics.open == 1 && pool.statistics.inUse == 0)
    }

    /// Prepared statements are found by the SQL's bytes, not by `String` equality (canonical
    /// equivalence): two texts that differ only in their Unicode normalisation are two statements for
    /// PostgreSQL, and each must run as written. Each is prepared once, then reused.
    @Test func statementsAreCachedByTheirBytes() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        defer { connection.close() }
        let composed = PostgresQuery(unsafeSQL: "SELECT $1::int8, 'caf\u{E9}'::text", parameters: [PostgresParameter(Int64(1))])
        let decomposed = PostgresQuery(unsafeSQL: "SELECT $1::int8, 'cafe\u{301}'::text", parameters: [PostgresParameter(Int64(1))])
        #expect(composed.sql == decomposed.sql, "the two texts are canonically equivalent")
        func text(_ query: PostgresQuery) throws -> [UInt8] {
            Array(try connection.query(query).singleRow()!.decode(column: 1, as: String.self).utf8)
        }
        let start = connection.roundTrips
        #expect(try text(composed) == Array("caf\u{E9}".utf8))
        #expect(try text(decomposed) == [0x63, 0x61, 0x66, 0x65, 0xCC, 0x81])
        #expect(connection.roundTrips - start == 4, "each text prepared once and run once")
        let warm = connection.roundTrips
        #expect(try text(composed) == Array("caf\u{E9}".utf8))
        #expect(try text(decomposed) == [0x63, 0x61, 0x66, 0x65, 0xCC, 0x81])
        #expect(connection.roundTrips - warm == 2, "each run again without preparing")
    }

    /// Long texts are hashed by their ends only: two that differ only in the middle share a hash,
    /// and must still be two statements, each found again by its own bytes.
    @Test func longStatementsThatDifferOnlyInTheMiddleStayApart() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        defer { connection.close() }
        let padding = String(repeating: " ", count: 300)
        func query(_ middle: String) -> PostgresQuery {
            PostgresQuery(unsafeSQL: "SELECT $1::int8 + 0\(padding)\(middle)\(padding)+ 0", parameters: [PostgresParameter(Int64(1))])
        }
        func value(_ query: PostgresQuery) throws -> Int64 {
            try connection.query(query).singleRow()!.decode(column: 0, as: Int64.self)
        }
        #expect(try value(query("+ 1")) == 2)
        #expect(try value(query("+ 2")) == 3)
        let warm = connection.roundTrips
        #expect(try value(query("+ 1")) == 2)
        #expect(try value(query("+ 2")) == 3)
        #expect(connection.roundTrips - warm == 2, "each found prepared")
    }

    @Test func aSchemaChangeMakesTheNextUsePrepareAgain() throws {
        let database = try TestDatabase.create()
        let connection = try database.connectAsOwner()
        defer { connection.close() }
        try connection.simpleQuery(unsafeSQL: "CREATE TABLE widened (id int8 PRIMARY KEY); INSERT INTO widened VALUES (1)")
        let select: PostgresQuery = "SELECT * FROM widened WHERE id = \(Int64(1))"
        #expect(try connection.query(select).columnCount == 1)
        try connection.simpleQuery(unsafeSQL: "ALTER TABLE widened ADD COLUMN note text")
        // The cached plan's result type changed: PostgreSQL refuses it once, typed, with 0A000 ...
        do {
            try connection.query(select)
            Issue.record("the stale plan ran")
        } catch {
            #expect(error.code == .server)
            #expect(error.sqlState == SQLState(rawValue: "0A000"))
        }
        // ... and the next use prepares the statement again and sees the new column.
        #expect(try connection.query(select).columnCount == 2)
    }
}
