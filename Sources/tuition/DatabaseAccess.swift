import Core
import Foundation
import Postgres

/// Where the database is: `DATABASE_URL` when set, otherwise the embedded cluster under `TUITION_HOME`.
///
/// Two roles: the application's (`configuration`: every runtime command and the server) and the
/// schema owner's (`ownerConfiguration`: migrations, backup and restore). The embedded cluster has
/// both; with an external database, `DATABASE_OWNER_URL` names the owner and `DATABASE_URL` the
/// application — without it, the one role of `DATABASE_URL` does both (and the database cannot
/// protect its history from the program, see docs/operations.md).
struct DatabaseAccess {
    let configuration: PostgresConfiguration
    let ownerConfiguration: PostgresConfiguration
    let embedded: EmbeddedCluster?

    static let homeDefault = "./.tuition"

    /// `TUITION_HOME`, or `./.tuition` when unset or empty.
    static func home(_ environment: [String: String]) -> String {
        environment["TUITION_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeDefault
    }

    static func embeddedCluster(_ environment: [String: String]) throws -> EmbeddedCluster {
        try EmbeddedCluster(home: home(environment))
    }

    /// Resolves the database, starting the embedded cluster if that is the one in use. Without an
    /// explicit environment, the settings of `TUITION_CONFIG` (if set) apply under the process environment.
    static func resolve(_ explicit: [String: String]? = nil) throws -> DatabaseAccess {
        let environment = try explicit ?? Settings.load(configPath: nil).databaseEnvironment
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            let application = try PostgresConfiguration(url: url)
            let owner = try environment["DATABASE_OWNER_URL"].flatMap { $0.isEmpty ? nil : try PostgresConfiguration(url: $0) }
            return DatabaseAccess(configuration: application, ownerConfiguration: owner ?? application, embedded: nil)
        }
        let cluster = try embeddedCluster(environment)
        try cluster.start()
        return DatabaseAccess(configuration: cluster.configuration(role: .application),
                              ownerConfiguration: cluster.configuration(role: .owner), embedded: cluster)
    }

    func connect() throws -> PostgresConnection {
        try PostgresConnection(configuration: configuration)
    }

    func connectAsOwner() throws -> PostgresConnection {
        try PostgresConnection(configuration: ownerConfiguration)
    }

    /// Applies pending migrations as the owner, then (re)grants the application role its
    /// privileges; returns the names applied.
    /// The database of this run, migrated, with a pool of one connection for a command's work and the project
    /// layout it was migrated from. The caller closes the pool.
    static func migratedPool() throws -> (database: DatabaseAccess, pool: PostgresPool, layout: ProjectLayout) {
        let database = try resolve()
        let layout = try ProjectLayout.locate()
        try database.migrate(layout: layout)
        return (database, PostgresPool(configuration: database.configuration, size: 1), layout)
    }

    @discardableResult
    func migrate(layout: ProjectLayout) throws -> [String] {
        let connection = try connectAsOwner()
        defer { connection.close() }
        let applied = try Migrator(directory: layout.migrations).migrate(connection)
        try grantApplication(on: connection)
        return applied
    }

    /// Gives the application role its grants, unless it is the owner itself (one role for both).
    func grantApplication(on ownerConnection: PostgresConnection) throws {
        guard let application = configuration.value("user"), application != ownerConfiguration.value("user") else { return }
        try ApplicationGrants.apply(to: application, on: ownerConnection)
    }
}

extension PostgresError: PostgresErrorDescribing {
    /// The operator at the terminal may see the server's message; API clients never do.
    var operatorDescription: String { debugDescription }
}
