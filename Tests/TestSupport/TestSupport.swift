import Foundation
import Postgres
import Synchronization

/// The repository this test binary was built from.
public enum Repository {
    public static let root: String = {
        // Tests/TestSupport/TestSupport.swift → the repository is two levels above its directory.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    public static var migrations: String { root + "/migrations" }
    public static var bankFormats: String { root + "/bank-formats" }
}

/// One throwaway PostgreSQL cluster per test process, created on first use under the system
/// temp folder, migrated into a template database, and destroyed when the process exits.
///
/// Like the program, tests reach their databases as the application role (the embedded cluster's
/// `tuition_app`); migrations run as the owner. A test that needs more (its own tables, or proving
/// what even the owner cannot do) asks for `ownerConfiguration` explicitly.
public enum TestCluster {
    private static let state = Mutex<EmbeddedCluster?>(nil)
    public static let templateDatabase = "tuition_template"

    /// The running cluster, started (and its template migrated) on first call.
    public static func shared() throws -> EmbeddedCluster {
        try state.withLock { cluster in
            if let cluster { return cluster }
            let home = NSTemporaryDirectory() + "tuition-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let created = try EmbeddedCluster(home: home, extraSettings: [
                // A throwaway cluster trades durability for speed.
                "fsync = off", "synchronous_commit = off", "full_page_writes = off",
            ])
            try created.start()
            try createTemplate(created)
            cluster = created
            atexit {
                TestCluster.state.withLock { cluster in
                    guard let cluster else { return }
                    try? cluster.destroy()
                    try? FileManager.default.removeItem(atPath: cluster.home)
                }
            }
            return created
        }
    }

    private static func createTemplate(_ cluster: EmbeddedCluster) throws {
        let admin = try PostgresConnection(configuration: cluster.configuration(database: "postgres"))
        defer { admin.close() }
        try cluster.createDatabase(templateDatabase, on: admin)
        try migrateAsOwner(cluster.configuration(database: templateDatabase, role: .owner))
    }

    /// Migrates as the owner and grants the application role, as `tuition migrate` does.
    static func migrateAsOwner(_ owner: PostgresConfiguration) throws {
        let connection = try PostgresConnection(configuration: owner)
        defer { connection.close() }
        try Migrator(directory: Repository.migrations).migrate(connection)
        try ApplicationGrants.apply(to: EmbeddedCluster.applicationRole, on: connection)
    }
}

/// A fresh, migrated database for one test, copied from the template.
public struct TestDatabase: Sendable {
    public let name: String
    public let cluster: EmbeddedCluster

    public static func create(migrated: Bool = true) throws -> TestDatabase {
        let cluster = try TestCluster.shared()
        let name = "test_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(configuration: cluster.configuration(database: "postgres"))
        defer { admin.close() }
        let template = migrated ? TestCluster.templateDatabase : "template0"
        try cluster.createDatabase(name, template: template, on: admin)
        return TestDatabase(name: name, cluster: cluster)
    }

    /// The application role's view: what the program connects as.
    public var configuration: PostgresConfiguration { cluster.configuration(database: name, role: .application) }
    /// The schema owner's: migrations, and tests that create tables of their own.
    public var ownerConfiguration: PostgresConfiguration { cluster.configuration(database: name, role: .owner) }

    public func connectAsOwner() throws -> PostgresConnection {
        try PostgresConnection(configuration: ownerConfiguration)
    }

    public func connect() throws -> PostgresConnection {
        try PostgresConnection(configuration: configuration)
    }

    public func pool(size: Int, checkoutTimeoutSeconds: Double = 10) -> PostgresPool {
        PostgresPool(configuration: configuration, size: size, checkoutTimeoutSeconds: checkoutTimeoutSeconds)
    }
}

/// A private cluster for tests that stop or restart the server (the shared one must stay up).
public struct IsolatedCluster: Sendable {
    public let cluster: EmbeddedCluster

    /// Starts a new cluster with a migrated `tuition` database.
    public static func start() throws -> IsolatedCluster {
        let home = NSTemporaryDirectory() + "tuition-isolated-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let cluster = try EmbeddedCluster(home: home, extraSettings: ["fsync = off", "synchronous_commit = off"])
        try cluster.start()
        try TestCluster.migrateAsOwner(cluster.configuration(role: .owner))
        return IsolatedCluster(cluster: cluster)
    }

    public var configuration: PostgresConfiguration { cluster.configuration(role: .application) }

    public func destroy() {
        try? cluster.destroy()
        try? FileManager.default.removeItem(atPath: cluster.home)
    }
}
