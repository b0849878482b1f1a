import Foundation
import Postgres
import Testing

/// The embedded cluster's two roles, and a cluster made before them (database and tables owned by
/// the superuser) handed to the owner at the next start.
@Suite struct EmbeddedClusterRoleTests {
    @Test func anOlderClusterIsHandedToTheOwnerAtStart() throws {
        let home = NSTemporaryDirectory() + "tuition-roles-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let cluster = try EmbeddedCluster(home: home, extraSettings: ["fsync = off"])
        defer { try? cluster.destroy(); try? FileManager.default.removeItem(atPath: home) }
        try cluster.start()
        let superuser = try PostgresConnection(configuration: cluster.configuration())
        defer { superuser.close() }
        let roles = try superuser.query("""
            SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles
            WHERE rolname IN (\(EmbeddedCluster.ownerRole), \(EmbeddedCluster.applicationRole)) ORDER BY rolname
            """).map { try $0.decode((String, Bool, Bool, Bool).self) }
        #expect(roles.map(\.0) == [EmbeddedCluster.applicationRole, EmbeddedCluster.ownerRole])
        #expect(roles.allSatisfy { !$0.1 && !$0.2 && !$0.3 })
        // The cluster's own settings, beside the caller's: WAL segments are not zero-filled (a commit crossing
        // into a new segment does not write 16 MB first), and what the caller asked stands.
        let settings = try superuser.query("SELECT current_setting('wal_init_zero'), current_setting('fsync')").singleRow()
        #expect(try #require(settings).decode((String, String).self) == ("off", "off"))
        // As a cluster made before the split was.
        try superuser.simpleQuery(unsafeSQL: """
            ALTER DATABASE \(EmbeddedCluster.databaseName) OWNER TO \(EmbeddedCluster.superuser);
            CREATE TABLE legacy (n int);
            CREATE FUNCTION legacy_answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
            """)
        try cluster.start()
        let owners = try superuser.query("""
            SELECT (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()),
                   (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'legacy'::regclass),
                   (SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'legacy_answer')
            """).singleRow()
        let (database, table, function) = try #require(owners).decode((String, String, String).self)
        #expect([database, table, function] == Array(repeating: EmbeddedCluster.ownerRole, count: 3))
    }
}
