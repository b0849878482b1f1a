import BankFormats
import Core
import Crypto
import Foundation
import Glibc
import Postgres
import Synchronization
import TestSupport

/// The real `tuition serve` over a test database, on an ephemeral port: the Payments tests reach
/// the API as a client would, without depending on the API module.
final class ReconciliationServerProcess: @unchecked Sendable {
    let process: Process
    let client: TestHTTPClient
    let output: Pipe
    static let startSecondsMax = 30.0

    init(database: TestDatabase) throws {
        let url = database.cluster.url.replacingOccurrences(of: "@/\(EmbeddedCluster.databaseName)?", with: "@/\(database.name)?")
        process = Process()
        process.executableURL = URL(fileURLWithPath: TuitionBinary.path)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--workers", "4"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment["TUITION_ROOT"] = Repository.root
        process.environment = environment
        output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        client = TestHTTPClient(port: try ReconciliationServerProcess.readPort(output.fileHandleForReading))
        // Keep draining what the server writes, so it never blocks on a full pipe.
        output.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    deinit {
        output.fileHandleForReading.readabilityHandler = nil
        // SIGKILL, not SIGTERM: the child inherits the test thread's signal mask, in which the
        // dispatch threads block SIGTERM; every request it answered has committed already.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Reads the server's output until it says where it listens.
    static func readPort(_ handle: FileHandle) throws -> Int {
        let deadline = Date().addingTimeInterval(startSecondsMax)
        var text = ""
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { throw FixtureFailure("tuition serve exited: \(text)") }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), text[range.upperBound...].dropFirst(digits.count).first?.isNumber == false { return port }
            }
        }
        throw FixtureFailure("tuition serve did not start in \(startSecondsMax) s: \(text)")
    }

    /// A token of `role` stored the way `tuition token create` stores one (SHA-256 only).
    static func token(_ role: Role, schoolID: Int64? = nil, authority: String? = nil, on pool: PostgresPool) throws -> String {
        let token = "tt_" + Hex.encode(try SecureRandom.bytes(count: 24))
        try pool.withConnection { connection in
            try connection.query("""
                INSERT INTO api_tokens (token_hash, role, school_id, authority_code, label)
                VALUES (\(SHA256Digest.hash(Array(token.utf8))), \(role.rawValue), \(schoolID), \(authority), \("test \(role.rawValue)"))
                """)
        }
        return token
    }

    /// A callback of the `tuition` scheme, signed now, through `POST /v1/callbacks/tuition`.
    func deliver(_ body: String, secret: String = CallbackFixture.secret) throws -> TestHTTPClient.Response {
        let bytes = Array(body.utf8)
        let header = TuitionSignature.sign(secret: CallbackSecret(secret)!, timestamp: Int64(Date().timeIntervalSince1970), body: bytes)
        return try client.request("POST", "/v1/callbacks/tuition", headers: [("Content-Type", "application/json"), (TuitionSignature.header, header)],
                                  body: bytes)
    }
}
