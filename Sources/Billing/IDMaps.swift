import Postgres

/// A query of two id columns read as a map from the first to the second (an invoice's student, a family's
/// first pupil).
enum IDMaps {
    static func read(_ query: PostgresQuery, on connection: PostgresConnection) throws -> [Int64: Int64] {
        var map: [Int64: Int64] = [:]
        for row in try connection.query(query) {
            let (key, value) = try row.decode((Int64, Int64).self)
            map[key] = value
        }
        return map
    }
}
