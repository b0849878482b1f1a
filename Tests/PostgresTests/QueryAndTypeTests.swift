import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct QueryAndTypeTests {
    @Test func integersRoundTripAtTheirBounds() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        for value in [Int64.min, -1, 0, 1, Int64.max] {
            let row = try connection.query("SELECT \(value)::int8, \(value)::text").singleRow()!
            let (decoded, text) = try row.decode((Int64, String).self)
            #expect(decoded == value)
            #expect(text == String(value))
        }
        for value in [Int32.min, 0, Int32.max] {
            #expect(try connection.query("SELECT \(value)").singleRow()!.decode(column: 0, as: Int32.self) == value)
        }
        let tooWide = try connection.query("SELECT \(Int64(Int32.max) + 1)").singleRow()!
        let narrowing = #expect(throws: PostgresError.self) { try tooWide.decode(column: 0, as: Int32.self) }
        #expect(narrowing?.code == .decoding && narrowing?.sqlState == nil, "\(String(describing: narrowing))")
        #expect(narrowing?.context?.hasPrefix("column '") == true && narrowing?.context?.contains("(index 0, ") == true)
        #expect(narrowing?.context?.contains("as Int32: outOfRange") == true, "\(String(describing: narrowing?.context))")
    }

    /// The connection keys its prepared statements by SQL text and tells them apart by parameter
    /// types; parameter values go as C strings packed into one buffer (NULLs, empty and non-ASCII
    /// values beside each other).
    @Test func oneSQLTextWithOtherParameterTypesIsAnotherStatement() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let sql = "SELECT pg_typeof($1)::text, $1::text"
        #expect(try connection.query(PostgresQuery(unsafeSQL: sql, parameters: [PostgresParameter(Int64(42))])).singleRow()!
            .decode((String, String).self) == ("bigint", "42"))
        #expect(try connection.query(PostgresQuery(unsafeSQL: sql, parameters: [PostgresParameter("đồng")])).singleRow()!
            .decode((String, String).self) == ("text", "đồng"))
        #expect(try connection.query(PostgresQuery(unsafeSQL: sql, parameters: [PostgresParameter(Int64(7))])).singleRow()!
            .decode((String, String).self) == ("bigint", "7"))
        let none: String? = nil
        let mixed = try connection.query("SELECT \("a"), \(none), \(""), \("Thái Nguyên"), \(Int64.min)").singleRow()!
            .decode((String, String?, String, String, Int64).self)
        #expect(mixed == ("a", nil, "", "Thái Nguyên", Int64.min))
    }

    @Test func textBytesUUIDBoolAndJSONRoundTrip() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let text = "Nguyễn Văn Ân — 'quoted' \"double\" \\ back\tslash\nnew line ; DROP TABLE x; --"
        let bytes: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFF]
        let uuid = UUID()
        let json = PostgresJSON(#"{"a": [1, 2], "b": "đồng"}"#)
        let row = try connection.query("SELECT \(text), \(bytes), \(uuid), \(true), \(false), \(json)").singleRow()!
        let decoded = try row.decode((String, [UInt8], UUID, Bool, Bool, PostgresJSON).self)
        #expect(decoded.0 == text)
        #expect(decoded.1 == bytes)
        #expect(decoded.2 == uuid)
        #expect(decoded.3 == true && decoded.4 == false)
        #expect(decoded.5.text.contains("đồng"))
        let empty = try connection.query("SELECT \([UInt8]())").singleRow()!.decode(column: 0, as: [UInt8].self)
        #expect(empty.isEmpty)
    }

    @Test func datesRoundTripInUTC() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let instants = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_790_000_000.123456),
                        Date(timeIntervalSince1970: -86_400 * 365 * 50 + 0.5)]
        for instant in instants {
            let back = try connection.query("SELECT \(instant)").singleRow()!.decode(column: 0, as: Date.self)
            #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_002)
        }
        let day = try connection.query("SELECT DATE '2026-09-30'").singleRow()!.decode(column: 0, as: Date.self)
        #expect(day.timeIntervalSince1970 == 1_790_726_400)
        let offset = try connection.query("SELECT TIMESTAMPTZ '2026-09-21 21:13:20+07'").singleRow()!.decode(column: 0, as: Date.self)
        #expect(offset.timeIntervalSince1970 == 1_790_000_000)
    }

    @Test func nullsDecodeAsOptionalsAndRefuseNonOptionals() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let missing: Int64? = nil
        let row = try connection.query("SELECT \(missing)::int8 AS amount, NULL::text AS memo").singleRow()!
        #expect(try row.decode((Int64?, String?).self) == (nil, nil))
        do {
            _ = try row.decode("amount", as: Int64.self)
            Issue.record("a NULL decoded as a non-optional")
        } catch let error as PostgresError {
            #expect(error.code == .decoding)
            #expect(error.description.contains("'amount'"))
            #expect(error.description.contains("index 0"))
            #expect(error.description.contains("Int64"))
        }
    }

    @Test func decodingErrorsNameColumnIndexAndType() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let row = try connection.query("SELECT 'abc'::text AS code, 5 AS n").singleRow()!
        do {
            _ = try row.decode((Int64, Int64).self)
            Issue.record("text decoded as an integer")
        } catch let error as PostgresError {
            #expect(error.description.contains("'code'") && error.description.contains("index 0") && error.description.contains("Int64"))
        }
        let tooMany = #expect(throws: PostgresError.self) { try row.decode((String, Int64, Int64).self) }
        #expect(tooMany?.code == .decoding && tooMany?.context == "column index 2 out of range (row has 2)", "\(String(describing: tooMany))")
        let tooFew = #expect(throws: PostgresError.self) { try row.decode((String).self) }
        #expect(tooFew?.code == .decoding && tooFew?.context == "decoded 1 columns of a row that has 2", "\(String(describing: tooFew))")
    }

    @Test func arraysTravelAsParameters() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let ids = PostgresInt64Array([3, 1, 2])
        let sum = try connection.query("SELECT sum(x)::int8 FROM unnest(\(ids)) AS x").singleRow()!.decode(column: 0, as: Int64.self)
        #expect(sum == 6)
        let names = PostgresTextArray(["a\"b", "c,d", "NULL", "e\\f"])
        let back = try connection.query("SELECT \(names)").singleRow()!.decode(column: 0, as: PostgresTextArray.self)
        #expect(back == names)
        // Empty arrays, bounds, NULL elements beside the text "NULL", and non-ASCII text, as the server reads them.
        let bounds = PostgresInt64Array([Int64.min, 0, Int64.max])
        #expect(try connection.query("SELECT \(bounds)::text, \(PostgresInt64Array([]))::text, \(PostgresTextArray([]))::text").singleRow()!
            .decode((String, String, String).self) == ("{-9223372036854775808,0,9223372036854775807}", "{}", "{}"))
        let nullableIDs = PostgresNullableInt64Array([nil, 7, nil])
        let nullableNames = PostgresNullableTextArray(["NULL", nil, "Thái Nguyên \"x\"", ""])
        let (idText, nullIDs, nameText, nullNames) = try connection.query("""
            SELECT \(nullableIDs)::text, (SELECT count(*) FROM unnest(\(nullableIDs)) v WHERE v IS NULL),
                   \(nullableNames)::text, (SELECT count(*) FROM unnest(\(nullableNames)) v WHERE v IS NULL)
            """).singleRow()!.decode((String, Int64, String, Int64).self)
        #expect(idText == "{NULL,7,NULL}" && nullIDs == 2)
        #expect(nameText == #"{"NULL",NULL,"Thái Nguyên \"x\"",""}"# && nullNames == 1)
    }

    @Test func uniqueViolationCarriesSQLStateAndHidesValues() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        try connection.simpleQuery(unsafeSQL: "CREATE TABLE t (code text CONSTRAINT t_code_key UNIQUE)")
        try connection.query("INSERT INTO t VALUES (\("secret-value"))")
        do {
            try connection.query("INSERT INTO t VALUES (\("secret-value"))")
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.sqlState == .uniqueViolation)
            #expect(error.code == .server)
            #expect(error.constraintName == "t_code_key")
            #expect(!error.description.contains("secret-value"))
            #expect(!error.description.contains("INSERT"))
            #expect(error.debugDescription.contains("duplicate key"))
        }
        // The connection stays usable after a statement error.
        #expect(try connection.query("SELECT count(*) FROM t").singleRow()!.decode(column: 0, as: Int64.self) == 1)
    }

    @Test func interpolationNeverInjects() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        try connection.simpleQuery(unsafeSQL: "CREATE TABLE victims (name text)")
        let hostile = "x'); DROP TABLE victims; --"
        try connection.query("INSERT INTO victims VALUES (\(hostile))")
        let stored = try connection.query("SELECT name FROM victims").singleRow()!.decode(column: 0, as: String.self)
        #expect(stored == hostile)
        let query: PostgresQuery = "SELECT \(hostile)"
        #expect(query.sql == "SELECT $1")
        #expect(query.description == "SELECT $1")
    }

    @Test func copyLoadsRowsInBulkAndAbortsCleanly() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        try connection.simpleQuery(unsafeSQL: "CREATE TABLE lines (n int8, memo text)")
        let stored = try connection.copyFrom("COPY lines (n, memo) FROM STDIN") { writer in
            for n in 0..<10_000 { try writer.append(row: [String(n), n % 7 == 0 ? nil : "memo\t\(n)\nline \\ end"]) }
        }
        #expect(stored == 10_000)
        let (count, nulls, sample) = try connection.query("""
            SELECT count(*), count(*) FILTER (WHERE memo IS NULL), max(memo) FILTER (WHERE n = 1) FROM lines
            """).singleRow()!.decode((Int64, Int64, String).self)
        #expect(count == 10_000 && nulls == 1_429 && sample == "memo\t1\nline \\ end")
        struct Stop: Error, Equatable {}
        #expect(throws: Stop()) {
            try connection.copyFrom("COPY lines (n, memo) FROM STDIN") { writer in
                try writer.append(row: ["1", "x"])
                throw Stop()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM lines").singleRow()!.decode(column: 0, as: Int64.self) == 10_000)
    }

    @Test func parsesDatabaseURLs() throws {
        let tcp = try PostgresConfiguration(url: "postgres://app:p%40ss@db.example:6543/tuition?sslmode=require")
        #expect(tcp.value("user") == "app" && tcp.value("password") == "p@ss" && tcp.value("host") == "db.example")
        #expect(tcp.value("port") == "6543" && tcp.value("dbname") == "tuition" && tcp.value("sslmode") == "require")
        #expect(!tcp.description.contains("p@ss"))
        let socket = try PostgresConfiguration(url: "postgresql://tuition@%2Fvar%2Frun%2Fpostgresql/school")
        #expect(socket.value("host") == "/var/run/postgresql" && socket.value("dbname") == "school")
        let query = try PostgresConfiguration(url: "postgresql:///tuition?host=/tmp/x&port=5433")
        #expect(query.value("host") == "/tmp/x" && query.value("port") == "5433")
        let refusals = [
            ("mysql://x", "the database URL must start with postgres:// or postgresql://"),
            ("postgres://h:99999/d", "the database URL port is not a number from 1 to 65535"),
            ("postgres://h/d?sslmod=x", "the database URL has an unknown parameter 'sslmod'"),
            ("postgres://h/%zz", "the database URL has a malformed percent escape"),
        ]
        for (bad, reason) in refusals {
            let error = #expect(throws: PostgresError.self) { try PostgresConfiguration(url: bad) }
            #expect(error?.code == .configuration && error?.context == reason, "\(bad): \(String(describing: error))")
        }
    }

    @Test func connectionFailureIsTypedAndTimely() throws {
        var configuration = PostgresConfiguration(parameters: [("host", "/nonexistent-socket-dir"), ("user", "x"), ("dbname", "x")])
        configuration.set("connect_timeout", "2")
        do {
            _ = try PostgresConnection(configuration: configuration)
            Issue.record("connected to nothing")
        } catch {
            #expect(error.code == .connectionFailed)
            #expect(error.isConnectionBroken)
        }
    }
}
