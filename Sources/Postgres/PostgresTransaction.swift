import Glibc

/// Transactions with an explicit isolation level and a bounded retry on conflicts.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// How a transaction's prepared statements are planned.
public enum TransactionPlans: Sendable {
    /// PostgreSQL's default (`plan_cache_mode = auto`): a statement may be planned again on each call.
    case chosenPerCall
    /// Every prepared statement runs its cached generic plan. Under `auto`, a statement whose parameters
    /// include an array (`= ANY($2)`, `unnest`) is planned again on EVERY call: its custom plans, costed
    /// for the array's few actual elements, always look cheaper than the generic plan costed for ten.
    /// Set in the same round trip as BEGIN, for this transaction only (`SET LOCAL`).
    case generic

    var beginSuffix: String {
        switch self {
        case .chosenPerCall: return ""
        case .generic: return "; SET LOCAL plan_cache_mode = force_generic_plan"
        }
    }
}

extension PostgresPool {
    /// Retries after a serialization failure, deadlock or lost connection, at most this many times.
    public static let transactionRetriesMax = 8

    /// Runs `body` in a transaction at `isolation`, committing when it returns.
    ///
    /// On a serialization failure (`40001`), a deadlock (`40P01`) or a connection lost
    /// before COMMIT was sent, the whole transaction runs again, up to `retries` times, with
    /// a short randomised back-off — so `body` must be safe to re-run (no side effects
    /// outside the database). A connection lost during COMMIT is `.commitOutcomeUnknown`:
    /// never retried, since the first attempt may have committed.
    @discardableResult
    public func transaction<T>(isolation: IsolationLevel, plans: TransactionPlans = .chosenPerCall, retries: Int = 5,
                               _ body: (PostgresConnection) throws -> T) throws -> T {
        precondition(retries >= 0 && retries <= PostgresPool.transactionRetriesMax)
        var attempt = 0
        while true {
            do {
                return try withConnection { connection in
                    try PostgresPool.runOnce(connection, isolation: isolation, plans: plans, body)
                }
            } catch {
                guard attempt < retries, let database = (error as? any PostgresErrorCarrying)?.underlyingPostgresError,
                      PostgresPool.mayRetry(database) else { throw error }
                attempt += 1
                PostgresPool.backOff(attempt: attempt)
            }
        }
    }

    static func mayRetry(_ error: PostgresError) -> Bool {
        if error.code == .commitOutcomeUnknown { return false }
        if error.isRetryableConflict { return true }
        return error.isConnectionBroken && error.transactionStep != .commit
    }

    static func runOnce<T>(_ connection: PostgresConnection, isolation: IsolationLevel, plans: TransactionPlans,
                           _ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            try connection.simpleQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)" + plans.beginSuffix)
        } catch {
            throw error.at(.begin)
        }
        let value: T
        do {
            value = try body(connection)
        } catch {
            rollback(connection)
            if let error = error as? PostgresError { throw error.at(.body) }
            throw error
        }
        guard !connection.isInFailedTransaction else {
            // The body caught a database error and went on: nothing of it would commit, so say so.
            rollback(connection)
            var aborted = PostgresError(code: .unexpected, serverMessage: "a statement failed inside the transaction and its error was not rethrown")
            aborted.transactionStep = .body
            throw aborted
        }
        do {
            try connection.simpleQuery(unsafeSQL: "COMMIT")
        } catch {
            var failed = error.at(.commit)
            if failed.isConnectionBroken && failed.sqlState == nil { failed.code = .commitOutcomeUnknown }
            // A COMMIT that fails has ended the transaction: there is nothing to roll back.
            throw failed
        }
        return value
    }

    private static func rollback(_ connection: PostgresConnection) {
        guard connection.isHealthy else { return }
        // A failed ROLLBACK leaves the connection broken; the pool replaces it at check-in.
        _ = try? connection.simpleQuery(unsafeSQL: "ROLLBACK")
    }

    private static func backOff(attempt: Int) {
        let maxMicroseconds = UInt32(min(200_000, 2_000 << min(attempt, 7)))
        usleep(UInt32.random(in: 0...maxMicroseconds))
    }
}

extension PostgresError {
    func at(_ step: TransactionStep) -> PostgresError {
        var copy = self
        if copy.transactionStep == nil { copy.transactionStep = step }
        return copy
    }
}
