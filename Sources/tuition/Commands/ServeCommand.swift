import API
import Core
import Foundation
import HTTP
import Postgres

enum ServeCommand {
    static let usage = """
        Usage: tuition serve [--host 127.0.0.1] [--port 8080] [--workers 8]

        Migrates the database, then serves the JSON API until SIGTERM or SIGINT, which stop
        accepting, finish the requests in flight and exit 0. Each worker thread has its own
        database connection; --workers also sizes the database pool.
        """

    static let workersMax = 64

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        var configuration = HTTPServerConfiguration()
        configuration.host = try reader.option("--host") ?? configuration.host
        configuration.port = try reader.option("--port", parsePort) ?? configuration.port
        configuration.workerThreads = try reader.option("--workers") { text -> Int in
            guard let value = Int(text), (1...workersMax).contains(value) else { throw CommandFailure(message: "1 to \(workersMax)") }
            return value
        } ?? configuration.workerThreads
        try reader.finish()

        let layout = try ProjectLayout.locate()
        let database = try DatabaseAccess.resolve()
        let applied = try database.migrate(layout: layout)
        for name in applied { printError("migrated \(name)") }
        // One connection per worker: a handler never waits for another handler's connection.
        let pool = PostgresPool(configuration: database.configuration, size: configuration.workerThreads, checkoutTimeoutSeconds: 5)
        defer { pool.close() }
        let metrics = HTTPMetrics()
        let api = TuitionAPI.build(try APIContext(pool: pool, layout: layout, metrics: metrics))
        let server = HTTPServer(configuration: configuration, router: api.router, metrics: metrics)
        try server.start()
        try server.installSignalHandlers()
        printError("tuition \(TuitionAPI.version) listening on http://\(configuration.host):\(server.boundPort)")
        try server.run()
        printError("tuition stopped")
    }
}
