import Postgres

extension PostgresConnection {
    /// Runs `sql` in a transaction of its own and returns the SQLSTATE it failed with, nil if it
    /// committed; after a failure the transaction is rolled back, so the connection stays usable.
    /// For tests that prove the database itself refuses a write.
    public func failedSQLState(_ sql: String) -> String? {
        do {
            try simpleQuery(unsafeSQL: "BEGIN; " + sql + "; COMMIT;")
            return nil
        } catch {
            _ = try? simpleQuery(unsafeSQL: "ROLLBACK")
            return error.sqlState?.rawValue ?? "no SQLSTATE: \(error)"
        }
    }
}
