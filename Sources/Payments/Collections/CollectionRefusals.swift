import BankFormats
import Postgres

/// The only trace a refused collection request leaves: one bounded line (provider, operation,
/// school when known, request id, reason). The reason never holds a secret or a received signature.
public enum CollectionRefusals {
    public static let reasonCharactersMax = 300

    static func record(provider: String, operation: CollectionOperation, schoolID: Int64?, requestID: String, reason: String,
                       pool: PostgresPool) throws {
        try pool.withConnection { connection in
            try connection.query("""
                INSERT INTO collection_refusals (provider, operation, school_id, request_id, reason)
                VALUES (\(String(provider.prefix(32))), \(operation.rawValue), \(schoolID), \(String(requestID.prefix(64))),
                        \(String(reason.isEmpty ? "refused" : reason.prefix(reasonCharactersMax))))
                """)
        }
    }

    public static func count(provider: String, on connection: PostgresConnection) throws -> Int64 {
        try connection.query("SELECT count(*) FROM collection_refusals WHERE provider = \(provider)").singleRow()!.decode(column: 0, as: Int64.self)
    }
}
