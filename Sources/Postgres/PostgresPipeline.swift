import CLibPQ
import Synchronization

/// A statement sent now and read later (`PostgresConnection.send`): the connection queues it, and the
/// next `get()` of any handle, ordinary `query`, `simpleQuery` or `flushPipeline()` on that connection
/// sends everything queued in ONE libpq pipeline — one round trip for all of them — and lands each
/// statement's rows (or the flush's first error) in its handle.
///
/// Why: a group-commit leader runs ~20 statements per batch, most of them independent of one another;
/// sent one at a time, each costs a leader ↔ backend ping-pong with two thread wake-ups, and on two
/// cores the batch's latency was mostly those wake-ups, not execution (docs/callbacks.md §6, sixth round).
///
/// Not thread-safe, like the connection: used by the thread that holds the connection.
public final class PostgresPending<Value>: @unchecked Sendable {
    private let connection: PostgresConnection?
    private let decode: (PostgresRows) throws -> Value
    private var landed: Result<PostgresRows, PostgresError>?
    /// True when this very statement failed (not an earlier statement of its flush).
    public private(set) var failedItself = false

    init(connection: PostgresConnection, decode: @escaping (PostgresRows) throws -> Value) {
        self.connection = connection
        self.decode = decode
    }

    /// A handle settled at once with rows already read (a statement run outside any transaction).
    init(rows: PostgresRows, decode: @escaping (PostgresRows) throws -> Value) {
        self.connection = nil
        self.decode = decode
        self.landed = .success(rows)
    }

    /// A handle already settled with `value`: for a `send…` form that needs no statement (nothing to look up).
    public init(value: Value) {
        self.connection = nil
        self.decode = { _ in value }
        self.landed = .success(PostgresRows(owner: nil))
    }

    /// The statement's decoded result, flushing the connection's pipeline first when it is still queued.
    /// Throws the first error of the statement's flush, whichever statement of it failed.
    public func get() throws -> Value {
        if landed == nil {
            // The flush's error also lands in this handle: read it from there.
            _ = try? connection?.flushPipeline()
        }
        guard let landed else { throw PostgresError(code: .unexpected, serverMessage: "a pipelined statement was never sent") }
        return try decode(landed.get())
    }

    /// True once the statement's flush has run.
    public var isSettled: Bool { landed != nil }
}

/// The handle's side that the connection fills in when a flush reads the results.
protocol PostgresPipelineSlot: AnyObject {
    func land(_ result: Result<PostgresRows, PostgresError>, failedItself: Bool)
}

extension PostgresPending: PostgresPipelineSlot {
    func land(_ result: Result<PostgresRows, PostgresError>, failedItself: Bool) {
        landed = result
        self.failedItself = failedItself
    }
}

/// One statement waiting in a connection's pipeline.
struct PipelinedStatement {
    let query: PostgresQuery
    /// nil: sent unnamed (parsed each time) — transaction control, or past the prepared-statement cache.
    var preparedName: String?
    /// Whether to look the statement up in (and add it to) the prepared-statement cache.
    let mayPrepare: Bool
    let slot: any PostgresPipelineSlot
}

/// Network round trips made by every connection of this process (each ordinary statement, each
/// prepare, each pipeline flush), for the server's metrics and the benches' round trips per request.
public enum PostgresRoundTrips {
    static let counter = Atomic<Int>(0)
    /// Statements sent inside pipelines, all flushes together.
    static let pipelinedCounter = Atomic<Int>(0)

    public static var total: Int { counter.load(ordering: .relaxed) }
    public static var pipelinedStatements: Int { pipelinedCounter.load(ordering: .relaxed) }

    static func count() { counter.add(1, ordering: .relaxed) }
}

extension PostgresConnection {
    /// Statements one flush sends at most: reaching it flushes what is queued (and throws its error).
    /// Bounds the memory of queued parameters and of results held until read; a group-commit batch
    /// queues a few dozen.
    public static let pipelineStatementsMax = 256

    /// Queues `query` and returns its handle; the rows are decoded by `decode` when the handle is read.
    /// Pipelined only inside an explicit transaction (or after `sendBegin`): outside one, the statements
    /// of a pipeline before its sync would run as ONE implicit transaction — not what a caller of separate
    /// statements expects — so there the statement runs at once, as `query`, and the handle comes back
    /// settled (an owner's synchronous read is its `send…` form and `get()`, wherever it is called).
    /// A statement only sent (its handle never read) still has its error thrown by the flush that sends
    /// it, at the latest by the transaction's COMMIT.
    public func send<Value>(_ query: PostgresQuery, decode: @escaping (PostgresRows) throws -> Value) throws(PostgresError) -> PostgresPending<Value> {
        guard isInsideTransaction else { return PostgresPending(rows: try self.query(query), decode: decode) }
        return try enqueue(query, mayPrepare: true, decode: decode)
    }

    /// `send` for statements whose rows are read as they are (or not at all: inserts, locks).
    @discardableResult
    public func send(_ query: PostgresQuery) throws(PostgresError) -> PostgresPending<PostgresRows> {
        try send(query, decode: { $0 })
    }

    /// Inside an explicit transaction, or one whose BEGIN is queued: statements may be pipelined.
    var isInsideTransaction: Bool {
        pipelineBeginQueued || PQtransactionStatus(rawConnection) == PQTRANS_INTRANS || PQtransactionStatus(rawConnection) == PQTRANS_INERROR
    }

    /// Queues `BEGIN` (with any `SET LOCAL` after it, one statement each) instead of running it: it is
    /// sent with the transaction's first statements, one round trip fewer per transaction.
    func sendBegin(_ statements: [String]) throws(PostgresError) {
        precondition(isOutsideTransaction && pipelineQueue.isEmpty && !pipelineBeginQueued, "BEGIN queued inside a transaction")
        pipelineBeginQueued = true
        for sql in statements { _ = try enqueue(PostgresQuery(unsafeSQL: sql), mayPrepare: false, decode: { $0 }) }
    }

    /// Queues COMMIT after the queued statements, never prepared, and never flushing on its own (the
    /// caller flushes, and must know whether COMMIT itself failed: `failedItself`).
    func sendCommit() -> PostgresPending<PostgresRows> {
        let handle = PostgresPending<PostgresRows>(connection: self, decode: { $0 })
        pipelineQueue.append(PipelinedStatement(query: "COMMIT", preparedName: nil, mayPrepare: false, slot: handle))
        return handle
    }

    /// Runs a statement whose result only matters as success (an insert, a lock): inside a transaction it
    /// is queued, to travel with the next flush (whose error is then its error, at the latest at COMMIT);
    /// outside one it runs now, as `query`.
    public func write(_ query: PostgresQuery) throws(PostgresError) {
        try send(query)
    }

    /// Counts one network round trip, for this connection and the process.
    func countRoundTrip() {
        roundTrips += 1
        PostgresRoundTrips.count()
    }

    /// True when statements wait to be sent.
    public var hasPipelinedStatements: Bool { !pipelineQueue.isEmpty }

    private func enqueue<Value>(_ query: PostgresQuery, mayPrepare: Bool,
                                decode: @escaping (PostgresRows) throws -> Value) throws(PostgresError) -> PostgresPending<Value> {
        precondition(isInsideTransaction, "statements are pipelined only inside an explicit transaction")
        let handle = PostgresPending(connection: self, decode: decode)
        exclusive { pipelineQueue.append(PipelinedStatement(query: query, preparedName: nil, mayPrepare: mayPrepare, slot: handle)) }
        if pipelineQueue.count >= PostgresConnection.pipelineStatementsMax { try flushPipeline() }
        return handle
    }

    /// Sends every queued statement in one pipeline and reads every result into its handle. Throws
    /// the first error (later statements of the flush were skipped by the server: PGRES_PIPELINE_ABORTED,
    /// and get the same error). Nothing queued: nothing sent.
    public func flushPipeline() throws(PostgresError) {
        try exclusive { () throws(PostgresError) in try flushQueued() }
    }

    /// `flushPipeline` with the connection already held (`query` and `simpleQuery` flush first).
    func flushQueued() throws(PostgresError) {
        guard !pipelineQueue.isEmpty else { return }
        var statements = pipelineQueue
        pipelineQueue.removeAll(keepingCapacity: true)
        pipelineBeginQueued = false
        do {
            // Prepared before the pipeline, on first use only: a prepare is a round trip of its own.
            for index in statements.indices where statements[index].mayPrepare {
                statements[index].preparedName = try preparedName(for: statements[index].query)
            }
        } catch {
            for statement in statements { statement.slot.land(.failure(error), failedItself: false) }
            throw error
        }
        if let failure = runPipeline(statements) { throw failure }
    }

    /// Drops queued statements unsent (a transaction rolled back before they were needed): their handles
    /// get `error`.
    func discardPipeline(_ error: PostgresError) {
        let statements = pipelineQueue
        pipelineQueue.removeAll()
        pipelineBeginQueued = false
        for statement in statements { statement.slot.land(.failure(error), failedItself: false) }
    }

    /// One pipeline: enter, send each statement, sync, read each result, exit. Returns the first error.
    ///
    /// The socket is written in libpq's blocking mode, and that cannot deadlock however much is sent
    /// (a batch's audit bodies reach 64 × 64 KiB): when the socket will not take more, libpq's send
    /// loop (`pqSendSome`) reads and buffers whatever the server sends back before waiting again, so
    /// a server blocked writing results to us is always drained while we write.
    private func runPipeline(_ statements: [PipelinedStatement]) -> PostgresError? {
        countRoundTrip()
        PostgresRoundTrips.pipelinedCounter.add(statements.count, ordering: .relaxed)
        guard PQenterPipelineMode(rawConnection) == 1 else { return failAll(statements, with: connectionError()) }
        for statement in statements {
            let error: PostgresError
            do {
                if try send(statement.query, preparedName: statement.preparedName) { continue }
                error = connectionError()
            } catch let tooLong {
                error = tooLong
            }
            // The statements already sent are synced and their results read (the transaction is the
            // caller's to roll back): the connection leaves the pipeline usable.
            drainPipeline()
            return failAll(statements, with: error)
        }
        guard PQpipelineSync(rawConnection) == 1 else {
            let error = connectionError()
            drainPipeline()
            return failAll(statements, with: error)
        }
        var first: PostgresError?
        var results: [(Result<PostgresRows, PostgresError>, Bool)] = []
        results.reserveCapacity(statements.count)
        for statement in statements {
            let read = readResult(of: statement.query, preparedName: statement.preparedName, firstError: first)
            if case .failure(let error) = read.0, first == nil { first = error }
            results.append(read)
        }
        // The first error reaches every handle of the flush, those that ran before it too: their work is
        // rolled back with the transaction, so no result of theirs may be taken as done.
        for (statement, (result, failedItself)) in zip(statements, results) {
            statement.slot.land(first.map { .failure($0) } ?? result, failedItself: failedItself)
        }
        if first?.isConnectionBroken != true {
            // The sync's own result, then the pipeline is idle and can be left.
            if let sync = PQgetResult(rawConnection) {
                if PQresultStatus(sync) != PGRES_PIPELINE_SYNC && first == nil {
                    first = PostgresError(code: .unexpected, serverMessage: "pipeline: expected the sync, got status \(PQresultStatus(sync).rawValue)")
                }
                PQclear(sync)
            }
        }
        if PQexitPipelineMode(rawConnection) != 1 && first == nil { first = connectionError() }
        return first
    }

    /// Sends one statement (libpq copies its parameters into its output buffer at once): prepared under
    /// `preparedName`, or unnamed. Throws only for a parameter over `PostgresParameter.valueBytesMax`,
    /// before anything of the statement is sent; false when libpq could not queue it. Used inside a
    /// pipeline and by `start` (a statement with its own sync).
    func send(_ query: PostgresQuery, preparedName: String?) throws(PostgresError) -> Bool {
        let parameters = query.parameters
        if let name = preparedName {
            return try withEncodedParameters(parameters) { values, lengths, formats in
                PQsendQueryPrepared(rawConnection, name, Int32(parameters.count), values, lengths, formats, 0)
            } == 1
        }
        let types = parameters.map { Oid($0.type.rawValue) }
        return try withEncodedParameters(parameters) { values, lengths, formats in
            types.withUnsafeBufferPointer { typeBuffer in
                PQsendQueryParams(rawConnection, query.sql, Int32(types.count), typeBuffer.baseAddress, values, lengths, formats, 0)
            }
        } == 1
    }

    /// Reads one statement's result and the NULL that ends it.
    func readResult(of query: PostgresQuery, preparedName: String?, firstError: PostgresError?) -> (Result<PostgresRows, PostgresError>, Bool) {
        guard let result = PQgetResult(rawConnection) else {
            return (.failure(firstError ?? connectionError()), false)
        }
        // Every statement's results end with a NULL; an aborted or failed one too.
        defer { while let extra = PQgetResult(rawConnection) { PQclear(extra) } }
        if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
            PQclear(result)
            return (.failure(firstError ?? PostgresError(code: .unexpected, serverMessage: "pipeline aborted")), false)
        }
        do {
            return (.success(try check(result)), false)
        } catch {
            // A schema change invalidates a cached plan (0A000): forget it so the next use prepares again.
            if error.sqlState == SQLState(rawValue: "0A000"), let name = preparedName { forgetPrepared(query.sql, name: name) }
            return (.failure(firstError ?? error), firstError == nil)
        }
    }

    private func failAll(_ statements: [PipelinedStatement], with error: PostgresError) -> PostgresError {
        for statement in statements { statement.slot.land(.failure(error), failedItself: false) }
        return error
    }

    /// After a failed send: read what arrives until the connection is idle or broken, so it can leave
    /// pipeline mode (a broken one is replaced at check-in anyway).
    private func drainPipeline() {
        _ = PQpipelineSync(rawConnection)
        var nulls = 0
        while PQstatus(rawConnection) == CONNECTION_OK && nulls < 2 {
            if let result = PQgetResult(rawConnection) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_PIPELINE_SYNC { break }
                nulls = 0
            } else {
                nulls += 1
            }
        }
        _ = PQexitPipelineMode(rawConnection)
    }
}
