import Foundation
import Postgres
import TestSupport
import Testing

/// `PostgresConnection.send` and its pipeline flushes, against the real server.
@Suite struct PipelineTests {
    static func database() throws -> TestDatabase {
        let database = try TestDatabase.create()
        let setup = try database.connectAsOwner()
        try setup.simpleQuery(unsafeSQL: """
            CREATE TABLE item (id int8 PRIMARY KEY, name text, tags text[]);
            INSERT INTO item VALUES (1, 'one', '{a,b}'), (2, NULL, NULL), (3, 'three', '{}');
            """)
        setup.close()
        return database
    }

    @Test func resultsLandInTheirOwnHandlesInOneRoundTrip() throws {
        let pool = try Self.database().pool(size: 1)
        defer { pool.close() }
        let processRoundTripsBefore = PostgresRoundTrips.total
        let (names, tags, count, inserted) = try pool.transaction(isolation: .readCommitted, pipelinedBegin: true) { connection in
            // Warm the prepared-statement cache so the flush below is the only round trip.
            let nameSQL = "SELECT id, name FROM item WHERE id = ANY($1) ORDER BY id"
            _ = try connection.query(PostgresQuery(unsafeSQL: nameSQL, parameters: [PostgresParameter(PostgresInt64Array([1]))]))
            let roundTripsWarm = connection.roundTrips
            // Prepared (cached), unnamed-in-effect (new SQL, prepared on first use) and an insert whose rows nobody reads.
            let names = try connection.send(PostgresQuery(unsafeSQL: nameSQL, parameters: [PostgresParameter(PostgresInt64Array([1, 2, 3]))])) {
                try $0.decode((Int64, String?).self)
            }
            let tags = try connection.send("SELECT tags FROM item WHERE id = ANY(\(PostgresInt64Array([1, 2]))) ORDER BY id") {
                try $0.map { try $0.decode(column: 0, as: PostgresTextArray?.self)?.values }
            }
            try connection.send("INSERT INTO item VALUES (\(Int64(4)), \(String?.none), \(PostgresTextArray(["x", "y z"])))")
            let count = try connection.send("SELECT count(*) FROM item") { try $0.singleRow()!.decode(column: 0, as: Int64.self) }
            #expect(!names.isSettled && !count.isSettled)
            let counted = try count.get()
            #expect(names.isSettled && tags.isSettled)
            // One round trip for the flush, plus one prepare for each of the three statements new to the cache.
            #expect(connection.roundTrips - roundTripsWarm == 4)
            // Sent again, now prepared: the four statements cost one round trip.
            let again = connection.roundTrips
            _ = try connection.send(PostgresQuery(unsafeSQL: nameSQL, parameters: [PostgresParameter(PostgresInt64Array([2]))]))
            _ = try connection.send("SELECT tags FROM item WHERE id = ANY(\(PostgresInt64Array([3]))) ORDER BY id")
            _ = try connection.send("SELECT count(*) FROM item").get()
            #expect(connection.roundTrips - again == 1)
            return (try names.get(), try tags.get(), counted, try connection.query("SELECT tags FROM item WHERE id = 4"))
        }
        #expect(names.map(\.0) == [1, 2, 3] && names.map(\.1) == ["one", nil, "three"])
        #expect(tags == [["a", "b"], nil])
        #expect(count == 4)
        #expect(try inserted.singleRow()!.decode(column: 0, as: PostgresTextArray.self).values == ["x", "y z"])
        #expect(PostgresRoundTrips.total > processRoundTripsBefore)
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM item").singleRow()!.decode(column: 0, as: Int64.self) } == 4)
    }

    @Test func anErrorMidPipelineFailsEveryHandleAndStoresNothing() throws {
        let database = try Self.database()
        let pool = database.pool(size: 1)
        defer { pool.close() }
        var handles: [PostgresPending<PostgresRows>] = []
        do {
            try pool.transaction(isolation: .readCommitted, pipelinedBegin: true, retries: 0) { connection in
                handles.append(try connection.send("INSERT INTO item VALUES (\(Int64(10)), 'ten', NULL)"))
                handles.append(try connection.send("INSERT INTO item VALUES (\(Int64(1)), 'again', NULL)")) // duplicate key
                handles.append(try connection.send("INSERT INTO item VALUES (\(Int64(11)), 'eleven', NULL)"))
                // Never read: the commit's flush must surface the error and roll everything back.
            }
            Issue.record("a failed pipelined insert committed")
        } catch let error as PostgresError {
            #expect(error.sqlState == .uniqueViolation)
            #expect(error.transactionStep == .body)
        }
        for handle in handles {
            #expect(throws: PostgresError.self) { try handle.get() }
        }
        #expect(handles[1].failedItself && !handles[0].failedItself && !handles[2].failedItself)
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM item").singleRow()!.decode(column: 0, as: Int64.self) } == 3)
        // The connection went back to the pool healthy and idle, and works outside pipelines.
        #expect(try pool.withConnection { try $0.query("SELECT 1").count } == 1)
        #expect(pool.statistics.open == 1)
    }

    @Test func anAwaitedHandleThrowsTheFlushsFirstErrorAndTheTransactionRollsBack() throws {
        let pool = try Self.database().pool(size: 1)
        defer { pool.close() }
        do {
            try pool.transaction(isolation: .readCommitted, pipelinedBegin: true, retries: 0) { connection in
                try connection.send("INSERT INTO item VALUES (\(Int64(20)), 'twenty', NULL)")
                let bad = try connection.send("SELECT 1 / \(Int64(0))")
                let later = try connection.send("SELECT 42") { try $0.singleRow()!.decode(column: 0, as: Int64.self) }
                do {
                    _ = try later.get()
                    Issue.record("a statement after a failed one returned a result")
                } catch let error as PostgresError {
                    #expect(error.sqlState == SQLState(rawValue: "22012"))
                    #expect(bad.failedItself && !later.failedItself)
                    throw error
                }
            }
        } catch let error as PostgresError {
            #expect(error.sqlState == SQLState(rawValue: "22012"))
        }
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM item WHERE id = 20").singleRow()!.decode(column: 0, as: Int64.self) } == 0)
    }

    @Test func aLockTimeoutInsideAPipelineIsReportedAsATimeout() throws {
        let database = try Self.database()
        let pool = database.pool(size: 1)
        defer { pool.close() }
        let holder = try database.connect()
        defer { holder.close() }
        try holder.simpleQuery(unsafeSQL: "BEGIN; SELECT * FROM item WHERE id = 1 FOR UPDATE")
        do {
            try pool.transaction(isolation: .readCommitted, pipelinedBegin: true, retries: 0) { connection in
                try connection.send("SET LOCAL lock_timeout = '100ms'")
                try connection.send("SELECT * FROM item WHERE id = \(Int64(1)) FOR UPDATE")
                try connection.send("INSERT INTO item VALUES (\(Int64(30)), 'thirty', NULL)")
            }
            Issue.record("a locked row was taken")
        } catch let error as PostgresError {
            #expect(error.isTimeout, "\(error.debugDescription)")
        }
        try holder.simpleQuery(unsafeSQL: "ROLLBACK")
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM item WHERE id = 30").singleRow()!.decode(column: 0, as: Int64.self) } == 0)
    }

    @Test func anOrdinaryQueryRidesInThePipelineAndPreparedAndUnnamedMix() throws {
        let pool = try Self.database().pool(size: 1)
        defer { pool.close() }
        try pool.transaction(isolation: .readCommitted) { connection in
            let first = try connection.send("SELECT name FROM item WHERE id = \(Int64(1))") { try $0.singleRow()!.decode(column: 0, as: String.self) }
            // BEGIN outside the pipeline here: the plain `query` flushes the queued statement with itself.
            let rows = try connection.query("SELECT name FROM item WHERE id = \(Int64(3))")
            #expect(first.isSettled)
            #expect(try first.get() == "one")
            #expect(try rows.singleRow()!.decode(column: 0, as: String.self) == "three")
            // Past the flush, a simple query first sends what is queued, then runs on its own.
            let queued = try connection.send("SELECT count(*) FROM item") { try $0.singleRow()!.decode(column: 0, as: Int64.self) }
            try connection.simpleQuery(unsafeSQL: "SET LOCAL statement_timeout = '5s'")
            #expect(queued.isSettled)
            #expect(try queued.get() == 3)
        }
    }

    @Test func outsideATransactionASentStatementRunsAtOnce() throws {
        let pool = try Self.database().pool(size: 1)
        defer { pool.close() }
        try pool.withConnection { connection in
            let handle = try connection.send("INSERT INTO item VALUES (\(Int64(40)), 'forty', NULL)")
            // Not queued: a pipeline outside a transaction would make its statements one implicit transaction.
            #expect(handle.isSettled && !connection.hasPipelinedStatements)
            #expect(try handle.get().affectedRows == 1)
            #expect(connection.isOutsideTransaction)
        }
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM item WHERE id = 40").singleRow()!.decode(column: 0, as: Int64.self) } == 1)
    }

    @Test func largeBodiesInOnePipelineDoNotDeadlock() throws {
        let pool = try Self.database().pool(size: 1)
        defer { pool.close() }
        // As many audit-sized bodies as a group-commit batch may carry (64 × 64 KiB), each inserted and
        // read back in the same pipeline: the server writes results while we still write statements.
        let body = String(repeating: "é0123456789abcdef", count: 64 * 1024 / 18)
        let lengths = try pool.transaction(isolation: .readCommitted, pipelinedBegin: true) { connection in
            let handles = try (0..<64).map { index in
                try connection.send("INSERT INTO item VALUES (\(Int64(100 + index)), \(body), NULL) RETURNING name") {
                    Int64(try $0.singleRow()!.decode(column: 0, as: String.self).count)
                }
            }
            return try handles.map { try $0.get() }
        }
        #expect(lengths == Array(repeating: Int64(body.count), count: 64))
    }

    @Test func aFullQueueFlushesOnItsOwnWithinTheBound() throws {
        let pool = try Self.database().pool(size: 1)
        defer { pool.close() }
        let total = PostgresConnection.pipelineStatementsMax + 10
        let values = try pool.transaction(isolation: .readCommitted, pipelinedBegin: true) { connection in
            let handles = try (0..<total).map { index in
                try connection.send("SELECT \(Int64(index)) + 1") { try $0.singleRow()!.decode(column: 0, as: Int64.self) }
            }
            #expect(handles[0].isSettled && !handles[total - 1].isSettled)
            return try handles.map { try $0.get() }
        }
        #expect(values == (0..<total).map { Int64($0) + 1 })
    }
}
