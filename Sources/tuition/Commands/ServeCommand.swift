import API
import Core
import Foundation
import HTTP
import Payments
import Postgres

enum ServeCommand {
    static let usage = """
        Usage: tuition serve [--config FILE] [--host 127.0.0.1] [--port 8080] [--workers 8]
                             [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]

        Migrates the database, then serves the JSON API until SIGTERM or SIGINT, which stop
        accepting, finish the requests in flight and exit 0. Each worker thread has its own
        database connection; --workers also sizes the database pool. With --tls-cert and
        --tls-key the server speaks only TLS 1.2+; SIGHUP reloads the certificate files without
        dropping connections. With --tls-client-ca, bank callback routes require a client
        certificate issued by that CA. Settings come from the file, then the environment
        (see `tuition config check --help`), then these flags.
        """

    static let workersMax = 64

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        var settings = try Settings.load(configPath: try reader.option("--config"))
        settings.host = try reader.option("--host") ?? settings.host
        settings.port = try reader.option("--port", parsePort) ?? settings.port
        settings.workers = try reader.option("--workers") { try parseInt($0, 1...workersMax) } ?? settings.workers
        settings.tlsCertificate = try reader.option("--tls-cert") ?? settings.tlsCertificate
        settings.tlsPrivateKey = try reader.option("--tls-key") ?? settings.tlsPrivateKey
        settings.tlsClientCA = try reader.option("--tls-client-ca") ?? settings.tlsClientCA
        try reader.finish()
        let problems = settings.problems()
        guard problems.isEmpty else { throw CommandFailure(message: problems.joined(separator: "; ")) }
        try serve(settings)
    }

    static func serve(_ settings: Settings) throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = settings.host ?? configuration.host
        configuration.port = settings.port ?? configuration.port
        configuration.workerThreads = settings.workers ?? configuration.workerThreads
        settings.httpLimits?.apply(to: &configuration)
        if let certificate = settings.tlsCertificate, let key = settings.tlsPrivateKey {
            configuration.tls = TLSConfiguration(certificateChainFile: certificate, privateKeyFile: key, clientCAFile: settings.tlsClientCA)
        }
        let layout = try ProjectLayout.locate()
        let database = try DatabaseAccess.resolve(settings.databaseEnvironment)
        let applied = try database.migrate(layout: layout)
        for name in applied { printError("migrated \(name)") }
        // One connection per worker: a handler never waits for another handler's connection.
        let pool = PostgresPool(configuration: database.configuration.limited(by: settings.sessionLimits),
                                size: configuration.workerThreads, checkoutTimeoutSeconds: 5)
        defer { pool.close() }
        // Bank connection changes, heard from the database: the callback and collection routes are cached while it listens.
        let changes = ConnectionChanges(configuration: database.configuration)
        defer { changes.stop() }
        let metrics = HTTPMetrics()
        var context = try APIContext(pool: pool, layout: layout, metrics: metrics,
                                     callbacksRequireClientCertificate: settings.tlsClientCA != nil,
                                     laneBatchesInFlight: settings.laneBatchesInFlight ?? GroupCommit.batchesInFlightDefault,
                                     connectionChanges: changes, loopConnections: settings.loopConnections ?? APIContext.loopConnectionsDefault)
        context.consoleCookiesSecure = configuration.tls != nil
        let api = TuitionAPI.build(context)
        let server = HTTPServer(configuration: configuration, router: api.router, metrics: metrics)
        try server.start()
        try server.installSignalHandlers()
        let scheme = configuration.tls == nil ? "http" : "https"
        printError("tuition \(TuitionAPI.version) listening on \(scheme)://\(configuration.host):\(server.boundPort)")
        try server.run()
        printError("tuition stopped")
    }
}
