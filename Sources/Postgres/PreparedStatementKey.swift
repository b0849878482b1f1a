import Glibc

/// A statement's SQL as the key of a connection's prepared statements, hashed and compared by its
/// UTF-8 bytes. `String`'s own hashing and equality go by canonical equivalence (an NFC check and a
/// normalising pass over the text, several hundred bytes per statement, on every statement the lane
/// sends); PostgreSQL receives the bytes, so two texts are the same statement exactly when their bytes
/// are equal.
struct PreparedStatementKey: Hashable {
    let sql: String

    init(_ sql: String) { self.sql = sql }

    func hash(into hasher: inout Hasher) {
        var sql = sql
        sql.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    static func == (left: PreparedStatementKey, right: PreparedStatementKey) -> Bool {
        var leftSQL = left.sql, rightSQL = right.sql
        return leftSQL.withUTF8 { leftBytes in
            rightSQL.withUTF8 { rightBytes in
                leftBytes.count == rightBytes.count
                    && (leftBytes.count == 0 || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0)
            }
        }
    }
}
