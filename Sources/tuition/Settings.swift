import API
import Foundation
import HTTP
import Payments
import Postgres

/// The program's settings: a JSON file (`--config FILE` or `TUITION_CONFIG`), overridden by
/// environment variables, overridden by command-line flags. `tuition config check` prints the
/// effective result with secrets masked.
struct Settings: Codable, Equatable {
    var databaseURL: String?
    var home: String?
    var host: String?
    var port: Int?
    var workers: Int?
    var tlsCertificate: String?
    var tlsPrivateKey: String?
    var tlsClientCA: String?
    /// `lock_timeout` and `statement_timeout` of the server's pooled connections (docs/operations.md).
    var lockTimeoutMilliseconds: Int?
    var statementTimeoutMilliseconds: Int?
    /// Batches of one school's commit lane in flight at once (docs/operations.md, docs/callbacks.md §6).
    var laneBatchesInFlight: Int?
    /// Database connections each event loop keeps for bank inquiries (docs/operations.md, docs/collection.md).
    var loopConnections: Int?
    /// The server's flood protections (`http_limits`, see HTTPLimitSettings).
    var httpLimits: HTTPLimitSettings?

    static let fileBytesMax = 64 * 1024

    enum CodingKeys: String, CodingKey {
        case databaseURL = "database_url", home, host, port, workers
        case tlsCertificate = "tls_certificate", tlsPrivateKey = "tls_private_key", tlsClientCA = "tls_client_ca"
        case lockTimeoutMilliseconds = "lock_timeout_ms", statementTimeoutMilliseconds = "statement_timeout_ms"
        case httpLimits = "http_limits"
        case laneBatchesInFlight = "lane_batches_in_flight", loopConnections = "loop_connections"
    }

    /// Environment variables and the file keys they override.
    static var environmentNames: [(variable: String, key: WritableKeyPath<Settings, String?>)] { [
        ("DATABASE_URL", \.databaseURL), ("TUITION_HOME", \.home), ("TUITION_HOST", \.host),
        ("TUITION_TLS_CERT", \.tlsCertificate), ("TUITION_TLS_KEY", \.tlsPrivateKey), ("TUITION_TLS_CLIENT_CA", \.tlsClientCA),
    ] }

    /// The file (if any), then the environment on top.
    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var settings = Settings()
        if let path = configPath ?? environment["TUITION_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            settings = try file(path)
        }
        for (variable, key) in environmentNames {
            if let value = environment[variable], !value.isEmpty { settings[keyPath: key] = value }
        }
        if let port = environment["TUITION_PORT"], !port.isEmpty {
            guard let number = Int(port) else { throw CommandFailure(message: "TUITION_PORT=\(port) is not a number") }
            settings.port = number
        }
        if let workers = environment["TUITION_WORKERS"], !workers.isEmpty {
            guard let number = Int(workers) else { throw CommandFailure(message: "TUITION_WORKERS=\(workers) is not a number") }
            settings.workers = number
        }
        if let batches = environment["TUITION_LANE_BATCHES_IN_FLIGHT"], !batches.isEmpty {
            guard let number = Int(batches) else { throw CommandFailure(message: "TUITION_LANE_BATCHES_IN_FLIGHT=\(batches) is not a number") }
            settings.laneBatchesInFlight = number
        }
        if let connections = environment["TUITION_LOOP_CONNECTIONS"], !connections.isEmpty {
            guard let number = Int(connections) else { throw CommandFailure(message: "TUITION_LOOP_CONNECTIONS=\(connections) is not a number") }
            settings.loopConnections = number
        }
        return settings
    }

    static func file(_ path: String) throws -> Settings {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "cannot read configuration file \(path)") }
        guard data.count <= fileBytesMax else { throw CommandFailure(message: "\(path) is larger than \(fileBytesMax) bytes") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw CommandFailure(message: "\(path) is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else { throw CommandFailure(message: "\(path) must hold a JSON object") }
        let known = Set(["database_url", "home", "host", "port", "workers", "tls_certificate", "tls_private_key", "tls_client_ca",
                         "lock_timeout_ms", "statement_timeout_ms", "lane_batches_in_flight", "loop_connections",
                         HTTPLimitSettings.fileKey])
        if let unknown = dictionary.keys.sorted().first(where: { !known.contains($0) }) {
            throw CommandFailure(message: "\(path): unknown key '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let limits = dictionary[HTTPLimitSettings.fileKey] {
            guard let object = limits as? [String: Any] else { throw CommandFailure(message: "\(path): '\(HTTPLimitSettings.fileKey)' must be a JSON object") }
            if let unknown = HTTPLimitSettings.unknownKey(in: object) {
                throw CommandFailure(message: "\(path): unknown key '\(HTTPLimitSettings.fileKey).\(unknown)'")
            }
        }
        do { return try JSONDecoder().decode(Settings.self, from: data) } catch let error as DecodingError {
            if case .typeMismatch(_, let context) = error, let key = context.codingPath.first?.stringValue {
                throw CommandFailure(message: "\(path): '\(key)' has the wrong type")
            }
            throw CommandFailure(message: "\(path): invalid value")
        }
    }

    /// Problems that would stop a server from starting, each naming the setting.
    func problems() -> [String] {
        var found: [String] = []
        if let url = databaseURL {
            do { _ = try PostgresConfiguration(url: url) } catch { found.append("database_url: \(error)") }
        }
        if let port, !(0...65_535).contains(port) { found.append("port: \(port) is not 0 to 65535") }
        if let workers, !(1...ServeCommand.workersMax).contains(workers) { found.append("workers: 1 to \(ServeCommand.workersMax)") }
        let range = PostgresSessionLimits.millisecondsRange
        if let value = lockTimeoutMilliseconds, !range.contains(value) { found.append("lock_timeout_ms: \(range.lowerBound) to \(range.upperBound)") }
        if let value = statementTimeoutMilliseconds, !range.contains(value) {
            found.append("statement_timeout_ms: \(range.lowerBound) to \(range.upperBound)")
        }
        let batches = GroupCommit.batchesInFlightRange
        if let value = laneBatchesInFlight, !batches.contains(value) {
            found.append("lane_batches_in_flight: \(batches.lowerBound) to \(batches.upperBound)")
        }
        let loops = APIContext.loopConnectionsRange
        if let value = loopConnections, !loops.contains(value) { found.append("loop_connections: \(loops.lowerBound) to \(loops.upperBound)") }
        if (tlsCertificate == nil) != (tlsPrivateKey == nil) { found.append("tls_certificate and tls_private_key go together") }
        found += httpLimits?.problems() ?? []
        if tlsClientCA != nil && tlsCertificate == nil { found.append("tls_client_ca needs tls_certificate and tls_private_key") }
        for (name, path) in [("tls_certificate", tlsCertificate), ("tls_private_key", tlsPrivateKey), ("tls_client_ca", tlsClientCA)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) { found.append("\(name): cannot read \(path)") }
        }
        return found
    }

    /// The effective settings as `key = value` lines, the database password masked.
    var maskedLines: [String] {
        let url = databaseURL.map(Settings.maskPassword) ?? "(embedded cluster under \(home ?? DatabaseAccess.homeDefault))"
        return [
            "database_url = \(url)", "home = \(home ?? DatabaseAccess.homeDefault)",
            "host = \(host ?? "127.0.0.1")", "port = \(port ?? 8080)", "workers = \(workers ?? 8)",
            "tls_certificate = \(tlsCertificate ?? "(none: plain HTTP)")", "tls_private_key = \(tlsPrivateKey == nil ? "(none)" : "(set, not shown)")",
            "tls_client_ca = \(tlsClientCA ?? "(none: callbacks need no client certificate)")",
            "lock_timeout_ms = \(lockTimeoutMilliseconds ?? PostgresSessionLimits.lockTimeoutMillisecondsDefault)",
            "statement_timeout_ms = \(statementTimeoutMilliseconds ?? PostgresSessionLimits.statementTimeoutMillisecondsDefault)",
            "lane_batches_in_flight = \(laneBatchesInFlight ?? GroupCommit.batchesInFlightDefault)",
            "loop_connections = \(loopConnections ?? APIContext.loopConnectionsDefault)",
        ] + (httpLimits ?? HTTPLimitSettings()).effectiveLines
    }

    /// The bounded waits of the server's pooled connections (call after `problems()` is empty).
    var sessionLimits: PostgresSessionLimits {
        PostgresSessionLimits(lockTimeoutMilliseconds: lockTimeoutMilliseconds ?? PostgresSessionLimits.lockTimeoutMillisecondsDefault,
                              statementTimeoutMilliseconds: statementTimeoutMilliseconds ?? PostgresSessionLimits.statementTimeoutMillisecondsDefault)
    }

    /// `postgres://user:secret@host/db` → `postgres://user:******@host/db`.
    static func maskPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex) else { return url }
        let userInfo = url[scheme.upperBound..<at.lowerBound]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":******" + String(url[at.lowerBound...])
    }

    /// The environment the database layer reads, with these settings applied.
    var databaseEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        if let home { environment["TUITION_HOME"] = home }
        return environment
    }
}

enum ConfigCommand {
    static let usage = """
        Usage: tuition config check [--config FILE]

        Validates the configuration (the JSON file named by --config or TUITION_CONFIG, then the
        environment variables DATABASE_URL, TUITION_HOME, TUITION_HOST, TUITION_PORT, TUITION_WORKERS,
        TUITION_TLS_CERT, TUITION_TLS_KEY, TUITION_TLS_CLIENT_CA, which override it) and prints the
        effective settings with secrets masked. Exits 1 when a setting is wrong.
        File keys: database_url, home, host, port, workers, tls_certificate, tls_private_key, tls_client_ca,
        lock_timeout_ms, statement_timeout_ms,
        http_limits (an object of flood-protection limits; see docs/operations.md).
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        guard reader.positional() == "check" else { throw UsageError(message: "missing or unknown action", usage: usage) }
        let path = try reader.option("--config")
        try reader.finish()
        let settings = try Settings.load(configPath: path)
        for line in settings.maskedLines { print(line) }
        let problems = settings.problems()
        guard problems.isEmpty else { throw CommandFailure(message: "configuration problems:\n  " + problems.joined(separator: "\n  ")) }
        print("configuration: ok")
    }
}
