import Core
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite struct PoolAndTransactionTests {
    @Test func sixteenThreadsShareAnEightConnectionPool() throws {
        let database = try TestDatabase.create()
        let setup = try database.connectAsOwner()
        try setup.simpleQuery(unsafeSQL: "CREATE TABLE counter (id int PRIMARY KEY, n int8 NOT NULL); INSERT INTO counter VALUES (1, 0)")
        setup.close()
        let pool = database.pool(size: 8)
        let failures = Mutex(0)
        let maxInUse = Mutex(0)
        let threads = 16, increments = 50
        BlockingThreads.run(count: threads) { _ in
            for _ in 0..<increments {
                do {
                    try pool.withConnection { connection in
                        maxInUse.withLock { $0 = max($0, pool.statistics.inUse) }
                        try connection.query("UPDATE counter SET n = n + 1 WHERE id = 1")
                    }
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let total = try pool.withConnection { try $0.query("SELECT n FROM counter").singleRow()!.decode(column: 0, as: Int64.self) }
        #expect(total == Int64(threads * increments))
        let statistics = pool.statistics
        #expect(statistics.open <= 8 && statistics.inUse == 0 && statistics.waiting == 0)
        #expect(maxInUse.withLock { $0 } <= 8)
        pool.close()
    }

    @Test func checkoutTimesOutWhenThePoolIsExhausted() throws {
        let pool = try TestDatabase.create().pool(size: 1, checkoutTimeoutSeconds: 0.3)
        try pool.withConnection { _ in
            let started = Date()
            do {
                try pool.withConnection { _ in }
                Issue.record("a second checkout succeeded on a pool of one")
            } catch let error as PostgresError {
                #expect(error.code == .poolTimeout)
                #expect(Date().timeIntervalSince(started) >= 0.25)
            }
        }
        pool.close()
    }

    @Test func serializationFailureIsRetriedToSuccess() throws {
        let database = try TestDatabase.create()
        let setup = try database.connectAsOwner()
        try setup.simpleQuery(unsafeSQL: "CREATE TABLE account (id int PRIMARY KEY, balance int8 NOT NULL); INSERT INTO account VALUES (1, 0)")
        let pool = database.pool(size: 2)
        let attempts = Mutex(0)
        // The first attempt reads, then another session commits a change to the same row,
        // so the first attempt's write fails with 40001; the retry succeeds.
        try pool.transaction(isolation: .serializable) { connection in
            let attempt = attempts.withLock { value -> Int in value += 1; return value }
            let balance = try connection.query("SELECT balance FROM account WHERE id = 1").singleRow()!.decode(column: 0, as: Int64.self)
            if attempt == 1 {
                try setup.query("UPDATE account SET balance = balance + 100 WHERE id = 1")
            }
            try connection.query("UPDATE account SET balance = \(balance + 1) WHERE id = 1")
        }
        #expect(attempts.withLock { $0 } == 2)
        #expect(try setup.query("SELECT balance FROM account").singleRow()!.decode(column: 0, as: Int64.self) == 101)
        pool.close()
    }

    /// A layer above may wrap the database error (a ledger refusal carrying a deadlock): still retried.
    @Test func aConflictWrappedByAnotherLayerIsRetried() throws {
        struct Wrapped: PostgresErrorCarrying {
            var underlyingPostgresError: PostgresError?
        }
        let database = try TestDatabase.create()
        let pool = database.pool(size: 1)
        let attempts = Mutex(0)
        let result = try pool.transaction(isolation: .readCommitted) { connection -> Int in
            let attempt = attempts.withLock { value -> Int in value += 1; return value }
            if attempt == 1 { throw Wrapped(underlyingPostgresError: PostgresError(code: .server, sqlState: .deadlockDetected)) }
            return attempt
        }
        #expect(result == 2)
        // A wrapped error that is not a conflict is thrown at once.
        attempts.withLock { $0 = 0 }
        let notRetried = #expect(throws: Wrapped.self) {
            try pool.transaction(isolation: .readCommitted) { _ in
                attempts.withLock { $0 += 1 }
                throw Wrapped(underlyingPostgresError: PostgresError(code: .server, sqlState: .uniqueViolation))
            }
        }
        #expect(notRetried?.underlyingPostgresError?.sqlState == .uniqueViolation)
        #expect(attempts.withLock { $0 } == 1)
        pool.close()
    }

    /// A body that swallows a database error cannot report success: PostgreSQL would roll back at COMMIT.
    @Test func aTransactionAbortedInsideItsBodyIsNotReportedAsCommitted() throws {
        let database = try TestDatabase.create()
        let pool = database.pool(size: 1)
        // Created by the owner; the owner's default privileges let the pool's application role use it.
        try database.connectAsOwner().simpleQuery(unsafeSQL: "CREATE TABLE t (n int PRIMARY KEY)")
        let aborted = #expect(throws: PostgresError.self) {
            try pool.transaction(isolation: .readCommitted) { connection in
                try connection.query("INSERT INTO t VALUES (1)")
                _ = try? connection.query("INSERT INTO t VALUES (1)")
            }
        }
        // Reported as the body's failure, before COMMIT is sent: not the duplicate itself, which was swallowed.
        #expect(aborted?.code == .unexpected && aborted?.transactionStep == .body && aborted?.sqlState == nil, "\(String(describing: aborted))")
        #expect(try pool.withConnection { try $0.query("SELECT count(*) FROM t").singleRow()!.decode(column: 0, as: Int64.self) } == 0)
        pool.close()
    }

    @Test func transactionRollsBackOnErrorAndNamesTheStep() throws {
        let database = try TestDatabase.create()
        let pool = database.pool(size: 1)
        // Created by the owner; the owner's default privileges let the pool's application role use it.
        try database.connectAsOwner().simpleQuery(unsafeSQL: "CREATE TABLE t (n int PRIMARY KEY)")
        do {
            try pool.transaction(isolation: .readCommitted) { connection in
                try connection.query("INSERT INTO t VALUES (1)")
                try connection.query("INSERT INTO t VALUES (1)")
            }
            Issue.record("duplicate committed")
        } catch let error as PostgresError {
            #expect(error.sqlState == .uniqueViolation)
            #expect(error.transactionStep == .body)
        }
        let count = try pool.withConnection { try $0.query("SELECT count(*) FROM t").singleRow()!.decode(column: 0, as: Int64.self) }
        #expect(count == 0)
        pool.close()
    }

    @Test func poolRecoversAfterTheServerRestarts() throws {
        // A private cluster: restarting the shared one would disturb other tests.
        let home = NSTemporaryDirectory() + "tuition-restart-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let cluster = try EmbeddedCluster(home: home, extraSettings: ["fsync = off"])
        defer { try? cluster.destroy(); try? FileManager.default.removeItem(atPath: home) }
        try cluster.start()
        let pool = PostgresPool(configuration: cluster.configuration(), size: 4, checkoutTimeoutSeconds: 5)
        let before = try pool.withConnection { try $0.query("SELECT pg_backend_pid()").singleRow()!.decode(column: 0, as: Int32.self) }
        try cluster.restart()
        // The idle connection died with the server; the pool notices and opens a new one.
        let after = try pool.withConnection { try $0.query("SELECT pg_backend_pid()").singleRow()!.decode(column: 0, as: Int32.self) }
        #expect(before != after)
        // A transaction interrupted by a restart is retried on a fresh connection.
        let value = try pool.transaction(isolation: .readCommitted) { connection -> Int64 in
            try connection.query("SELECT 42::int8").singleRow()!.decode(column: 0, as: Int64.self)
        }
        #expect(value == 42)
        #expect(pool.statistics.inUse == 0)
        pool.close()
    }
}
