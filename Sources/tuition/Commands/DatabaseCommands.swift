import Core
import Foundation
import Postgres

enum MigrateCommand {
    static let usage = """
        Usage: tuition migrate

        Applies pending migrations from migrations/ in order, each in its own transaction.
        A migration already applied whose file changed is refused.
        """

    static func run(_ arguments: [String]) throws {
        let reader = try ArgumentReader(arguments, usage: usage)
        try reader.finish()
        let layout = try ProjectLayout.locate()
        let applied = try DatabaseAccess.resolve().migrate(layout: layout)
        print(applied.isEmpty ? "migrations: up to date" : applied.map { "applied \($0)" }.joined(separator: "\n"))
    }
}

enum DatabaseCommand {
    static let usage = """
        Usage: tuition db <start|stop|status|url|env>

        Manages the embedded PostgreSQL cluster under TUITION_HOME (default ./.tuition).
          start    create the cluster on first use and start it
          stop     stop it
          status   print running, stopped or not initialized
          url      print the connection URL of its database
          env      print PGHOST, PGPORT, PGUSER and PGDATABASE for psql and pgbench (eval "$(tuition db env)")
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        guard let action = reader.positional() else { throw UsageError(message: "missing action", usage: usage) }
        try reader.finish()
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            throw CommandFailure(message: "DATABASE_URL is set: the embedded cluster is not in use")
        }
        let cluster = try DatabaseAccess.embeddedCluster(environment)
        switch action {
        case "start":
            try cluster.start()
            print("database running; url: \(cluster.url)")
        case "stop":
            try cluster.stop()
            print("database stopped")
        case "status":
            print(cluster.status().rawValue)
        case "url":
            print(cluster.url)
        case "env":
            let configuration = cluster.configuration()
            for (variable, key) in [("PGHOST", "host"), ("PGPORT", "port"), ("PGUSER", "user"), ("PGDATABASE", "dbname")] {
                print("export \(variable)='\(configuration.value(key) ?? "")'")
            }
        default:
            throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }
}
