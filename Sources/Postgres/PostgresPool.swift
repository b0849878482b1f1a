/// A bounded pool of connections, safe to use from many threads.
///
/// Connections are opened lazily up to `size`. A checkout waits at most
/// `checkoutTimeoutSeconds` for a free connection. A connection found broken (after a
/// server restart, say) is closed and replaced by a new one on a later checkout, so the
/// pool recovers on its own once the server is back.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    public let size: Int
    public let checkoutTimeoutSeconds: Double

    public static let sizeMax = 200

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var inUse = 0
        var waiting = 0
        var closed = false
    }

    private let monitor = Monitor(State())

    public init(configuration: PostgresConfiguration, size: Int, checkoutTimeoutSeconds: Double = 5) {
        precondition(size >= 1 && size <= PostgresPool.sizeMax, "pool size must be 1...\(PostgresPool.sizeMax)")
        precondition(checkoutTimeoutSeconds > 0)
        self.configuration = configuration
        self.size = size
        self.checkoutTimeoutSeconds = checkoutTimeoutSeconds
    }

    public struct Statistics: Sendable, Equatable {
        public var size: Int
        public var open: Int
        public var inUse: Int
        public var idle: Int
        public var waiting: Int
    }

    public var statistics: Statistics {
        monitor.withLock { state in
            Statistics(size: size, open: state.open, inUse: state.inUse, idle: state.idle.count, waiting: state.waiting)
        }
    }

    /// Runs `body` with a connection checked out for this thread alone.
    @discardableResult
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkout()
        do {
            let value = try body(connection)
            checkin(connection)
            return value
        } catch {
            checkin(connection)
            throw error
        }
    }

    /// Closes idle connections and refuses further checkouts; connections in use close on check-in.
    public func close() {
        let idle = monitor.withLock { state -> [PostgresConnection] in
            state.closed = true
            let idle = state.idle
            state.open -= idle.count
            state.idle.removeAll()
            return idle
        }
        for connection in idle { connection.close() }
        monitor.broadcast()
    }

    // MARK: - Checkout

    private enum Grant {
        case connection(PostgresConnection)
        case openNew
        case closed
    }

    func checkout() throws(PostgresError) -> PostgresConnection {
        var deadline: UInt64?
        while true {
            // One lock acquisition when a connection is free (the usual case): under many threads on
            // few cores, every extra acquisition is a chance to meet a holder that was preempted and
            // sleep on the futex (bench/pg.sh at 8 threads).
            var grant = monitor.withLock { state in PostgresPool.grant(&state, size: size) }
            if grant == nil {
                let until = deadline ?? monotonicNanoseconds() + UInt64(checkoutTimeoutSeconds * 1_000_000_000)
                deadline = until
                grant = waitForGrant(untilNanoseconds: until)
            }
            switch grant {
            case nil:
                throw PostgresError(code: .poolTimeout)
            case .closed:
                throw PostgresError(code: .poolClosed)
            case .openNew:
                do {
                    return try PostgresConnection(configuration: configuration)
                } catch {
                    release(slotOf: nil)
                    throw error
                }
            case .connection(let connection):
                if PostgresPool.isUsable(connection) { return connection }
                // The server closed it while it sat idle: drop it and try again.
                release(slotOf: connection)
            }
        }
    }

    /// A connection back in the pool for less than this was answering queries then; its socket is
    /// not polled again. A server that closes it within this window is the race the poll itself
    /// has (the server may close right after it): the query fails with `.connectionLost`, the
    /// connection is dropped at check-in, and `transaction` retries on a fresh one. Under load
    /// (bench/pg.sh) connections come back within microseconds and skip a `poll` system call per
    /// query; a connection that sat idle longer, as after a restart, is always polled.
    static let idleCheckAfterNanoseconds: UInt64 = 1_000_000

    /// Whether a connection taken from the idle list may be used, judged without a system call
    /// when it was checked in moments ago (`idleCheckAfterNanoseconds`).
    private static func isUsable(_ connection: PostgresConnection) -> Bool {
        if monotonicNanoseconds() &- connection.checkedInAtNanoseconds < idleCheckAfterNanoseconds { return connection.isOpenAndIdle }
        return connection.checkIdleConnection()
    }

    /// What a checkout gets now, with the lock held: nil when it must wait.
    private static func grant(_ state: inout State, size: Int) -> Grant? {
        if state.closed { return .closed }
        if let connection = state.idle.popLast() {
            state.inUse += 1
            return .connection(connection)
        }
        if state.open < size {
            state.open += 1
            state.inUse += 1
            return .openNew
        }
        return nil
    }

    /// Waits for a check-in (counted in `waiting`, so check-ins know to signal) until the deadline.
    private func waitForGrant(untilNanoseconds deadline: UInt64) -> Grant? {
        monitor.withLock { $0.waiting += 1 }
        let grant = monitor.wait(untilNanoseconds: deadline) { state in PostgresPool.grant(&state, size: size) }
        monitor.withLock { $0.waiting -= 1 }
        return grant
    }

    func checkin(_ connection: PostgresConnection) {
        // No poll of the socket here: the next checkout polls it when it sat idle long enough
        // (`isUsable`). A connection left inside a transaction is never reused.
        let healthy = connection.isOpenAndIdle
        guard healthy else {
            release(slotOf: connection)
            return
        }
        // Stamped before it is visible to other threads: only its next owner reads it.
        connection.checkedInAtNanoseconds = monotonicNanoseconds()
        let (closeNow, someoneWaits) = monitor.withLock { state -> (Bool, Bool) in
            state.inUse -= 1
            if state.closed {
                state.open -= 1
                return (true, state.waiting > 0)
            }
            state.idle.append(connection)
            return (false, state.waiting > 0)
        }
        if closeNow { connection.close() }
        // A waiter counts itself under the lock before it checks for a connection, and checks again
        // under the lock before it sleeps: with nobody counted, nobody can miss this check-in.
        if someoneWaits { monitor.signal() }
    }

    /// Gives back the slot of a connection that is gone (broken, or never opened).
    private func release(slotOf connection: PostgresConnection?) {
        monitor.withLock { state in
            state.inUse -= 1
            state.open -= 1
            precondition(state.inUse >= 0 && state.open >= 0, "pool accounting went negative")
        }
        connection?.close()
        monitor.signal()
    }
}
