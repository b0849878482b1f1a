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

    var beginSuffix: String { setLocalStatements.map { "; " + $0 }.joined() }

    /// The statements that follow BEGIN, one each (a pipeline takes no multi-statement text).
    var setLocalStatements: [String] {
        switch self {
        case .chosenPerCall: return []
        case .generic: return ["SET LOCAL plan_cache_mode = force_generic_plan"]
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
    ///
    /// `pipelinedBegin`: BEGIN is not run on its own but queued (`PostgresConnection.send`), to travel
    /// with the body's first statements, and COMMIT travels with whatever the body left queued: two
    /// round trips fewer per transaction (the group-commit lanes, docs/callbacks.md §6, sixth round).
    public func transaction<T>(isolation: IsolationLevel, plans: TransactionPlans = .chosenPerCall, pipelinedBegin: Bool = false,
                               retries: Int = 5, _ body: (PostgresConnection) throws -> T) throws -> T {
        precondition(retries >= 0 && retries <= PostgresPool.transactionRetriesMax)
        var attempt = 0
        while true {
            do {
                return try withConnection { connection in
                    try PostgresPool.runOnce(connection, isolation: isolation, plans: plans, pipelinedBegin: pipelinedBegin, body)
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
                           pipelinedBegin: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        do {
            let begin = "BEGIN ISOLATION LEVEL \(isolation.rawValue)"
            if pipelinedBegin {
                try connection.sendBegin([begin] + plans.setLocalStatements)
            } else {
                try connection.simpleQuery(unsafeSQL: begin + plans.beginSuffix)
            }
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
        if connection.hasPipelinedStatements { return try commitPipelined(connection, value: value) }
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

    /// COMMIT sent in the pipeline of the statements the body left queued (inserts whose errors only
    /// matter as errors): one round trip. A queued statement that fails makes the server skip COMMIT,
    /// so the transaction is rolled back as after any failed body statement.
    private static func commitPipelined<T>(_ connection: PostgresConnection, value: T) throws -> T {
        let commit = connection.sendCommit()
        do {
            try connection.flushPipeline()
        } catch {
            if commit.failedItself || (error.isConnectionBroken && error.sqlState == nil) {
                var failed = error.at(.commit)
                // COMMIT was sent: whether it ran is unknown when the connection went away.
                if failed.isConnectionBroken && failed.sqlState == nil { failed.code = .commitOutcomeUnknown }
                throw failed
            }
            rollback(connection)
            throw error.at(.body)
        }
        return value
    }

    private static func rollback(_ connection: PostgresConnection) {
        connection.discardPipeline(PostgresError(code: .unexpected, serverMessage: "the transaction rolled back before this statement was sent"))
        // Outside a transaction (a queued BEGIN never sent) there is nothing to roll back.
        guard connection.isHealthy, !connection.isOutsideTransaction else { return }
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
