import CLibPQ

/// Single statements sent on one connection one after another, without waiting for the answers of those
/// before (libpq's pipeline mode, with a sync after each statement): each statement is its own
/// transaction and fails alone, and the answers come back in order. An event loop reading bank inquiries
/// uses one per connection: the backend finds the next inquiry waiting when it finishes one, instead of
/// sleeping and being woken for each, and a loop needs one backend instead of one per inquiry in flight
/// (docs/collection.md, "Inquiries on the event loop").
///
/// Nothing here waits: `start` writes a statement (libpq's blocking write of a few hundred bytes, which
/// the socket's buffer takes whole: at most `inFlightMax` statements and their answers are under way), and
/// `readArrived` reads what the socket holds. Statements must have been prepared on the connection before
/// (a prepare would be a round trip the caller waits for); any other runs unnamed, parsed each time.
///
/// Owned by one thread, like its connection, which it holds from `init` to `close`.
public final class PostgresStatementStream {
    public let connection: PostgresConnection
    /// Statements sent and not yet answered, oldest first.
    private var inFlight: [StartedStatement] = []
    /// How far the answer of the oldest statement in flight was read.
    private var oldestRead = AnswerStage.result
    /// Why the connection failed; the statements in flight are then answered with it.
    private var failure: PostgresError?

    /// Statements in flight at most: bounds the rows held and the wait of the last one sent.
    public static let inFlightMax = 16

    private enum AnswerStage {
        /// Its result comes next.
        case result
        /// Its result was read; the NULL that ends it, then its sync's answer, come next.
        case end(Result<PostgresRows, PostgresError>)
        case sync(Result<PostgresRows, PostgresError>)
    }

    /// Takes `connection` (open, idle, nothing started on it) into pipeline mode.
    public init(_ connection: PostgresConnection) throws(PostgresError) {
        connection.takeExclusiveUse()
        precondition(connection.isOutsideTransaction && connection.pipelineQueue.isEmpty, "a statement stream on a busy connection")
        guard PQenterPipelineMode(connection.rawConnection) == 1 else {
            connection.endExclusiveUse()
            throw connection.connectionError()
        }
        self.connection = connection
    }

    /// Statements sent and not yet answered.
    public var count: Int { inFlight.count }

    /// True once the connection failed: nothing more can be started, and `readArrived` answers every statement
    /// in flight with the error.
    public var isBroken: Bool { failure != nil }

    /// The socket to watch for answers.
    public var socketDescriptor: Int32 { PQsocket(connection.rawConnection) }

    /// Sends `query` with its own sync. Throws, having queued nothing that will answer, when the connection
    /// fails (it is then broken) or a parameter is too long.
    public func start(_ query: PostgresQuery) throws(PostgresError) {
        precondition(failure == nil && inFlight.count < Self.inFlightMax, "a statement started on a broken or full stream")
        let name = connection.alreadyPreparedName(for: query)
        connection.countRoundTrip()
        // Throws before anything is written (a parameter too long): the stream stays usable.
        let sent = try connection.send(query, preparedName: name)
        guard sent, PQpipelineSync(connection.rawConnection) == 1 else {
            let error = connection.connectionError()
            fail(with: error)
            throw error
        }
        inFlight.append(StartedStatement(query: query, preparedName: name))
    }

    /// The answers that have arrived, oldest first, each for the oldest statement still in flight then: read
    /// from the socket without waiting. Once the connection failed, every statement in flight is answered
    /// with the error (`isBroken`).
    public func readArrived() -> [Result<PostgresRows, PostgresError>] {
        var answers: [Result<PostgresRows, PostgresError>] = []
        if failure == nil { readAnswers(into: &answers) }
        if let failure {
            answers += inFlight.map { _ in .failure(failure) }
            inFlight.removeAll()
        }
        return answers
    }

    private func readAnswers(into answers: inout [Result<PostgresRows, PostgresError>]) {
        let raw = connection.rawConnection
        guard PQconsumeInput(raw) == 1 else { return fail(with: connection.connectionError()) }
        while !inFlight.isEmpty && PQisBusy(raw) == 0 {
            let result = PQgetResult(raw)
            switch oldestRead {
            case .result:
                guard let result else { return fail(with: connection.connectionError()) }
                oldestRead = .end(answer(result, of: inFlight[0]))
            case .end(let answer):
                if let result {
                    // A statement answers with one result; a second is a protocol surprise.
                    PQclear(result)
                    return fail(with: PostgresError(code: .unexpected, serverMessage: "statement stream: a second result"))
                }
                oldestRead = .sync(answer)
            case .sync(let answer):
                guard let result else { return fail(with: connection.connectionError()) }
                let status = PQresultStatus(result)
                PQclear(result)
                guard status == PGRES_PIPELINE_SYNC else {
                    return fail(with: PostgresError(code: .unexpected, serverMessage: "statement stream: expected a sync, got status \(status.rawValue)"))
                }
                inFlight.removeFirst()
                oldestRead = .result
                answers.append(answer)
            }
        }
        if PQstatus(raw) != CONNECTION_OK { fail(with: connection.connectionError()) }
    }

    /// Closes the connection (and with it the stream).
    public func close() {
        connection.endExclusiveUse()
        connection.close()
    }

    private func answer(_ result: OpaquePointer, of statement: StartedStatement) -> Result<PostgresRows, PostgresError> {
        if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
            PQclear(result)
            return .failure(PostgresError(code: .unexpected, serverMessage: "statement stream: statement skipped"))
        }
        do {
            return .success(try connection.check(result))
        } catch {
            // A schema change invalidates a cached plan (0A000): forget it so that a worker's use prepares it again.
            if error.sqlState == SQLState(rawValue: "0A000"), let name = statement.preparedName { connection.forgetPrepared(statement.query.sql, name: name) }
            return .failure(error)
        }
    }

    /// Marks the stream broken: `readArrived` answers every statement in flight with `error`.
    private func fail(with error: PostgresError) {
        if failure == nil { failure = error }
    }
}
