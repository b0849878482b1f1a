import Foundation

/// The privileges of the application role in the schema the owner role owns and migrates.
///
/// The application reads and writes rows and nothing else: no TRUNCATE, no REFERENCES, no
/// TRIGGER, no CREATE on the schema, and it owns no table, so it cannot ALTER a table, disable a
/// trigger or drop anything; `session_replication_role` (which would skip triggers) is a superuser
/// setting. What it may not change inside a table (history, a period's close) is refused by the
/// tables' own triggers and functions, which it cannot remove.
///
/// Run by the owner after every migration. `ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER` makes
/// every table and sequence the owner creates later carry the same grants, so a migration is plain
/// DDL that never names a role.
public enum ApplicationGrants {
    /// Longest role name PostgreSQL keeps (NAMEDATALEN - 1).
    public static let roleNameBytesMax = 63

    public static func apply(to role: String, on connection: PostgresConnection) throws {
        let grantee = try quotedRole(role)
        try connection.simpleQuery(unsafeSQL: """
            GRANT USAGE ON SCHEMA public TO \(grantee);
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(grantee);
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(grantee);
            ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(grantee);
            ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO \(grantee);
            REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM \(grantee);
            """)
    }

    /// The role as a quoted identifier; a name that is empty, too long or holds a control
    /// character or NUL is refused rather than quoted.
    static func quotedRole(_ role: String) throws(PostgresError) -> String {
        guard !role.isEmpty, role.utf8.count <= roleNameBytesMax, !role.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw PostgresError(code: .configuration, serverMessage: "application role name '\(role)' is not a PostgreSQL role name")
        }
        return "\"" + role.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
