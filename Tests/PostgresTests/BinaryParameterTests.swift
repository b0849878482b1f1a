import Foundation
import Postgres
import TestSupport
import Testing

/// The same value sent in its text form (the encoding's default): what the client sent for every
/// type before parameters travelled in binary.
private struct TextForm<Value: PostgresEncodable>: PostgresEncodable {
    let value: Value
    init(_ value: Value) { self.value = value }
    static var postgresType: PostgresType { Value.postgresType }
    var postgresText: String { value.postgresText }
}

/// Parameters in binary format against the real server: each binary-encoded type reaches the server
/// as the value its text form names (compared in the same statement), arrays keep their NULLs, order
/// and awkward elements, and the prepared, unnamed and pipelined paths all send them.
@Suite struct BinaryParameterTests {
    static let awkwardTexts = [
        "", " ", "a", "NULL", "null", "\"", "\\", "\\\"", ",", "{", "}", "{a,b}", "a,b", "\"quoted\"", "'single'",
        "back\\slash", "tab\tnew\nline\r", " leading and trailing ", "Nguyễn Thị Ánh — Thái Nguyên", "đồng ₫ 💸 𝄞",
        String(repeating: "ạ,\"\\", count: 20_000),
    ]

    /// True when `value` travels in binary; the server's verdict that it equals its text form, and both renderings.
    static func compareWithTextForm<Value: PostgresEncodable>(_ connection: PostgresConnection, _ value: Value) throws -> (same: Bool, binary: String?, text: String?) {
        var writer = PostgresWireWriter()
        #expect(value.encodePostgres(into: &writer) == .binary, "\(Value.self) should travel in binary")
        let row = try connection.query("SELECT \(value) IS NOT DISTINCT FROM \(TextForm(value)), \(value)::text, \(TextForm(value))::text").singleRow()!
        return try row.decode((Bool, String?, String?).self)
    }

    static func expectSameAsTextForm<Value: PostgresEncodable>(_ connection: PostgresConnection, _ value: Value,
                                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (same, binary, text) = try compareWithTextForm(connection, value)
        #expect(same, "\(Value.self): binary \(String(describing: binary?.prefix(80))) ≠ text \(String(describing: text?.prefix(80)))", sourceLocation: sourceLocation)
        #expect(binary == text, sourceLocation: sourceLocation)
    }

    @Test func integersAndBoolsAreTheValuesTheirTextNames() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        for value in [Int64.min, Int64.min + 1, -1, 0, 1, 255, 256, Int64.max] {
            try Self.expectSameAsTextForm(connection, value)
            #expect(try connection.query("SELECT \(value) = \(unescaped: "(\(value))::int8")").singleRow()!.decode(column: 0, as: Bool.self))
        }
        for value in [Int32.min, -1, 0, 65_536, Int32.max] {
            try Self.expectSameAsTextForm(connection, value)
            #expect(try connection.query("SELECT pg_typeof(\(value))::text, \(value) = \(unescaped: "(\(value))::int4")").singleRow()!
                .decode((String, Bool).self) == ("integer", true))
        }
        for value in [Int.min, 0, Int.max] { try Self.expectSameAsTextForm(connection, value) }
        for value in [true, false] {
            try Self.expectSameAsTextForm(connection, value)
            #expect(try connection.query("SELECT \(value) = \(unescaped: value ? "true" : "false")").singleRow()!.decode(column: 0, as: Bool.self))
        }
    }

    @Test func textWithEveryKindOfCharacterArrivesByteForByte() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        for text in Self.awkwardTexts {
            try Self.expectSameAsTextForm(connection, text)
            let (back, bytes) = try connection.query("SELECT \(text), octet_length(\(text))").singleRow()!.decode((String, Int64).self)
            #expect(back == text && bytes == Int64(text.utf8.count))
        }
    }

    /// libpq's text format ends a value at its first NUL (the value was cut silently); in binary the
    /// server refuses it, and the connection stays usable.
    @Test func textWithANulIsRefusedNotCut() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        let error = #expect(throws: PostgresError.self) { try connection.query("SELECT \("before\u{0}after")") }
        #expect(error?.code == .server && error?.sqlState?.rawValue == "22021", "\(String(describing: error))")
        #expect(try connection.query("SELECT \("after")").singleRow()!.decode(column: 0, as: String.self) == "after")
    }

    @Test func byteaCarriesAll256ByteValues() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        let every = (0...255).map { UInt8($0) }
        let hex = every.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let (equal, length) = try connection.query("SELECT \(every) = decode(\(hex), 'hex'), length(\(every))").singleRow()!.decode((Bool, Int64).self)
        #expect(equal && length == 256)
        #expect(try connection.query("SELECT \(every)").singleRow()!.decode(column: 0, as: [UInt8].self) == every)
        let samples: [[UInt8]] = [every, Array(every.reversed()), [], [0], [0xFF, 0x00, 0x5C, 0x78]]
        for bytes in samples { try Self.expectSameAsTextForm(connection, bytes) }
    }

    @Test func int8ArraysKeepBoundsOrderNullsAndEmptiness() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        let bounds = PostgresInt64Array([Int64.min, -1, 0, 1, Int64.max])
        #expect(try connection.query("SELECT \(bounds) = ARRAY[-9223372036854775808, -1, 0, 1, 9223372036854775807]::int8[]").singleRow()!
            .decode(column: 0, as: Bool.self))
        let unnested = try connection.query("SELECT v, n FROM unnest(\(bounds)) WITH ORDINALITY AS u(v, n) ORDER BY n").map { try $0.decode((Int64, Int64).self) }
        #expect(unnested.map(\.0) == bounds.values && unnested.map(\.1) == [1, 2, 3, 4, 5])
        let empty = PostgresInt64Array([])
        let (isEmpty, cardinality, dimensions) = try connection.query("SELECT \(empty) = '{}'::int8[], cardinality(\(empty)), array_ndims(\(empty))")
            .singleRow()!.decode((Bool, Int64, Int64?).self)
        #expect(isEmpty && cardinality == 0 && dimensions == nil)
        let nullable = PostgresNullableInt64Array([nil, 7, nil, Int64.min, nil])
        let withNulls = try connection.query("SELECT v, n FROM unnest(\(nullable)) WITH ORDINALITY AS u(v, n) ORDER BY n").map { try $0.decode((Int64?, Int64).self) }
        #expect(withNulls.map(\.0) == nullable.values && withNulls.map(\.1) == [1, 2, 3, 4, 5])
        #expect(try connection.query("SELECT array_position(\(nullable), NULL), \(nullable) = ARRAY[NULL, 7, NULL, -9223372036854775808, NULL]::int8[]")
            .singleRow()!.decode((Int64, Bool).self) == (Int64(1), true))
        let values = (0..<10_000).map { Int64($0) * 1_000_003 - 5_000_000_000 }
        for array in [bounds, empty, PostgresInt64Array([42]), PostgresInt64Array(values)] {
            try Self.expectSameAsTextForm(connection, array)
            #expect(try connection.query("SELECT \(array)").singleRow()!.decode(column: 0, as: PostgresInt64Array.self) == array)
        }
        for array in [nullable, PostgresNullableInt64Array([]), PostgresNullableInt64Array([nil]), PostgresNullableInt64Array([1, 2])] {
            try Self.expectSameAsTextForm(connection, array)
        }
    }

    @Test func textArraysKeepAwkwardElementsAndTellNullFromTheWordNull() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        let awkward = PostgresTextArray(Self.awkwardTexts)
        let unnested = try connection.query("SELECT v, n FROM unnest(\(awkward)) WITH ORDINALITY AS u(v, n) ORDER BY n").map { try $0.decode((String, Int64).self) }
        #expect(unnested.map(\.0) == awkward.values && unnested.map(\.1) == (1...Int64(awkward.values.count)).map { $0 })
        #expect(try connection.query("SELECT \(awkward)").singleRow()!.decode(column: 0, as: PostgresTextArray.self) == awkward)
        let nullable = PostgresNullableTextArray([nil, "NULL", "", nil, "Thái Nguyên", "{\"a\",NULL}"])
        let rows = try connection.query("SELECT v, v IS NULL, n FROM unnest(\(nullable)) WITH ORDINALITY AS u(v, n) ORDER BY n").map { try $0.decode((String?, Bool, Int64).self) }
        #expect(rows.map(\.0) == nullable.values && rows.map(\.1) == [true, false, false, true, false, false])
        for array in [awkward, PostgresTextArray([]), PostgresTextArray([""]), PostgresTextArray(["a", "b"])] {
            try Self.expectSameAsTextForm(connection, array)
        }
        for array in [nullable, PostgresNullableTextArray([]), PostgresNullableTextArray([nil]), PostgresNullableTextArray(["NULL"])] {
            try Self.expectSameAsTextForm(connection, array)
        }
    }

    /// `timestamptz` in binary counts microseconds from 2000-01-01: the same instant, truncated the
    /// same way, as the text form, before and after both epochs.
    @Test func timestampsAreTheInstantsTheirTextNames() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        let seconds: [Double] = [0, 1_700_000_000.123456, 1_700_000_000.1234567, -1.5, -0.000001, 946_684_800, 946_684_799.999999,
                                 4_102_444_800, -2_208_988_800.25, 1_798_761_599.999999, -62_000_000_000.5]
        // Not `Date.distantPast`: it falls in year 0, which the text form cannot name.
        for date in seconds.map(Date.init(timeIntervalSince1970:)) + [Date.distantFuture] {
            try Self.expectSameAsTextForm(connection, date)
            let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
            #expect(try connection.query("SELECT extract(epoch FROM \(date)) * 1000000 = \(micros)")
                .singleRow()!.decode(column: 0, as: Bool.self), "\(date)")
        }
    }

    /// Past the prepared-statement cache statements go unnamed (PQexecParams), inside a transaction
    /// they are pipelined (PQsend…): binary parameters travel the same on both.
    @Test func unnamedAndPipelinedStatementsSendBinaryToo() throws {
        let database = try TestDatabase.create(migrated: false)
        let pool = database.pool(size: 1)
        defer { pool.close() }
        let texts = PostgresNullableTextArray(Self.awkwardTexts.map(Optional.some) + [nil])
        let ids = PostgresInt64Array([Int64.min, 3, Int64.max])
        let pipelined = try pool.transaction(isolation: .readCommitted, pipelinedBegin: true) { connection in
            let first = try connection.send("SELECT cardinality(\(texts)), \(ids)[3], \(Int64.max), \(true)") { try $0.singleRow()!.decode((Int64, Int64, Int64, Bool).self) }
            let second = try connection.send("SELECT (\(texts))[4], \(Array("đồng".utf8))") { try $0.singleRow()!.decode((String, [UInt8]).self) }
            return (try first.get(), try second.get())
        }
        #expect(pipelined.0 == (Int64(Self.awkwardTexts.count + 1), Int64.max, Int64.max, true))
        #expect(pipelined.1 == ("NULL", Array("đồng".utf8)))
        let connection = try database.connectAsOwner()
        for index in 0..<PostgresConnection.preparedStatementsMax {
            _ = try connection.query(PostgresQuery(unsafeSQL: "SELECT \(index)"))
        }
        let unnamed = try connection.query("SELECT cardinality(\(texts)), (\(texts))[\(Int32(2))], \(ids)[1]").singleRow()!.decode((Int64, String, Int64).self)
        #expect(unnamed == (Int64(Self.awkwardTexts.count + 1), " ", Int64.min))
    }

    /// A value one byte over `PostgresParameter.valueBytesMax` fails its statement with an error naming
    /// the parameter, nothing of it sent: alone, and in a pipeline, whose earlier statement ran and is
    /// rolled back with the transaction. The connection stays usable either way.
    @Test func aValueOverTheLimitFailsItsStatementAndNothingElse() throws {
        let connection = try TestDatabase.create(migrated: false).connectAsOwner()
        try connection.simpleQuery(unsafeSQL: "CREATE TABLE kept (id int8 PRIMARY KEY)")
        let oversized = [UInt8](repeating: 0x61, count: PostgresParameter.valueBytesMax + 1)
        let limitText = "is \(PostgresParameter.valueBytesMax + 1) bytes, over the limit of \(PostgresParameter.valueBytesMax)"
        let alone = #expect(throws: PostgresError.self) { try connection.query("SELECT \(Int64(1)), length(\(oversized))") }
        #expect(alone?.context == "parameter $2 (bytea) " + limitText, "\(String(describing: alone))")
        #expect(try connection.query("SELECT \(Int64(5))").singleRow()!.decode(column: 0, as: Int64.self) == 5)

        try connection.simpleQuery(unsafeSQL: "BEGIN")
        try connection.send("INSERT INTO kept VALUES (\(Int64(1)))")
        try connection.send("SELECT length(\(oversized))")
        let pipelined = #expect(throws: PostgresError.self) { try connection.flushPipeline() }
        #expect(pipelined?.context == "parameter $1 (bytea) " + limitText, "\(String(describing: pipelined))")
        try connection.simpleQuery(unsafeSQL: "ROLLBACK")
        #expect(try connection.query("SELECT count(*) FROM kept").singleRow()!.decode(column: 0, as: Int64.self) == 0)
    }
}
