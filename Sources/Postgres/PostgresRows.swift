import CLibPQ

/// Owns one `PGresult` and frees it exactly once, when the last reference goes away.
///
/// A result is read-only after libpq hands it over, so sharing it between threads is safe;
/// pointers into it never leave the methods below.
final class PostgresResultOwner: @unchecked Sendable {
    let result: OpaquePointer

    init(_ result: OpaquePointer) {
        self.result = result
    }

    deinit {
        PQclear(result)
    }
}

/// The rows a query returned.
public struct PostgresRows: RandomAccessCollection, Sendable {
    let owner: PostgresResultOwner?
    public let count: Int
    public let columnCount: Int
    /// The number of rows an INSERT/UPDATE/DELETE/COPY affected. Read from the result when asked:
    /// most queries never ask, and parsing it costs a string per query.
    public var affectedRows: Int {
        guard let result = owner?.result else { return 0 }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    init(owner: PostgresResultOwner?) {
        self.owner = owner
        guard let result = owner?.result else {
            self.count = 0
            self.columnCount = 0
            return
        }
        self.count = Int(PQntuples(result))
        self.columnCount = Int(PQnfields(result))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < count, "row index out of range")
        return PostgresRow(rows: self, index: position)
    }

    /// The only row, or nil when there is none; more than one row is a programming error.
    public func singleRow() throws -> PostgresRow? {
        guard count <= 1 else {
            var error = PostgresError(code: .unexpected)
            error.context = "expected at most one row, got \(count)"
            throw error
        }
        return isEmpty ? nil : self[0]
    }

    /// Decodes every row into a tuple (or a single value). Inlinable, as the row's tuple decoding below.
    @inlinable
    public func decode<each Column: PostgresDecodable>(_ types: (repeat each Column).Type) throws -> [(repeat each Column)] {
        var output: [(repeat each Column)] = []
        output.reserveCapacity(count)
        for row in self { output.append(try row.decode((repeat each Column).self)) }
        return output
    }
}

/// One row of a result. Columns decode by index or by name into typed values.
public struct PostgresRow: Sendable {
    @usableFromInline let rows: PostgresRows
    public let index: Int

    /// Decodes the row into a tuple of the given types, column by column:
    ///
    ///     let (id, name, closedAt) = try row.decode((Int64, String, Date?).self)
    ///
    /// Inlinable so that each caller gets it specialised for its tuple: unspecialised, every call
    /// looked the tuple's type up in the runtime's metadata caches (a lock-free hash map) and called
    /// each column's decoder through the pack's witness tables.
    @inlinable
    public func decode<each Column: PostgresDecodable>(_ types: (repeat each Column).Type) throws -> (repeat each Column) {
        var column = 0
        func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
            defer { column += 1 }
            return try decode(column: column, as: type)
        }
        let values = (repeat try next((each Column).self))
        guard column == rows.columnCount else {
            var error = PostgresError(code: .decoding)
            error.context = "decoded \(column) columns of a row that has \(rows.columnCount)"
            throw error
        }
        return values
    }

    /// Decodes column `column` (0-based) as `Value`.
    public func decode<Value: PostgresDecodable>(column: Int, as type: Value.Type = Value.self) throws -> Value {
        guard let result = rows.owner?.result, column >= 0, column < rows.columnCount else {
            var error = PostgresError(code: .decoding)
            error.context = "column index \(column) out of range (row has \(rows.columnCount))"
            throw error
        }
        let row = Int32(index), field = Int32(column)
        let oid = PostgresType(rawValue: PQftype(result, field))
        do {
            if PQgetisnull(result, row, field) == 1 {
                return try Value.decode(postgresText: nil, type: oid)
            }
            let length = Int(PQgetlength(result, row, field))
            let pointer = UnsafeRawPointer(PQgetvalue(result, row, field)!).assumingMemoryBound(to: UInt8.self)
            return try Value.decode(postgresText: UnsafeBufferPointer(start: pointer, count: length), type: oid)
        } catch {
            var wrapped = PostgresError(code: .decoding)
            let name = String(cString: PQfname(result, field))
            wrapped.context = "column '\(name)' (index \(column), \(oid)) as \(Value.self): \(error)"
            throw wrapped
        }
    }

    /// Decodes the column named `name` as `Value`.
    public func decode<Value: PostgresDecodable>(_ name: String, as type: Value.Type = Value.self) throws -> Value {
        guard let result = rows.owner?.result else { throw PostgresError(code: .decoding) }
        let field = name.withCString { PQfnumber(result, $0) }
        guard field >= 0 else {
            var error = PostgresError(code: .decoding)
            error.context = "no column named '\(name)'"
            throw error
        }
        return try decode(column: Int(field), as: type)
    }
}
