import Foundation
import Testing
@testable import HTTP

/// Routes that require a verified client certificate (bank callbacks) next to routes that do not.
@Suite("TLS client certificates")
struct ClientCertificateTests {
    private let certificates = TestCertificates.shared

    private static func request(_ path: String, method: String = "GET", headers: String = "") -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n"
    }

    private static func callback(_ body: String) -> String {
        request("/bank/callback", method: "POST", headers: "Content-Length: \(body.utf8.count)\r\n") + body
    }

    @Test("a certificate from the trusted CA reaches the handler with its subject, issuer and SHA-256 fingerprint")
    func verifiedCertificate() throws {
        let server = try TestServer.tls()
        defer { server.stop() }
        let bank = try TLSClient(port: server.port, caFile: certificates.caFile, identity: certificates.client)
        try bank.send(Self.request("/whoami"))
        let whoami = try bank.readResponse()
        let expected = try certificates.fingerprint(certificates.client.certificateFile)
        #expect(whoami.status == 200)
        #expect(whoami.bodyText == "CN=bank-callbacks,O=Example Bank,C=VN|CN=Tuition Test CA|\(expected)")
        try bank.send(Self.callback("{\"amount\":1}"))
        #expect(try bank.readResponse().bodyText == "received 12 from CN=bank-callbacks,O=Example Bank,C=VN")
        try bank.send(Self.request("/health"))
        #expect(try bank.readResponse().bodyText == "ok")
    }

    @Test("without a certificate: 403 client_certificate_required, other routes still served on the connection")
    func noCertificate() throws {
        let server = try TestServer.tls()
        defer { server.stop() }
        let client = try TLSClient(port: server.port, caFile: certificates.caFile)
        try client.send(Self.request("/whoami"))
        let refused = try client.readResponse()
        #expect(refused.status == 403 && refused.header("Content-Type") == "application/problem+json")
        #expect(refused.bodyText.contains("\"code\":\"client_certificate_required\""))
        #expect(refused.bodyText.contains("none was presented"))
        #expect(refused.header("Connection") == nil)
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok")
        // With a body the refusal comes from the head and the connection is closed, the body unread.
        try client.send(Self.callback("{\"amount\":1}"))
        let callback = try client.readResponse()
        #expect(callback.status == 403 && callback.header("Connection") == "close")
        #expect(client.peerClosed())
        #expect(server.accessEntries.contains { $0.route == "/bank/callback" && $0.status == 403 })
    }

    @Test("a certificate from another CA, an expired one or one not for clients is treated as absent: 403 naming the reason")
    func rejectedCertificates() throws {
        let server = try TestServer.tls()
        defer { server.stop() }
        let cases = [
            (certificates.clientFromOtherCA, "unable to get local issuer certificate"),
            (certificates.expiredClient, "certificate has expired"),
            (certificates.serverOnlyClient, "unsuitable certificate purpose"),
        ]
        for (identity, reason) in cases {
            let client = try TLSClient(port: server.port, caFile: certificates.caFile, identity: identity)
            try client.send(Self.request("/whoami"))
            let refused = try client.readResponse()
            #expect(refused.status == 403)
            #expect(refused.bodyText.contains("\"code\":\"client_certificate_required\""))
            #expect(refused.bodyText.contains("not accepted: \(reason)"), "\(refused.bodyText)")
            try client.send(Self.callback("{}"))
            #expect(try client.readResponse().status == 403)
            let other = try TLSClient(port: server.port, caFile: certificates.caFile, identity: identity)
            try other.send(Self.request("/health"))
            #expect(try other.readResponse().bodyText == "ok")
        }
    }

    @Test("a server without a client CA asks for no certificate: a client certificate gives no access")
    func noClientCA() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let bank = try TLSClient(port: server.port, caFile: certificates.caFile, identity: certificates.client)
        try bank.send(Self.request("/whoami"))
        #expect(try bank.readResponse().status == 403)
        #expect(server.errorMessages.contains { $0.contains("no TLS client CA") && $0.contains("GET /whoami") })
    }

    @Test("over plain HTTP a route requiring a client certificate answers 403")
    func plainHTTP() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/whoami"))
        let refused = try client.readResponse()
        #expect(refused.status == 403 && refused.bodyText.contains("client_certificate_required"))
    }
}

/// Certificate reloads: new connections get the new certificate, open connections keep working.
@Suite("TLS certificate reload")
struct CertificateReloadTests {
    private let certificates = TestCertificates.shared

    /// A TLS server whose certificate files are copies in a private directory, so a test can replace them.
    static func serverWithReplaceableFiles() throws -> (TestServer, directory: String) {
        let certificates = TestCertificates.shared
        let directory = NSTemporaryDirectory() + "tuition-tls-reload-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try install(certificates.serverCertificate, certificates.serverKey, into: directory)
        let server = try TestServer { configuration in
            configuration.tls = TLSConfiguration(
                certificateChainFile: directory + "/cert.pem", privateKeyFile: directory + "/key.pem",
                clientCAFile: certificates.caFile)
        }
        return (server, directory)
    }

    static func install(_ certificate: String, _ key: String, into directory: String) throws {
        for (source, name) in [(certificate, "cert.pem"), (key, "key.pem")] {
            let target = directory + "/" + name
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: source, toPath: target)
        }
    }

    @Test("reloadCertificates(): new connections see the new certificate, an open keep-alive connection goes on")
    func reload() throws {
        let (server, directory) = try Self.serverWithReplaceableFiles()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let before = try certificates.fingerprint(certificates.serverCertificate)
        let after = try certificates.fingerprint(certificates.secondServerCertificate)
        let open = try TLSClient(port: server.port, caFile: certificates.caFile, identity: certificates.client)
        #expect(open.serverFingerprint == before)
        try open.send("GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try open.readResponse().status == 200)

        try Self.install(certificates.secondServerCertificate, certificates.secondServerKey, into: directory)
        try server.server.reloadCertificates()
        let fresh = try TLSClient(port: server.port, caFile: certificates.caFile, identity: certificates.client)
        #expect(fresh.serverFingerprint == after)
        try fresh.send("GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try fresh.readResponse().status == 200)
        try open.send("GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try open.readResponse().status == 200)
    }

    @Test("a reload from a bad file keeps the current certificate and logs the error")
    func failedReload() throws {
        let (server, directory) = try Self.serverWithReplaceableFiles()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let before = try certificates.fingerprint(certificates.serverCertificate)
        try "not a certificate\n".write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        let error = #expect(throws: TLSConfigurationError.self) { try server.server.reloadCertificates() }
        #expect(error?.file == directory + "/cert.pem")
        #expect(server.errorMessages.contains { $0.contains("reload failed") && $0.contains(directory + "/cert.pem") })
        let client = try TLSClient(port: server.port, caFile: certificates.caFile)
        #expect(client.serverFingerprint == before)
        try client.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try client.readResponse().bodyText == "ok")
    }
}
