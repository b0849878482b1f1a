import Foundation
import Synchronization
@testable import HTTP

/// A server on an ephemeral port with the routes the live tests use, short timeouts, and captured logs.
final class TestServer: Sendable {
    struct LeakyError: Error, CustomStringConvertible {
        var description: String { "SELECT secret FROM ledger WHERE path='/srv/tuition/db.conf'" }
    }

    /// Log lines captured from the server's sinks.
    final class Capture: Sendable {
        let accessEntries = Mutex<[AccessLogEntry]>([])
        let errorMessages = Mutex<[String]>([])
    }

    let server: HTTPServer
    let capture: Capture

    var port: Int { server.boundPort }
    var accessEntries: [AccessLogEntry] { capture.accessEntries.withLock { $0 } }
    var errorMessages: [String] { capture.errorMessages.withLock { $0 } }

    init(router: Router = TestServer.router(), _ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.eventLoopThreads = 2
        configuration.workerThreads = 4
        configuration.headTimeoutSeconds = 2
        configuration.bodyTimeoutSeconds = 2
        configuration.idleTimeoutSeconds = 3
        configuration.writeTimeoutSeconds = 2
        configuration.lingerTimeoutSeconds = 0.5
        configuration.shutdownGraceSeconds = 5
        adjust(&configuration)
        let capture = Capture()
        self.capture = capture
        configuration.accessLog = AccessLogSink { entry in capture.accessEntries.withLock { $0.append(entry) } }
        configuration.errorLog = { message in capture.errorMessages.withLock { $0.append(message) } }
        server = HTTPServer(configuration: configuration, router: router)
        try server.start()
    }

    /// A TLS server with the test certificates; `clientCA` asks clients for certificates from the test CA.
    static func tls(clientCA: Bool = true, _ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        try TestServer { configuration in
            let certificates = TestCertificates.shared
            var tls = TLSConfiguration(certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey)
            tls.clientCAFile = clientCA ? certificates.caFile : nil
            tls.handshakeTimeoutSeconds = 2
            configuration.tls = tls
            adjust(&configuration)
        }
    }

    func stop() {
        server.shutdown()
        server.waitUntilStopped()
    }

    static func router() -> Router {
        var router = Router()
        router.add(.get, "/health", options: .inline) { _ in .text("ok") }
        router.add(.get, "/sleep/{milliseconds}") { request in
            let milliseconds = Int(request.pathParameters["milliseconds"]!)!
            usleep(UInt32(milliseconds * 1_000))
            return .text("slept \(milliseconds)")
        }
        router.add(.post, "/echo") { request in
            Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        router.add(.post, "/upload", options: RouteOptions(bodyBytesMax: 300_000)) { request in
            .text("received \(request.body.count)")
        }
        router.add(.get, "/v1/schools/{school}/invoices/{id}") { request in
            try .json(["school": request.pathParameters["school"]!, "id": request.pathParameters["id"]!,
                       "route": request.routeTemplate, "query": request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")])
        }
        router.add(.get, "/leak") { _ in throw LeakyError() }
        router.add(.get, "/bad-header") { _ in
            Response(status: .ok, headers: ["X-Note": "a\r\nSet-Cookie: stolen=1"], body: Array("x".utf8))
        }
        router.add(.get, "/reserved-header") { _ in
            Response(status: .ok, headers: ["Content-Length": "1"], body: Array("x".utf8))
        }
        router.add(.get, "/conflict") { _ in
            throw HTTPError(status: .conflict, code: "invoice_already_paid", detail: "invoice 7 is paid")
        }
        router.add(.get, "/whoami", options: RouteOptions(requiresClientCertificate: true)) { request in
            guard let certificate = request.clientCertificate else { return .text("no certificate") }
            return .text("\(certificate.subject)|\(certificate.issuer)|\(certificate.sha256Fingerprint)")
        }
        router.add(.post, "/bank/callback", options: RouteOptions(requiresClientCertificate: true)) { request in
            .text("received \(request.body.count) from \(request.clientCertificate?.subject ?? "nobody")")
        }
        router.add(.post, "/callback", options: RouteOptions(routeClass: .critical)) { request in
            .text("callback \(request.body.count)")
        }
        router.add(.get, "/report", options: RouteOptions(routeClass: .expensive)) { request in
            .text("report for \(request.clientAddress)")
        }
        router.add(.get, "/big") { _ in
            Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: [UInt8](repeating: 7, count: 4 << 20))
        }
        return router
    }
}

/// Waits until `condition` holds or `seconds` pass.
func eventually(within seconds: Double = 3, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
