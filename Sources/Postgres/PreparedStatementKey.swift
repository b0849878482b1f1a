import Glibc

/// A statement's SQL as the key of a connection's prepared statements, hashed and compared by its
/// UTF-8 bytes. `String`'s own hashing and equality go by canonical equivalence (an NFC check and a
/// normalising pass over the text, several hundred bytes per statement, on every statement the lane
/// sends); PostgreSQL receives the bytes, so two texts are the same statement exactly when their bytes
/// are equal.
struct PreparedStatementKey: Hashable {
    let sql: String

    init(_ sql: String) { self.sql = sql }

    /// Bytes hashed at each end of a text: statements differ in their tables, columns and
    /// conditions, which both ends catch, and hashing all of a long text on every statement sent
    /// costs more than the rare collision (settled by `==`, which compares every byte).
    static let hashedEndBytes = 96

    func hash(into hasher: inout Hasher) {
        var sql = sql
        sql.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            hasher.combine(raw.count)
            guard raw.count > 2 * Self.hashedEndBytes else { return hasher.combine(bytes: raw) }
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw.prefix(Self.hashedEndBytes)))
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw.suffix(Self.hashedEndBytes)))
        }
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
