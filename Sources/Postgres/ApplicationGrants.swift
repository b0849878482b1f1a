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
        // Only what the owner owns: other tools' tables in the schema (pgbench's) are not ours to grant.
        try connection.simpleQuery(unsafeSQL: """
            GRANT USAGE ON SCHEMA public TO \(grantee);
            DO $$ DECLARE item record; BEGIN
                FOR item IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                              AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) LOOP
                    IF item.relkind = 'S' THEN
                        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO \(grantee)', item.name);
                    ELSE
                        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %s TO \(grantee)', item.name);
                    END IF;
                END LOOP;
            END $$;
            ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(grantee);
            ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO \(grantee);
            REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM \(grantee);
            """)
    }

    /// The role as a quoted identifier; a name that is empty, too long or holds a control
    /// character, a quote, a dollar or a percent sign (it is also written inside the statements above) is
    /// refused rather than quoted.
    static func quotedRole(_ role: String) throws(PostgresError) -> String {
        guard !role.isEmpty, role.utf8.count <= roleNameBytesMax,
              !role.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "'" || $0 == "$" || $0 == "%" }) else {
            throw PostgresError(code: .configuration, serverMessage: "application role name '\(role)' is not a PostgreSQL role name")
        }
        return "\"" + role.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
