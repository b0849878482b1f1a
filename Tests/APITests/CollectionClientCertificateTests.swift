import BankFormats
import Foundation
import HTTP
import Payments
import Testing

/// Mutual TLS bound to a collection connection, over real TLS with certificates made by `openssl` and
/// requests sent by `curl` as a bank would: the connection pinned to bank A's certificate serves only
/// TLS sessions that presented it; bank B's certificate from the same trusted CA is refused.
@Suite struct CollectionClientCertificateTests {
    /// A CA, a server certificate for 127.0.0.1 and two banks' client certificates from that CA.
    final class Certificates: Sendable {
        let directory: String

        init() throws {
            directory = NSTemporaryDirectory() + "tuition-collect-mtls-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
            try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
            try Self.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
                          "-out", path("ca.pem"), "-subj", "/CN=Banks Test CA", "-days", "2",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            try issue("server", subject: "/CN=localhost", extensions: "server.ext")
            try issue("bank-a", subject: "/C=VN/O=Bank A/CN=collections", extensions: "client.ext")
            try issue("bank-b", subject: "/C=VN/O=Bank B/CN=collections", extensions: "client.ext")
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func path(_ name: String) -> String { directory + "/" + name }

        /// As `openssl x509 -noout -fingerprint -sha256` prints it: `sha256 Fingerprint=AB:CD:...`.
        func fingerprint(_ name: String) throws -> String {
            let output = try Self.run(["x509", "-in", path(name + ".pem"), "-noout", "-fingerprint", "-sha256"])
            return String(output.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        private func issue(_ name: String, subject: String, extensions: String) throws {
            try Self.run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path(name + ".key"),
                          "-out", path(name + ".csr"), "-subj", subject])
            try Self.run(["x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
                          "-days", "2", "-extfile", path(extensions), "-out", path(name + ".pem")])
        }

        @discardableResult
        static func run(_ arguments: [String], program: String = "/usr/bin/openssl") throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["20", program] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: text]) }
            return text
        }
    }

    /// A signed inquiry sent by curl over TLS with `identity`'s certificate (nil: none); the status and body.
    static func inquire(port: Int, certificates: Certificates, identity: String?) throws -> (status: Int, body: [String: Any]) {
        let body = #"{"service_code":"SVC-MTLS","customer_code":"HS404"}"#
        let header = CollectionSigning.header(secret: CallbackSecret(CollectionEndpointTests.secret)!, timestamp: Int64(Date().timeIntervalSince1970.rounded(.up)),
                                              nonce: "n\(UInt64.random(in: 0...UInt64.max))", path: "inquiry", body: Array(body.utf8))
        var arguments = ["-sS", "--cacert", certificates.path("ca.pem"), "-X", "POST", "-H", "Content-Type: application/json",
                         "-H", "Collect-Signature: \(header)", "--data-binary", body, "-w", "\n%{http_code}"]
        if let identity { arguments += ["--cert", certificates.path(identity + ".pem"), "--key", certificates.path(identity + ".key")] }
        let output = try Certificates.run(arguments + ["https://127.0.0.1:\(port)/v1/collect/tuition/inquiry"], program: "/usr/bin/curl")
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let json = (try? JSONSerialization.jsonObject(with: Data((lines.dropLast().joined(separator: "\n")).utf8))) as? [String: Any] ?? [:]
        return (Int(lines.last ?? "") ?? 0, json)
    }

    @Test func onlyTheBankWhoseCertificateIsBoundReachesTheConnection() throws {
        let certificates = try Certificates()
        let server = try APITestServer(tls: TLSConfiguration(certificateChainFile: certificates.path("server.pem"),
                                                             privateKeyFile: certificates.path("server.key"),
                                                             clientCAFile: certificates.path("ca.pem")))
        let parameters = try CollectionClientCertificates.validated([CollectionClientCertificates.parameter: try certificates.fingerprint("bank-a")])
        try server.pool.transaction(isolation: .readCommitted) { connection in
            _ = try BankConnections.add(schoolID: server.ownSchool.id, provider: "collect-tuition", requiredParameters: [], label: "bank A",
                                        accounts: [(receiving: "SVC-MTLS", bankAccountNumber: "1111222233")], secret: CollectionEndpointTests.secret,
                                        parameters: parameters, on: connection)
        }
        let port = Int(server.server.boundPort)
        // Bank A's certificate: the request reaches the service (an unknown pupil code answers not_found).
        let bankA = try Self.inquire(port: port, certificates: certificates, identity: "bank-a")
        #expect(bankA.status == 404 && bankA.body["code"] as? String == "not_found")
        // Bank B: a valid certificate of the same trusted CA, correctly signed, bound to no such connection.
        let bankB = try Self.inquire(port: port, certificates: certificates, identity: "bank-b")
        #expect(bankB.status == 401 && bankB.body["code"] as? String == "refused")
        // No certificate: refused by the TLS layer before the body is read.
        #expect(try Self.inquire(port: port, certificates: certificates, identity: nil).status == 403)
        let refusals = try server.pool.withConnection { try CollectionRefusals.count(provider: "tuition", on: $0) }
        #expect(refusals == 1)
    }
}
