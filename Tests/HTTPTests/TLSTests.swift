import COpenSSL
import Foundation
import Glibc
import Testing
@testable import HTTP

/// TLS on a live server: real clients (curl, openssl s_client, an OpenSSL client in the test), test certificates
/// made with the openssl tool.
@Suite("TLS")
struct TLSTests {
    private let certificates = TestCertificates.shared

    private static func request(_ path: String, method: String = "GET", headers: String = "") -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n"
    }

    @Test("curl gets answers over TLS 1.3 with ALPN http/1.1 and reuses one connection for several requests")
    func curl() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let url = "https://localhost:\(server.port)/health"
        let output = try TestCertificates.run("/usr/bin/curl", [
            "-sS", "-v", "--stderr", "-", "--cacert", certificates.caFile, "--resolve", "localhost:\(server.port):127.0.0.1",
            "-w", "[%{http_code} new connections %{num_connects}]", url, url, url,
        ])
        // Bodies ("ok"), then curl's own lines, then the -w summary of each transfer.
        #expect(output.components(separatedBy: "\nok").count - 1 == 3)
        #expect(output.components(separatedBy: "[200 new connections 1]").count - 1 == 1)
        #expect(output.components(separatedBy: "[200 new connections 0]").count - 1 == 2)
        #expect(output.components(separatedBy: "Re-using existing connection").count - 1 == 2)
        #expect(output.contains("ALPN: server accepted http/1.1"))
        #expect(output.contains("SSL connection using TLSv1.3"))
        #expect(eventually { server.accessEntries.count == 3 })
    }

    @Test("openssl s_client verifies the server's chain and gets a response")
    func sClient() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let output = try TestCertificates.openssl([
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", certificates.caFile, "-verify_return_error",
            "-verify_hostname", "localhost", "-alpn", "http/1.1", "-ign_eof",
        ], input: Self.request("/health", headers: "Connection: close\r\n"))
        #expect(output.contains("Verify return code: 0 (ok)"))
        #expect(output.contains("ALPN protocol: http/1.1"))
        #expect(output.contains("HTTP/1.1 200 OK"))
        #expect(output.hasSuffix("ok") || output.contains("\r\n\r\nok"))
    }

    @Test("TLS 1.1 and TLS 1.0 clients are refused; the server keeps serving")
    func oldProtocolsRefused() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        for version in ["-tls1_1", "-tls1"] {
            // SECLEVEL=0 lets this openssl offer the old protocol at all, so the refusal is the server's.
            let output = try TestCertificates.openssl([
                "s_client", "-connect", "127.0.0.1:\(server.port)", version, "-cipher", "DEFAULT@SECLEVEL=0",
            ], input: Self.request("/health", headers: "Connection: close\r\n"), allowFailure: true)
            #expect(!output.contains("HTTP/1.1"), "\(version) got a response")
            #expect(output.contains("alert protocol version") || output.contains("unsupported protocol"), "\(output)")
        }
        #expect(eventually { server.errorMessages.filter { $0.contains("unsupported protocol") }.count == 2 })
        let client = try TLSClient(port: server.port, caFile: certificates.caFile)
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok")
    }

    @Test("TLS 1.2 negotiates an ECDHE suite with an AEAD cipher")
    func tls12() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let client = try TLSClient(port: server.port, caFile: certificates.caFile, version: TLS1_2_VERSION)
        #expect(client.protocolVersion == "TLSv1.2")
        #expect(client.cipher.hasPrefix("ECDHE-") && (client.cipher.contains("GCM") || client.cipher.contains("CHACHA20")))
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok")
    }

    @Test("a TLS 1.2 renegotiation is refused; other connections are unaffected")
    func renegotiationRefused() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let client = try TLSClient(port: server.port, caFile: certificates.caFile, version: TLS1_2_VERSION)
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok")
        #expect(!client.renegotiate())
        let other = try TLSClient(port: server.port, caFile: certificates.caFile, version: TLS1_2_VERSION)
        try other.send(Self.request("/health"))
        #expect(try other.readResponse().bodyText == "ok")
    }

    @Test("ALPN: http/1.1 is selected, a client without ALPN is served, an h2-only client is refused")
    func alpn() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let offersBoth = try TLSClient(port: server.port, caFile: certificates.caFile, alpn: ["h2", "http/1.1"])
        #expect(offersBoth.selectedALPN == "http/1.1")
        let offersNone = try TLSClient(port: server.port, caFile: certificates.caFile, alpn: [])
        #expect(offersNone.selectedALPN == "")
        try offersNone.send(Self.request("/health"))
        #expect(try offersNone.readResponse().bodyText == "ok")
        let refused = #expect(throws: ClientError.self) { try TLSClient(port: server.port, caFile: certificates.caFile, alpn: ["h2"]) }
        #expect(refused?.description.hasPrefix("handshake failed: ") == true, "\(String(describing: refused))")
        #expect(refused?.description.contains("no application protocol") == true, "\(String(describing: refused))")
    }

    @Test("keep-alive over TLS: several requests, a large upload and a large download on one connection")
    func keepAliveAndLargeBodies() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        // A small receive window fills the server's socket, so its writes see WANT_WRITE.
        let client = try TLSClient(port: server.port, caFile: certificates.caFile, receiveBufferBytes: 4_096)
        #expect(client.protocolVersion == "TLSv1.3" && client.selectedALPN == "http/1.1")
        for _ in 0..<3 {
            try client.send(Self.request("/health"))
            #expect(try client.readResponse().bodyText == "ok")
        }
        let upload = [UInt8](repeating: 0x61, count: 300_000)
        try client.send(Array(Self.request("/upload", method: "POST", headers: "Content-Length: 300000\r\n").utf8) + upload)
        #expect(try client.readResponse().bodyText == "received 300000")
        try client.send(Self.request("/big"))
        let big = try client.readResponse()
        #expect(big.status == 200 && big.body.count == 4 << 20 && big.body.allSatisfy { $0 == 7 })
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok")
        #expect(server.accessEntries.count == 6)
    }

    @Test("TLS 1.3 key updates requested by the client are answered and the connection goes on")
    func keyUpdates() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let client = try TLSClient(port: server.port, caFile: certificates.caFile)
        for round in 0..<3 {
            #expect(client.requestKeyUpdate())
            try client.send(Self.request("/sleep/\(round)"))
            #expect(try client.readResponse().bodyText == "slept \(round)")
        }
    }

    @Test("plain HTTP to the TLS port is closed without an HTTP answer; other connections are unaffected")
    func plainHTTPRefused() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        let established = try TLSClient(port: server.port, caFile: certificates.caFile)
        let plain = try RawClient(port: server.port)
        try plain.send(Self.request("/health"))
        let reply = (try? plain.readToEnd()) ?? []
        #expect(!String(decoding: reply, as: UTF8.self).contains("HTTP/1.1"))
        #expect(eventually { server.errorMessages.contains { $0.contains("handshake failed") && $0.contains("http request") } })
        try established.send(Self.request("/health"))
        #expect(try established.readResponse().bodyText == "ok")
        let fresh = try TLSClient(port: server.port, caFile: certificates.caFile)
        try fresh.send(Self.request("/health"))
        #expect(try fresh.readResponse().bodyText == "ok")
    }

    @Test("a silent client and a half ClientHello are closed at the handshake deadline; a finished handshake is not")
    func handshakeDeadline() throws {
        let server = try TestServer.tls(clientCA: false) { $0.tls?.handshakeTimeoutSeconds = 0.5 }
        defer { server.stop() }
        let start = Date()
        let silent = try RawClient(port: server.port)
        let half = try RawClient(port: server.port)
        // A record header announcing 512 bytes of handshake, then the start of a ClientHello.
        try half.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03] + [UInt8](repeating: 0x42, count: 20))
        let established = try TLSClient(port: server.port, caFile: certificates.caFile)
        #expect(silent.peerClosed())
        #expect(half.peerClosed())
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed > 0.4 && elapsed < 1.5)
        // Past the handshake deadline, the established connection is governed by the head deadline (2 s).
        usleep(300_000)
        try established.send(Self.request("/health"))
        #expect(try established.readResponse().bodyText == "ok")
    }

    @Test("a client with Nagle's algorithm gets its first answer without waiting for a delayed ACK")
    func firstRequestNotDelayed() throws {
        let server = try TestServer.tls(clientCA: false)
        defer { server.stop() }
        // The test client leaves Nagle on: without an immediate ACK of its Finished, its first request waits
        // for the server's delayed ACK (40 ms) on every connection.
        let connections = 5
        let start = Date()
        for _ in 0..<connections {
            let client = try TLSClient(port: server.port, caFile: certificates.caFile)
            try client.send(Self.request("/health"))
            #expect(try client.readResponse().bodyText == "ok")
        }
        let perConnection = Date().timeIntervalSince(start) / Double(connections)
        #expect(perConnection < 0.025, "\(perConnection * 1000) ms per connection")
    }

    @Test("over the connection cap a TLS connection is closed without a plain-text 503")
    func overCapacity() throws {
        let server = try TestServer.tls(clientCA: false) {
            $0.connectionsMax = 1
            $0.eventLoopThreads = 1
        }
        defer { server.stop() }
        // A request in a handler: the connection may not be evicted for the next one.
        let first = try TLSClient(port: server.port, caFile: certificates.caFile)
        try first.send(Self.request("/sleep/300"))
        usleep(100_000)
        let second = try RawClient(port: server.port)
        #expect(((try? second.readToEnd()) ?? [1]).isEmpty)
        #expect(server.server.metrics.renderPrometheus().contains("http_connections_rejected_total 1"))
        #expect(try first.readResponse().bodyText == "slept 300")
    }

    @Test("a missing certificate file or a key that does not match stops start() with an error naming the file")
    func configurationErrors() throws {
        let missing = "/nonexistent/tuition-cert.pem"
        let cases: [(TLSConfiguration, String, String)] = [
            (TLSConfiguration(certificateChainFile: missing, privateKeyFile: certificates.serverKey), missing, "certificate chain"),
            (TLSConfiguration(certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.secondServerKey),
             certificates.secondServerKey, "key values mismatch"),
            (TLSConfiguration(certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey,
                              clientCAFile: certificates.path("client.ext")), certificates.path("client.ext"), "client CA"),
        ]
        for (tls, file, reason) in cases {
            var configuration = HTTPServerConfiguration()
            configuration.port = 0
            configuration.tls = tls
            configuration.accessLog = nil
            let server = HTTPServer(configuration: configuration, router: Router())
            let error = #expect(throws: TLSConfigurationError.self) { try server.start() }
            #expect(error?.file == file)
            #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        }
    }
}
