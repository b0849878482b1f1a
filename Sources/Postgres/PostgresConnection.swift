import CLibPQ
import Glibc
import Synchronization

/// One connection to PostgreSQL over libpq.
///
/// libpq connections are not thread-safe: a connection is used by one thread at a time,
/// which the pool guarantees by exclusive checkout and which `busy` asserts at every call.
/// That exclusive-use rule is why the class is `@unchecked Sendable`: it moves between
/// threads, it is never shared by two at once.
public final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    private let busy = Atomic<Bool>(false)
    /// Keyed by the SQL's bytes alone (`PreparedStatementKey`: no key string built per call); the
    /// parameter types pick the variant, since a statement is prepared with its types.
    private var preparedStatements: [PreparedStatementKey: PreparedStatements] = [:]
    /// Statements prepared so far on this connection (names are never reused).
    private var preparedCount = 0
    /// Statements in `preparedStatements`, bounded by `preparedStatementsMax`.
    private var cachedCount = 0
    private var closed = false
    /// Statements sent but not yet flushed (`send`, PostgresPipeline.swift), in order.
    var pipelineQueue: [PipelinedStatement] = []
    /// A `BEGIN` waits in `pipelineQueue`: statements may be queued although libpq sees no transaction yet.
    var pipelineBeginQueued = false
    /// A statement `start` sent and nobody has read yet (PostgresConcurrentStatements.swift).
    var started: StartedStatement?
    var rawConnection: OpaquePointer { connection }
    /// When the pool last took this connection back (`monotonicNanoseconds`); read by its next checkout.
    var checkedInAtNanoseconds: UInt64 = 0
    /// Network round trips made on this connection (a pipeline flush is one; a prepare is one).
    public internal(set) var roundTrips = 0
    /// The wire forms of the statement being sent, reused from statement to statement
    /// (`withEncodedParameters`, PostgresParameterEncoding.swift): no allocation per statement.
    var parameterWriter = PostgresWireWriter()
    var parameterOffsets: [Int] = []
    var parameterLengths: [Int32] = []
    var parameterFormats: [Int32] = []

    /// Statements prepared per connection before falling back to unnamed (parse-every-time) execution.
    public static let preparedStatementsMax = 512
    /// Size of the buffer `COPY FROM STDIN` fills before sending.
    public static let copyChunkBytes = 256 * 1024

    /// Connects, with `connect_timeout` defaulting to 5 s, the session in UTC with ISO dates and UTF-8.
    public init(configuration: PostgresConfiguration) throws(PostgresError) {
        var configuration = configuration
        configuration.setDefault("connect_timeout", String(PostgresConfiguration.connectTimeoutSecondsDefault))
        configuration.setDefault("application_name", "tuition")
        configuration.set("client_encoding", "UTF8")
        // Session limits (`PostgresSessionLimits`) arrive as options too: kept after the fixed ones.
        let sessionOptions = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres"
        configuration.set("options", [sessionOptions, configuration.value("options")].compactMap { $0 }.joined(separator: " "))
        let pointer = PostgresConnection.connect(configuration.parameters)
        guard let pointer else { throw PostgresError(code: .connectionFailed, serverMessage: "out of memory") }
        guard PQstatus(pointer) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(pointer))
            PQfinish(pointer)
            throw PostgresError(code: .connectionFailed, serverMessage: message)
        }
        PQsetNoticeProcessor(pointer, { _, _ in }, nil)
        self.connection = pointer
    }

    deinit {
        if !closed { PQfinish(connection) }
    }

    /// Closes the connection; further use is a programming error.
    public func close() {
        precondition(!closed, "connection closed twice")
        closed = true
        PQfinish(connection)
    }

    /// True while libpq considers the connection usable.
    public var isHealthy: Bool { !closed && PQstatus(connection) == CONNECTION_OK }

    /// True inside a transaction a failed statement aborted: PostgreSQL would answer COMMIT with a
    /// ROLLBACK, without an error.
    var isInFailedTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_INERROR }

    /// Cheap liveness check without a round trip. An idle connection receives nothing we
    /// asked for (we use no LISTEN), so a readable socket means the server closed it or sent a
    /// FATAL error (a restart, an administrator's termination): either way, replace it.
    public func checkIdleConnection() -> Bool {
        guard isOpenAndIdle else { return false }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// Outside any transaction (judged from libpq's state): a statement sent now commits on its own.
    public var isOutsideTransaction: Bool { PQtransactionStatus(connection) == PQTRANS_IDLE && !pipelineBeginQueued }

    /// Open and outside any transaction, judged from libpq's state alone (no system call).
    var isOpenAndIdle: Bool { isHealthy && PQtransactionStatus(connection) == PQTRANS_IDLE && pipelineQueue.isEmpty }

    // MARK: - Queries

    /// Runs a statement with its parameters and returns its rows (empty for commands). With statements
    /// queued by `send`, it rides in their pipeline: one round trip for all of them.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        if !pipelineQueue.isEmpty {
            let handle = try send(query)
            try flushPipeline()
            do { return try handle.get() } catch let error as PostgresError { throw error } catch {
                throw PostgresError(code: .unexpected, serverMessage: "\(error)")
            }
        }
        return try exclusive { () throws(PostgresError) -> PostgresRows in
            countRoundTrip()
            if let name = try preparedName(for: query) {
                return try execute(name: name, query: query)
            }
            return try executeUnnamed(query)
        }
    }

    /// Runs one or more statements with no parameters through the simple protocol
    /// (migrations, `BEGIN`/`COMMIT`, `SET`). The text must be trusted.
    @discardableResult
    public func simpleQuery(unsafeSQL sql: String) throws(PostgresError) -> PostgresRows {
        try exclusive { () throws(PostgresError) -> PostgresRows in
            // Statements queued by `send` go first, in their own pipeline (a simple query cannot join one).
            try flushQueued()
            countRoundTrip()
            return try check(sql.withCString { PQexec(connection, $0) })
        }
    }

    /// `COPY ... FROM STDIN` (text format): `fill` appends rows to the writer, which sends
    /// them in chunks. Returns the number of rows the server stored. If `fill` throws, the
    /// copy is aborted and nothing is stored.
    @discardableResult
    public func copyFrom(_ statement: PostgresQuery, fill: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        try exclusive { () throws -> Int in
            try flushQueued()
            let start = sql(statement).withCString { PQexec(connection, $0) }
            guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
                _ = try check(start)
                throw PostgresError(code: .unexpected, serverMessage: "COPY did not enter COPY IN state")
            }
            PQclear(start)
            var writer = PostgresCopyWriter(connection: connection)
            do {
                try fill(&writer)
                try writer.flush()
            } catch {
                _ = PQputCopyEnd(connection, "aborted by the client")
                drainResults()
                throw error
            }
            guard PQputCopyEnd(connection, nil) == 1 else { throw connectionError() }
            var stored = 0
            var failure: PostgresError?
            while let result = PQgetResult(connection) {
                do throws(PostgresError) { stored = try check(result).affectedRows } catch { failure = failure ?? error }
            }
            if let failure { throw failure }
            return stored
        }
    }

    // MARK: - Internals

    func exclusive<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        takeExclusiveUse()
        defer { endExclusiveUse() }
        return try body()
    }

    /// `exclusive` in two halves: `start` holds the connection until its result is read.
    func takeExclusiveUse() {
        precondition(!closed, "use of a closed connection")
        precondition(started == nil, "a connection used before the statement started on it was read")
        precondition(busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged,
                     "a connection was used by two threads at once")
    }

    func endExclusiveUse() {
        busy.store(false, ordering: .releasing)
    }

    private func sql(_ statement: PostgresQuery) -> String {
        precondition(statement.parameters.isEmpty, "COPY takes no parameters")
        return statement.sql
    }

    /// The name of the server-side prepared statement for this SQL, preparing it on first use.
    func preparedName(for query: PostgresQuery) throws(PostgresError) -> String? {
        if let name = alreadyPreparedName(for: query) { return name }
        guard cachedCount < PostgresConnection.preparedStatementsMax else { return nil }
        preparedCount += 1
        let name = "t\(preparedCount)"
        let types = query.parameters.map { Oid($0.type.rawValue) }
        let result = types.withUnsafeBufferPointer { typeBuffer in
            PQprepare(connection, name, query.sql, Int32(types.count), typeBuffer.baseAddress)
        }
        countRoundTrip()
        _ = try check(result)
        preparedStatements[PreparedStatementKey(query.sql), default: PreparedStatements()].variants.append((types: types, name: name))
        cachedCount += 1
        return name
    }

    /// The name under which this SQL with these parameter types was prepared, nil when it was not (nothing sent).
    func alreadyPreparedName(for query: PostgresQuery) -> String? {
        preparedStatements[PreparedStatementKey(query.sql)]?.name(for: query.parameters)
    }

    private func execute(name: String, query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        let result = try withEncodedParameters(query.parameters) { values, lengths, formats in
            PQexecPrepared(connection, name, Int32(query.parameters.count), values, lengths, formats, 0)
        }
        do {
            return try check(result)
        } catch {
            // A schema change invalidates a cached plan (0A000): forget it so the next use prepares again.
            if error.sqlState == SQLState(rawValue: "0A000") { forgetPrepared(query.sql, name: name) }
            throw error
        }
    }

    /// Forgets one cached prepared statement (its plan was invalidated by a schema change).
    func forgetPrepared(_ sql: String, name: String) {
        if preparedStatements[PreparedStatementKey(sql)]?.forget(name) == true { cachedCount -= 1 }
    }

    private func executeUnnamed(_ query: PostgresQuery) throws(PostgresError) -> PostgresRows {
        let types = query.parameters.map { Oid($0.type.rawValue) }
        let result = try withEncodedParameters(query.parameters) { values, lengths, formats in
            types.withUnsafeBufferPointer { typeBuffer in
                PQexecParams(connection, query.sql, Int32(types.count), typeBuffer.baseAddress, values, lengths, formats, 0)
            }
        }
        return try check(result)
    }

    /// Turns a result into rows or an error. Takes ownership: the result is freed on every path.
    func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let result else { throw connectionError() }
        let owner = PostgresResultOwner(result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(owner: owner)
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            throw serverError(result)
        default:
            throw PostgresError(code: .unexpected, serverMessage: "unexpected result status \(PQresultStatus(result).rawValue)")
        }
    }

    private func serverError(_ result: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let state = field(UInt8(ascii: "C")).map(SQLState.init(rawValue:))
        let broken = PQstatus(connection) != CONNECTION_OK
        var error = PostgresError(code: broken && state == nil ? .connectionLost : .server, sqlState: state,
                                  serverMessage: field(UInt8(ascii: "M")) ?? String(cString: PQerrorMessage(connection)))
        if broken && state?.isConnectionClass == true { error.code = .connectionLost }
        error.serverDetail = field(UInt8(ascii: "D"))
        error.constraintName = field(UInt8(ascii: "n"))
        return error
    }

    func connectionError() -> PostgresError {
        let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .unexpected : .connectionLost
        return PostgresError(code: code, serverMessage: String(cString: PQerrorMessage(connection)))
    }

    private func drainResults() {
        while let result = PQgetResult(connection) { PQclear(result) }
    }

    private static func connect(_ parameters: [(key: String, value: String)]) -> OpaquePointer? {
        withCStrings(parameters.map(\.key)) { keys in
            withCStrings(parameters.map(\.value)) { values in
                PQconnectdbParams(keys, values, 0)
            }
        }
    }
}

/// The server-side statements prepared for one SQL text: one per list of parameter types.
struct PreparedStatements {
    var variants: [(types: [Oid], name: String)] = []

    /// The statement prepared for these parameters' types, compared in place.
    /// By index, not by zipping the arrays: a zip copies each parameter (its value an existential box).
    func name(for parameters: [PostgresParameter]) -> String? {
        for variant in variants where variant.types.count == parameters.count {
            var same = true
            for index in parameters.indices where variant.types[index] != Oid(parameters[index].type.rawValue) {
                same = false
                break
            }
            if same { return variant.name }
        }
        return nil
    }

    /// Drops the statement named `name`; false when it was not there.
    mutating func forget(_ name: String) -> Bool {
        guard let index = variants.firstIndex(where: { $0.name == name }) else { return false }
        variants.remove(at: index)
        return true
    }
}

/// Runs `body` with a NULL-terminated array of C strings copied from `strings`; freed afterwards.
func withCStrings<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { for pointer in pointers { free(pointer) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}

/// Buffers rows for `COPY FROM STDIN` in text format and sends them in chunks.
public struct PostgresCopyWriter: ~Copyable {
    private let connection: OpaquePointer
    private var buffer: [UInt8] = []
    public private(set) var rowCount = 0

    init(connection: OpaquePointer) {
        self.connection = connection
        buffer.reserveCapacity(PostgresConnection.copyChunkBytes + 4096)
    }

    /// Appends one row; nil columns are NULL. Tabs, newlines and backslashes are escaped.
    public mutating func append(row columns: [String?]) throws {
        for (index, column) in columns.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let column else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in column.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        rowCount += 1
        if buffer.count >= PostgresConnection.copyChunkBytes { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBytes { bytes in
            PQputCopyData(connection, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        guard sent == 1 else { throw PostgresError(code: .connectionLost, serverMessage: String(cString: PQerrorMessage(connection))) }
        buffer.removeAll(keepingCapacity: true)
    }
}
