import Core
import Foundation
import Postgres

/// Where the database is: `DATABASE_URL` when set, otherwise the embedded cluster under `TUITION_HOME`.
struct DatabaseAccess {
    let configuration: PostgresConfiguration
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
            return DatabaseAccess(configuration: try PostgresConfiguration(url: url), embedded: nil)
        }
        let cluster = try embeddedCluster(environment)
        try cluster.start()
        return DatabaseAccess(configuration: cluster.configuration(), embedded: cluster)
    }

    func connect() throws -> PostgresConnection {
        try PostgresConnection(configuration: configuration)
    }

    /// Applies pending migrations; returns the names applied.
    @discardableResult
    func migrate(layout: ProjectLayout) throws -> [String] {
        let connection = try connect()
        defer { connection.close() }
        return try Migrator(directory: layout.migrations).migrate(connection)
    }
}

extension PostgresError: PostgresErrorDescribing {
    /// The operator at the terminal may see the server's message; API clients never do.
    var operatorDescription: String { debugDescription }
}
