/// Bounded waits for every statement of a pooled connection: how long a statement may wait for a
/// lock (`lock_timeout`) and run at all (`statement_timeout`). A session that meets a lock held by a
/// long import in another transaction gives up after `lockTimeoutMilliseconds` with SQLSTATE 55P03
/// instead of holding its worker thread (and everyone queued behind it) until that import commits.
public struct PostgresSessionLimits: Sendable, Equatable {
    public var lockTimeoutMilliseconds: Int
    public var statementTimeoutMilliseconds: Int

    /// A callback waits this long for a lock before its sender is told to try later.
    public static let lockTimeoutMillisecondsDefault = 2_000
    /// Longer than any statement of a request or a statement import; a runaway is cancelled.
    public static let statementTimeoutMillisecondsDefault = 60_000
    /// Accepted range of both settings (0 would mean "wait forever", which is what they exist to prevent).
    public static let millisecondsRange = 1...3_600_000

    public static let standard = PostgresSessionLimits(lockTimeoutMilliseconds: lockTimeoutMillisecondsDefault,
                                                       statementTimeoutMilliseconds: statementTimeoutMillisecondsDefault)

    public init(lockTimeoutMilliseconds: Int, statementTimeoutMilliseconds: Int) {
        precondition(PostgresSessionLimits.millisecondsRange.contains(lockTimeoutMilliseconds)
                     && PostgresSessionLimits.millisecondsRange.contains(statementTimeoutMilliseconds), "session limits out of range")
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }

    /// The libpq `options` value that sets both at connection start: no extra round trip per checkout.
    var startupOptions: String {
        "-c lock_timeout=\(lockTimeoutMilliseconds) -c statement_timeout=\(statementTimeoutMilliseconds)"
    }
}

extension PostgresConfiguration {
    /// This configuration with `limits` applied to every session it opens.
    public func limited(by limits: PostgresSessionLimits) -> PostgresConfiguration {
        var copy = self
        copy.set("options", limits.startupOptions)
        return copy
    }
}

extension PostgresError {
    /// The statement gave up waiting: a lock not granted within `lock_timeout` (55P03) or a statement
    /// cancelled by `statement_timeout` (57014). The work can be tried again later as it is.
    public var isTimeout: Bool {
        sqlState == .lockNotAvailable || sqlState == .queryCanceled
    }
}
