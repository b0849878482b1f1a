import Glibc
import Postgres
import TestSupport
import Testing

/// Single statements sent one after another on one connection without waiting (`PostgresStatementStream`),
/// against the real server: answers in order, each statement its own transaction failing alone, and a
/// connection that breaks answering every statement in flight.
@Suite struct StatementStreamTests {
    /// Reads until `count` answers arrived (waiting on the socket between reads), at most 5 s.
    static func answers(_ stream: PostgresStatementStream, count: Int) -> [Result<PostgresRows, PostgresError>] {
        var answers: [Result<PostgresRows, PostgresError>] = []
        let deadline = monotonicNanoseconds() + 5_000_000_000
        while answers.count < count && monotonicNanoseconds() < deadline {
            var descriptor = pollfd(fd: stream.socketDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 100)
            answers += stream.readArrived()
        }
        return answers
    }

    static func value(_ answer: Result<PostgresRows, PostgresError>) throws -> Int64 {
        try answer.get().singleRow()!.decode(column: 0, as: Int64.self)
    }

    @Test func statementsSentBeforeTheFirstAnswerAreAnsweredInOrderByOneBackend() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let pid = try connection.query("SELECT pg_backend_pid()::int8").singleRow()!.decode(column: 0, as: Int64.self)
        // Prepared before the stream (as a loop's warm-up does), then run by name.
        let statement: (Int64) -> PostgresQuery = { "SELECT \($0)::int8, pg_backend_pid()::int8" }
        _ = try connection.query(statement(0))
        let stream = try PostgresStatementStream(connection)
        defer { stream.close() }
        // The first sleeps, so the others are sent while it runs.
        try stream.start("SELECT \(Int64(1))::int8, pg_backend_pid()::int8, pg_sleep(0.2)::text")
        for value in 2...4 { try stream.start(statement(Int64(value))) }
        #expect(stream.count == 4)
        let answers = Self.answers(stream, count: 4)
        #expect(try answers.map(Self.value) == [1, 2, 3, 4])
        #expect(try answers.map { try $0.get().singleRow()!.decode(column: 1, as: Int64.self) } == [pid, pid, pid, pid])
        #expect(stream.count == 0 && !stream.isBroken)
        // Nothing in flight: nothing to read.
        #expect(stream.readArrived().isEmpty)
    }

    @Test func aFailingStatementFailsAloneAndEachRunsInItsOwnTransaction() throws {
        let database = try TestDatabase.create()
        let stream = try PostgresStatementStream(try database.connect())
        defer { stream.close() }
        try stream.start("CREATE TEMPORARY TABLE seen (n int8)")
        try stream.start("INSERT INTO seen VALUES (\(Int64(1)))")
        try stream.start("SELECT 1 / \(Int64(0))")
        try stream.start("INSERT INTO seen VALUES (\(Int64(2)))")
        try stream.start("SELECT count(*)::int8 FROM seen")
        let answers = Self.answers(stream, count: 5)
        #expect(answers.count == 5)
        guard answers.count == 5 else { return }
        #expect(throws: Never.self) { try answers[1].get() }
        let error = try #require(throws: PostgresError.self) { try answers[2].get() }
        #expect(error.sqlState == SQLState(rawValue: "22012"))
        // The statements after the failure ran, and the inserts before it were not rolled back with it.
        #expect(try Self.value(answers[4]) == 2)
        #expect(!stream.isBroken)
    }

    @Test func aConnectionTheServerEndsAnswersEveryStatementInFlightWithTheError() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let pid = try connection.query("SELECT pg_backend_pid()::int8").singleRow()!.decode(column: 0, as: Int64.self)
        let stream = try PostgresStatementStream(connection)
        defer { stream.close() }
        let killer = try database.connect()
        defer { killer.close() }
        try stream.start("SELECT pg_sleep(5)::text")
        try stream.start("SELECT \(Int64(2))::int8")
        #expect(try killer.query("SELECT pg_terminate_backend(\(pid)::int)").count == 1)
        let answers = Self.answers(stream, count: 2)
        #expect(answers.count == 2)
        for answer in answers { #expect(throws: PostgresError.self) { try answer.get() } }
        #expect(stream.isBroken && stream.count == 0)
    }
}
