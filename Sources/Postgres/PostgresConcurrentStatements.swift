import CLibPQ
import Glibc

/// Statements sent now and read later on several connections at once, as pgbench drives its clients:
/// one thread sends on each of its connections, then waits once for whichever answers first, instead
/// of one thread per connection that sleeps and wakes for every statement (on two cores, a kernel task
/// switch per statement: docs/ledger.md, "The client's own cost per query").
///
/// `start` sends a statement and returns; `finishIfReady` reads its result when it has arrived, and
/// `finish` waits for it. In between the connection is the caller's and takes no other statement.
/// The statement runs as `query` would run it (on its own, or inside the connection's transaction).
extension PostgresConnection {
    /// Connections `waitForAnswer` takes at most.
    public static let concurrentStatementsMax = 64

    /// Sends `query` without waiting for its result. The connection must have nothing queued by `send`.
    public func start(_ query: PostgresQuery) throws(PostgresError) {
        takeExclusiveUse()
        precondition(pipelineQueue.isEmpty && !pipelineBeginQueued, "start on a connection with statements queued by send")
        do throws(PostgresError) {
            countRoundTrip()
            let name = try preparedName(for: query)
            guard try send(query, preparedName: name) else { throw connectionError() }
            started = StartedStatement(query: query, preparedName: name)
        } catch {
            endExclusiveUse()
            throw error
        }
    }

    /// True between `start` and the read of its result.
    public var hasStartedStatement: Bool { started != nil }

    /// The socket to wait on for a started statement's result (`waitForAnswer`, or an event loop's epoll).
    public var socketDescriptor: Int32 { PQsocket(rawConnection) }

    /// The started statement's rows, waiting for them.
    public func finish() throws(PostgresError) -> PostgresRows {
        guard let statement = started else { preconditionFailure("finish without a started statement") }
        started = nil
        defer { endExclusiveUse() }
        return try readResult(of: statement.query, preparedName: statement.preparedName, firstError: nil).0.get()
    }

    /// The started statement's rows when they have arrived, nil while the server is still answering
    /// (reads what the socket holds without waiting).
    public func finishIfReady() throws(PostgresError) -> PostgresRows? {
        precondition(started != nil, "finishIfReady without a started statement")
        guard PQconsumeInput(rawConnection) == 1 else { return try finish() }
        return PQisBusy(rawConnection) == 1 ? nil : try finish()
    }

    /// Waits until at least one of `connections` (each with a started statement) has something to read,
    /// or `timeoutMilliseconds` pass; returns the indices of those that do.
    public static func waitForAnswer(_ connections: [PostgresConnection], timeoutMilliseconds: Int32) -> [Int] {
        precondition(connections.count <= concurrentStatementsMax && connections.allSatisfy(\.hasStartedStatement))
        var descriptors = connections.map { pollfd(fd: $0.socketDescriptor, events: Int16(POLLIN), revents: 0) }
        guard poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds) > 0 else { return [] }
        return descriptors.indices.filter { descriptors[$0].revents != 0 }
    }
}

/// A statement `start` sent, whose result is still to be read.
struct StartedStatement {
    let query: PostgresQuery
    let preparedName: String?
}
