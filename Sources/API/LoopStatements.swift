import Dispatch
import HTTP
import Postgres
import Synchronization

/// Single statements a loop-first handler runs without leaving its event loop: each loop keeps a few
/// database connections of its own, watched by its epoll (`LoopSockets`); a statement is sent on one of
/// them and its rows are read when they arrive, on the loop, so a bank's inquiry costs no worker
/// thread's wake-up and sleep (docs/collection.md, "Inquiries on the event loop").
///
/// A connection takes several statements at once (`PostgresStatementStream`: each its own transaction,
/// answered in order), up to `statementsPerConnectionMax`; a statement goes to the busiest connection
/// that has room, so that under load one backend answers the loop's inquiries one after another instead
/// of one backend per inquiry, each put to sleep and woken (docs/collection.md, "One connection, several
/// inquiries").
///
/// Nothing here waits: a connection is opened (and its statements prepared) by a worker job, and
/// handed to its loop through `LoopConnections.arrived`; until one has room, `start` declines and the
/// caller runs its statement on a worker as before. A statement is bounded by the connections'
/// `statement_timeout`, and its request by the HTTP reply timeout.
final class LoopStatements: Sendable {
    /// Connections one event loop keeps at most.
    static let connectionsPerLoopMax = 8
    /// Statements in flight on one connection at most: with 8 senders over two loops about four wait on
    /// each loop, so one connection per loop takes them all; a longer queue would only delay the last one.
    static let statementsPerConnectionMax = 4
    /// The sessions' `application_name`.
    static let applicationName = "tuition loop"
    /// After a connection could not be opened (the database down), a loop asks for none for this long: otherwise
    /// every inquiry would start another attempt, each holding a worker up to `connect_timeout`.
    static let reopenPauseNanoseconds: UInt64 = 1_000_000_000

    let configuration: PostgresConfiguration
    let connectionsPerLoop: Int
    /// Run on each new connection by the worker that opened it, so that `start` finds its statements prepared
    /// (a prepare is a round trip the loop would wait for).
    let warmUp: @Sendable (PostgresConnection) throws -> Void

    init(configuration: PostgresConfiguration, connectionsPerLoop: Int,
         warmUp: @escaping @Sendable (PostgresConnection) throws -> Void) {
        precondition((0...Self.connectionsPerLoopMax).contains(connectionsPerLoop))
        precondition(Self.statementsPerConnectionMax <= PostgresStatementStream.inFlightMax)
        var configuration = configuration
        // Told apart from the pool's sessions in pg_stat_activity (docs/operations.md).
        configuration.set("application_name", Self.applicationName)
        self.configuration = configuration
        self.connectionsPerLoop = connectionsPerLoop
        self.warmUp = warmUp
    }

    /// Sends `query` on a connection of the calling thread's event loop and returns true; `finish` is then
    /// called once, on this loop, with its rows or its error. False, with nothing sent, on a thread that is no
    /// event loop or when no connection of this loop has room (one more is opened by `workers` meanwhile, up
    /// to `connectionsPerLoop`).
    func start(_ query: PostgresQuery, workers: WorkerJobs,
               finish: @escaping (Result<PostgresRows, PostgresError>) -> Void) -> Bool {
        guard connectionsPerLoop > 0, let sockets = LoopSockets.current else { return false }
        let loop = sockets.state(for: ObjectIdentifier(self)) { LoopConnections(sockets: sockets) }
        loop.adoptArrived()
        guard let reader = loop.readerWithRoom() else {
            open(for: loop, workers: workers)
            return false
        }
        do {
            try reader.stream.start(query)
        } catch {
            // Nothing was sent that will answer this one; a broken connection goes, with what it had in flight.
            if reader.stream.isBroken { reader.settle(reader.stream.readArrived()) }
            return false
        }
        reader.finishes.append(finish)
        return true
    }

    /// One more connection for `loop`, opened by a worker, unless one is being opened or the loop has its share.
    private func open(for loop: LoopConnections, workers: WorkerJobs) {
        guard !loop.opening, loop.count < connectionsPerLoop, DispatchTime.now().uptimeNanoseconds >= loop.reopenAfter else { return }
        loop.opening = true
        let configuration = configuration, warmUp = warmUp
        let arrived = loop.arrived
        let queued = workers.run {
            var connection = try? PostgresConnection(configuration: configuration)
            if let opened = connection, (try? warmUp(opened)) == nil || !opened.isHealthy {
                opened.close()
                connection = nil
            }
            arrived.land(connection)
        }
        if !queued { loop.opening = false }
    }
}

/// One event loop's connections: confined to its thread (`LoopSockets.state`), but for `arrived`.
final class LoopConnections {
    let sockets: LoopSockets
    /// Connections that are open and watched, with or without statements in flight.
    private(set) var readers: [LoopReader] = []
    var count: Int { readers.count }
    /// An opening job was queued and has not arrived yet.
    var opening = false
    /// No connection is opened before this time (`DispatchTime` nanoseconds): the last attempt failed.
    var reopenAfter: UInt64 = 0
    /// Filled by the opening worker.
    let arrived = ArrivedConnections()

    init(sockets: LoopSockets) {
        self.sockets = sockets
    }

    deinit {
        // The loop has ended: nothing more is read from these connections.
        for reader in readers { reader.stream.close() }
        for case let connection? in arrived.take() { connection.close() }
    }

    /// The busiest connection with room for one more statement (the first of equals), nil when none has room.
    func readerWithRoom() -> LoopReader? {
        var chosen: LoopReader?
        for reader in readers where reader.stream.count < LoopStatements.statementsPerConnectionMax {
            if chosen == nil || reader.stream.count > chosen!.stream.count { chosen = reader }
        }
        return chosen
    }

    /// Watches the connections the workers opened since the last call.
    func adoptArrived() {
        guard opening else { return }
        let landed = arrived.take()
        guard !landed.isEmpty else { return }
        opening = false
        if landed.contains(where: { $0 == nil }) {
            reopenAfter = DispatchTime.now().uptimeNanoseconds + LoopStatements.reopenPauseNanoseconds
        }
        for case let connection? in landed {
            guard let stream = try? PostgresStatementStream(connection) else {
                connection.close()
                continue
            }
            let reader = LoopReader(stream: stream, owner: self)
            do {
                reader.token = try sockets.watch(stream.socketDescriptor, reader)
            } catch {
                stream.close()
                continue
            }
            readers.append(reader)
        }
    }

    /// A connection that failed or was closed by the server: unwatched and closed.
    func retire(_ reader: LoopReader) {
        if let token = reader.token { sockets.unwatch(token) }
        reader.token = nil
        readers.removeAll { $0 === reader }
        reader.stream.close()
    }
}

/// Connections opened by workers for a loop, until the loop takes them.
final class ArrivedConnections: Sendable {
    private let landed = Mutex<[PostgresConnection?]>([])

    /// A worker's connection, or nil when it could not be opened (the loop may ask again).
    func land(_ connection: PostgresConnection?) {
        landed.withLock { $0.append(connection) }
    }

    func take() -> [PostgresConnection?] {
        landed.withLock { landed in
            defer { landed.removeAll() }
            return landed
        }
    }
}

/// One connection of a loop, and whom to give the answers of the statements in flight on it.
final class LoopReader: LoopSocketWatcher {
    let stream: PostgresStatementStream
    var token: LoopSockets.Token?
    /// One per statement in flight, oldest first.
    var finishes: [(Result<PostgresRows, PostgresError>) -> Void] = []
    private unowned let owner: LoopConnections

    init(stream: PostgresStatementStream, owner: LoopConnections) {
        self.stream = stream
        self.owner = owner
    }

    func socketReadable() {
        guard !finishes.isEmpty else {
            // A connection with nothing in flight receives nothing we asked for: the server closed it or sent a fatal error.
            owner.retire(self)
            return
        }
        settle(stream.readArrived())
    }

    /// Hands each answer to its statement's finish, oldest first; a broken connection is retired first, so that a
    /// finish starting another statement does not pick it.
    func settle(_ answers: [Result<PostgresRows, PostgresError>]) {
        precondition(answers.count <= finishes.count, "more answers than statements in flight")
        let answered = Array(finishes.prefix(answers.count))
        finishes.removeFirst(answers.count)
        if stream.isBroken || !stream.connection.isHealthy { owner.retire(self) }
        for (finish, answer) in zip(answered, answers) { finish(answer) }
    }
}
