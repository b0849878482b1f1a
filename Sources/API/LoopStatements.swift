import Dispatch
import HTTP
import Postgres
import Synchronization

/// Single statements a loop-first handler runs without leaving its event loop: each loop keeps a few
/// database connections of its own, watched by its epoll (`LoopSockets`); a statement is sent on an
/// idle one and its rows are read when they arrive, on the loop, so a bank's inquiry costs no worker
/// thread's wake-up and sleep (docs/collection.md, "Inquiries on the event loop").
///
/// Nothing here waits: a connection is opened (and its statements prepared) by a worker job, and
/// handed to its loop through `LoopConnections.arrived`; until one is idle, `start` declines and the
/// caller runs its statement on a worker as before. A statement is bounded by the connections'
/// `statement_timeout`, and its request by the HTTP reply timeout.
final class LoopStatements: Sendable {
    /// Connections one event loop keeps at most.
    static let connectionsPerLoopMax = 8
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
        var configuration = configuration
        // Told apart from the pool's sessions in pg_stat_activity (docs/operations.md).
        configuration.set("application_name", Self.applicationName)
        self.configuration = configuration
        self.connectionsPerLoop = connectionsPerLoop
        self.warmUp = warmUp
    }

    /// Sends `query` on an idle connection of the calling thread's event loop and returns true; `finish` is then
    /// called once, on this loop, with its rows or its error. False, with nothing sent, on a thread that is no
    /// event loop or when no connection of this loop is idle (one more is opened by `workers` meanwhile, up to
    /// `connectionsPerLoop`).
    func start(_ query: PostgresQuery, workers: WorkerJobs,
               finish: @escaping (Result<PostgresRows, PostgresError>) -> Void) -> Bool {
        guard connectionsPerLoop > 0, let sockets = LoopSockets.current else { return false }
        let loop = sockets.state(for: ObjectIdentifier(self)) { LoopConnections(sockets: sockets) }
        loop.adoptArrived()
        guard let reader = loop.idle.popLast() else {
            open(for: loop, workers: workers)
            return false
        }
        do {
            try reader.connection.start(query)
        } catch {
            // Nothing was sent that will answer: the connection goes, the statement runs elsewhere.
            loop.retire(reader)
            return false
        }
        reader.finish = finish
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
    /// Connections that are open and watched, idle or with a statement started.
    private(set) var count = 0
    var idle: [LoopReader] = []
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
        for reader in idle { reader.connection.close() }
        for case let connection? in arrived.take() { connection.close() }
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
            let reader = LoopReader(connection: connection, owner: self)
            do {
                reader.token = try sockets.watch(connection.socketDescriptor, reader)
            } catch {
                connection.close()
                continue
            }
            count += 1
            idle.append(reader)
        }
    }

    /// A connection that failed or was closed by the server: unwatched and closed.
    func retire(_ reader: LoopReader) {
        if let token = reader.token { sockets.unwatch(token) }
        reader.token = nil
        idle.removeAll { $0 === reader }
        count -= 1
        reader.connection.close()
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

/// One connection of a loop, and the statement started on it.
final class LoopReader: LoopSocketWatcher {
    let connection: PostgresConnection
    var token: LoopSockets.Token?
    /// Set while a statement is started: whom to give its rows.
    var finish: ((Result<PostgresRows, PostgresError>) -> Void)?
    private unowned let owner: LoopConnections

    init(connection: PostgresConnection, owner: LoopConnections) {
        self.connection = connection
        self.owner = owner
    }

    func socketReadable() {
        guard let finish else {
            // An idle connection receives nothing we asked for: the server closed it or sent a fatal error.
            owner.retire(self)
            return
        }
        let rows: Result<PostgresRows, PostgresError>
        do {
            // Ready once the rows are in; the ReadyForQuery after them comes in the backend's same flush, so reading
            // it does not wait.
            guard let landed = try connection.finishIfReady() else { return }
            rows = .success(landed)
        } catch {
            rows = .failure(error)
        }
        self.finish = nil
        if connection.isHealthy && connection.isOutsideTransaction { owner.idle.append(self) } else { owner.retire(self) }
        finish(rows)
    }
}
