import Postgres
import Testing
import TestSupport

/// A fragment built by one module lands in another's query with its values numbered as that query's parameters.
@Suite struct PostgresFragmentTests {
    static func balances(school: Int64, sign: String) -> PostgresFragment {
        "(SELECT v FROM (VALUES (\(school)), (\(school + 1))) t(v) WHERE v \(unescaped: sign) \(Int64(0))) b"
    }

    @Test func valuesAreNumberedWhereTheFragmentLands() {
        let inner: PostgresFragment = "w = \(Int64(9))"
        let fragment: PostgresFragment = "x = \(Int64(7)) AND \(inner) AND y = \(unescaped: "z")"
        let query: PostgresQuery = "SELECT \(Int64(1)) WHERE \(fragment) AND v = \("last")"
        #expect(query.sql == "SELECT $1 WHERE x = $2 AND w = $3 AND y = z AND v = $4")
        #expect(query.parameters.map(\.text) == ["1", "7", "9", "last"])
        let literal: PostgresFragment = "no values"
        let plain: PostgresQuery = "SELECT 1 FROM \(literal)"
        #expect(plain.sql == "SELECT 1 FROM no values" && plain.parameters.isEmpty)
    }

    @Test func aFragmentRunsAsPartOfTheQuery() throws {
        let connection = try TestDatabase.create().connectAsOwner()
        let rows = try connection.query("""
            SELECT b.v + \(Int64(100)) FROM \(Self.balances(school: 41, sign: ">")) ORDER BY 1
            """)
        #expect(try rows.map { try $0.decode(column: 0, as: Int64.self) } == [141, 142])
        let none = try connection.query("SELECT count(*) FROM \(Self.balances(school: 41, sign: "<"))").singleRow()!
        #expect(try none.decode(column: 0, as: Int64.self) == 0)
    }
}
