import Postgres
import TestSupport
import Testing

/// Statements started on several connections and read later (`start`, `finish`, `finishIfReady`,
/// `waitForAnswer`), against the real server.
@Suite struct ConcurrentStatementsTests {
    @Test func eachConnectionAnswersItsOwnStatementInOrder() throws {
        let database = try TestDatabase.create()
        let connections = try (0..<3).map { _ in try database.connect() }
        defer { for connection in connections { connection.close() } }
        let pids = try connections.map { try $0.query("SELECT pg_backend_pid()").singleRow()!.decode(column: 0, as: Int64.self) }
        for (index, connection) in connections.enumerated() { try connection.start("SELECT \(Int64(index * 10))::int8, pg_backend_pid()::int8") }
        let rows = try connections.map { try $0.finish() }
        #expect(try rows.map { try $0.singleRow()!.decode(column: 0, as: Int64.self) } == [0, 10, 20])
        #expect(try rows.map { try $0.singleRow()!.decode(column: 1, as: Int64.self) } == pids)
        // Prepared on first use: the same text again runs from each connection's cache.
        for connection in connections { try connection.start("SELECT \(Int64(7))::int8, pg_backend_pid()::int8") }
        let again = try connections.map { try $0.finish() }
        #expect(try again.map { try $0.singleRow()!.decode(column: 0, as: Int64.self) } == [7, 7, 7])
    }

    /// The first statement can only finish after the second has run: if `start` waited for its answer,
    /// the first would wait for a lock the second has not yet been sent to release (and time out).
    @Test func aStartedStatementRunsWhileItsThreadStartsAnother() throws {
        let database = try TestDatabase.create()
        let waiter = try database.connect(), holder = try database.connect()
        defer { waiter.close(); holder.close() }
        try holder.query("SELECT pg_advisory_lock(\(Int64(4242)))")
        try waiter.query("SET lock_timeout = '5s'")
        try waiter.start("SELECT pg_advisory_lock(\(Int64(4242)))::text, pg_advisory_unlock(\(Int64(4242)))")
        try holder.start("SELECT pg_sleep(0.2)::text, pg_advisory_unlock(\(Int64(4242)))")
        let rows = [try waiter.finish(), try holder.finish()]
        #expect(try rows.map { try $0.singleRow()!.decode(column: 1, as: Bool.self) } == [true, true])
    }

    @Test func aFailureIsThrownByItsOwnReadAndLeavesEveryConnectionUsable() throws {
        let database = try TestDatabase.create()
        let connections = try (0..<3).map { _ in try database.connect() }
        defer { for connection in connections { connection.close() } }
        try connections[2].simpleQuery(unsafeSQL: "BEGIN")
        try connections[0].start("SELECT 1 / \(Int64(0))")
        try connections[1].start("SELECT \(Int64(1))")
        try connections[2].start("SELECT \(Int64(2))")
        let error = try #require(throws: PostgresError.self) { try connections[0].finish() }
        #expect(error.sqlState == SQLState(rawValue: "22012"))
        #expect(try connections[1].finish().singleRow()!.decode(column: 0, as: Int64.self) == 1)
        #expect(try connections[2].finish().singleRow()!.decode(column: 0, as: Int64.self) == 2)
        // Every connection is idle again (the third still in its transaction) and answers.
        for connection in connections { #expect(try connection.query("SELECT 1").count == 1) }
        #expect(!connections[2].isOutsideTransaction)
        try connections[2].simpleQuery(unsafeSQL: "COMMIT")
    }

    @Test func aStartedStatementIsReadWhenItsAnswerArrivesAndHoldsItsConnectionUntilThen() throws {
        let database = try TestDatabase.create()
        let slow = try database.connect(), quick = try database.connect()
        defer { slow.close(); quick.close() }
        try slow.start("SELECT pg_sleep(1)::text, \(Int64(1))::int8")
        try quick.start("SELECT \(Int64(2))::int8")
        #expect(slow.hasStartedStatement && quick.hasStartedStatement)
        // The quick one answers first: the wait names it, and the slow one is not ready yet.
        var ready: [Int] = []
        while ready.isEmpty { ready = PostgresConnection.waitForAnswer([slow, quick], timeoutMilliseconds: 5_000) }
        #expect(ready == [1])
        #expect(try slow.finishIfReady() == nil)
        let quickRows = try #require(try quick.finishIfReady())
        #expect(try quickRows.singleRow()!.decode(column: 0, as: Int64.self) == 2)
        #expect(!quick.hasStartedStatement && slow.hasStartedStatement)
        // The slow one's rows, waited for; then the connection takes ordinary statements again.
        #expect(try slow.finish().singleRow()!.decode(column: 1, as: Int64.self) == 1)
        #expect(try slow.query("SELECT 1").count == 1)
        // A failed statement is thrown by the read, and leaves the connection usable.
        try quick.start("SELECT 1 / \(Int64(0))")
        let error = try #require(throws: PostgresError.self) { try quick.finish() }
        #expect(error.sqlState == SQLState(rawValue: "22012"))
        #expect(try quick.query("SELECT 1").count == 1)
    }

    @Test func aPoolDropsAConnectionCheckedInWithAStatementStillUnread() throws {
        let pool = try TestDatabase.create().pool(size: 1)
        defer { pool.close() }
        let first = try pool.withConnection { connection -> Int64 in
            let pid = try connection.query("SELECT pg_backend_pid()::int8").singleRow()!.decode(column: 0, as: Int64.self)
            try connection.start("SELECT pg_sleep(0.1)")
            return pid
        }
        let second = try pool.withConnection { try $0.query("SELECT pg_backend_pid()::int8").singleRow()!.decode(column: 0, as: Int64.self) }
        #expect(first != second)
        #expect(pool.statistics.open == 1)
    }
}
