import Foundation
import Glibc
import Testing
@testable import HTTP

/// Serialized: a signal reaches every server registered in the process.
@Suite("Signals", .serialized)
struct SignalTests {
    @Test("SIGTERM shuts a server down gracefully through installSignalHandlers()")
    func sigterm() throws {
        let server = try TestServer()
        try server.server.installSignalHandlers()
        let busy = try RawClient(port: server.port)
        try busy.send("GET /sleep/300 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        #expect(kill(getpid(), SIGTERM) == 0)
        let response = try busy.readResponse()
        #expect(response.bodyText == "slept 300" && response.header("Connection") == "close")
        #expect(eventually { !server.server.isRunning })
        server.server.waitUntilStopped()
    }

    @Test("SIGHUP reloads the TLS certificates of a running server; open connections keep working")
    func sighup() throws {
        let certificates = TestCertificates.shared
        let (server, directory) = try CertificateReloadTests.serverWithReplaceableFiles()
        defer { server.stop(); try? FileManager.default.removeItem(atPath: directory) }
        try server.server.installSignalHandlers()
        let open = try TLSClient(port: server.port, caFile: certificates.caFile)
        try CertificateReloadTests.install(certificates.secondServerCertificate, certificates.secondServerKey, into: directory)
        #expect(kill(getpid(), SIGHUP) == 0)
        let after = try certificates.fingerprint(certificates.secondServerCertificate)
        #expect(eventually { (try? TLSClient(port: server.port, caFile: certificates.caFile))?.serverFingerprint == after })
        try open.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try open.readResponse().bodyText == "ok")
    }
}
