import Foundation
import Glibc

/// Certificates made once per test process with the `openssl` command-line tool (EC P-256, fast to make):
/// a CA, two server certificates for localhost/127.0.0.1 (for reloads), a client certificate from the CA,
/// one from another CA, an expired one from the CA, and one from the CA for servers only (extended key usage).
final class TestCertificates: Sendable {
    static let shared: TestCertificates = {
        do {
            return try TestCertificates()
        } catch {
            preconditionFailure("could not make test certificates: \(error)")
        }
    }()

    let directory: String

    var caFile: String { path("ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var secondServerCertificate: String { path("server2.pem") }
    var secondServerKey: String { path("server2.key") }
    var client: TLSClient.Identity { identity("client") }
    var clientFromOtherCA: TLSClient.Identity { identity("other-client") }
    var expiredClient: TLSClient.Identity { identity("expired-client") }
    var serverOnlyClient: TLSClient.Identity { identity("server-only-client") }

    func path(_ name: String) -> String { directory + "/" + name }

    private func identity(_ name: String) -> TLSClient.Identity {
        TLSClient.Identity(certificateFile: path(name + ".pem"), keyFile: path(name + ".key"))
    }

    private static let directoryPrefix = "tuition-tls-tests-"

    private init() throws {
        Self.removeDirectoriesOfEndedRuns()
        directory = NSTemporaryDirectory() + Self.directoryPrefix + "\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try write("server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try write("client.ext", "extendedKeyUsage=clientAuth\n")
        try makeCA("ca", subject: "/CN=Tuition Test CA")
        try makeCA("other-ca", subject: "/CN=Someone Else's CA")
        try makeCertificate("server", subject: "/CN=localhost", ca: "ca", extensions: "server.ext", days: 30)
        try makeCertificate("server2", subject: "/CN=localhost", ca: "ca", extensions: "server.ext", days: 30)
        try makeCertificate("client", subject: "/C=VN/O=Example Bank/CN=bank-callbacks", ca: "ca", extensions: "client.ext", days: 30)
        try makeCertificate("other-client", subject: "/CN=bank-callbacks", ca: "other-ca", extensions: "client.ext", days: 30)
        // -days -1 makes a certificate whose notAfter lies a day before now (OpenSSL 3.0 accepts it).
        try makeCertificate("expired-client", subject: "/CN=bank-callbacks", ca: "ca", extensions: "client.ext", days: -1)
        try makeCertificate("server-only-client", subject: "/CN=bank-callbacks", ca: "ca", extensions: "server.ext", days: 30)
    }

    /// Test processes run side by side (other worktrees): only directories whose process has ended are removed.
    private static func removeDirectoriesOfEndedRuns() {
        let temporary = NSTemporaryDirectory()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(directoryPrefix) {
            guard let pid = Int32(name.dropFirst(directoryPrefix.count)), kill(pid, 0) == -1, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: temporary + name)
        }
    }

    /// The SHA-256 fingerprint of a PEM certificate as lower-case hex, computed by the `openssl` tool.
    func fingerprint(_ certificateFile: String) throws -> String {
        let output = try Self.openssl(["x509", "-in", certificateFile, "-noout", "-fingerprint", "-sha256"])
        guard let value = output.split(separator: "=").last else { throw ClientError(description: "no fingerprint") }
        return value.replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    private func makeCA(_ name: String, subject: String) throws {
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", path(name + ".key"), "-out", path(name + ".pem"), "-subj", subject, "-days", "30",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    private func makeCertificate(_ name: String, subject: String, ca: String, extensions: String, days: Int) throws {
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject])
        try Self.openssl(["x509", "-req", "-in", path(name + ".csr"), "-CA", path(ca + ".pem"), "-CAkey", path(ca + ".key"),
                          "-CAcreateserial", "-days", String(days), "-extfile", path(extensions), "-out", path(name + ".pem")])
    }

    /// Runs `openssl` with `arguments` and `input` on standard input; returns standard output and error.
    @discardableResult
    static func openssl(_ arguments: [String], input: String = "", allowFailure: Bool = false) throws -> String {
        try run("/usr/bin/openssl", arguments, input: input, allowFailure: allowFailure)
    }

    /// Runs a program (killed after `timeoutSeconds`), waits for it, and returns its standard output and error.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], input: String = "", allowFailure: Bool = false,
                    timeoutSeconds: Int = 10) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = [String(timeoutSeconds), program] + arguments
        let output = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = standardInput
        try process.run()
        standardInput.fileHandleForWriting.write(Data(input.utf8))
        try standardInput.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard allowFailure || process.terminationStatus == 0 else {
            throw ClientError(description: "\(program) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
