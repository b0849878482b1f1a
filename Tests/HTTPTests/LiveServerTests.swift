import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTP

/// The live tests use raw sockets against a server on an ephemeral port, with short deadlines.
@Suite("Live server")
struct LiveServerTests {
    private static func request(_ path: String, method: String = "GET", headers: String = "") -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n"
    }

    @Test("a kept-alive connection serves several requests; HEAD has no body")
    func keepAlive() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/health"))
        let first = try client.readResponse()
        try client.send(Self.request("/health", method: "HEAD"))
        let head = try client.readResponse(headRequest: true)
        try client.send(Self.request("/health"))
        let third = try client.readResponse()
        #expect(first.status == 200 && first.bodyText == "ok")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "2")
        #expect(third.status == 200 && third.header("Connection") == nil)
        #expect(first.header("X-Request-Id") != third.header("X-Request-Id"))
        #expect(first.header("Date")?.hasSuffix(" GMT") == true)
    }

    @Test("pipelined requests are answered in order whatever their handlers take")
    func pipelining() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/sleep/300") + Self.request("/sleep/0") + Self.request("/health")
            + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nlast")
        let bodies = try (0..<4).map { _ in try client.readResponse().bodyText }
        #expect(bodies == ["slept 300", "slept 0", "ok", "last"])
    }

    @Test("a partial head is answered 408 at the head deadline, then closed")
    func partialHead() throws {
        let server = try TestServer { $0.headTimeoutSeconds = 1 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let start = Date()
        try client.send("GET /health HTT")
        let response = try client.readResponse()
        let elapsed = Date().timeIntervalSince(start)
        #expect(response.status == 408)
        #expect(response.header("Connection") == "close")
        #expect(response.bodyText.contains("\"code\":\"request_timeout\""))
        #expect(elapsed > 0.9 && elapsed < 1.8)
        #expect(client.peerClosed())
    }

    @Test("a drip of bytes does not extend the head deadline")
    func slowDrip() throws {
        let server = try TestServer { $0.headTimeoutSeconds = 1.5 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let drip = Array("GET /health HTTP/1.1\r\nHost: test\r\nX-Padding: \(String(repeating: "p", count: 100))".utf8)
        let start = Date()
        var sent = 0
        while sent < drip.count {
            try client.send([drip[sent]])
            sent += 1
            var poller = pollfd(fd: client.descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 250) > 0 { break }
        }
        let response = try client.readResponse()
        let elapsed = Date().timeIntervalSince(start)
        #expect(response.status == 408)
        #expect(sent >= 5, "the drip kept going until the deadline")
        #expect(elapsed > 1.4 && elapsed < 2.3)
    }

    @Test("on a kept-alive connection the head deadline runs from the first byte of the next head")
    func keepAliveHeadDeadline() throws {
        let server = try TestServer {
            $0.headTimeoutSeconds = 1
            $0.idleTimeoutSeconds = 3
        }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/health") + "GET /hea")
        #expect(try client.readResponse().status == 200)
        let start = Date()
        #expect(try client.readResponse().status == 408)
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed > 0.8 && elapsed < 1.8)
    }

    @Test("a body that stops arriving is answered 408 at the body deadline")
    func slowBody() throws {
        let server = try TestServer { $0.bodyTimeoutSeconds = 1 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(server.accessEntries.contains { $0.route == "/echo" && $0.status == 408 })
    }

    @Test("an idle kept-alive connection is closed after the idle timeout, silently")
    func idleTimeout() throws {
        let server = try TestServer { $0.idleTimeoutSeconds = 1 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/health"))
        _ = try client.readResponse()
        let start = Date()
        #expect(try client.readSome().isEmpty)
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed > 0.9 && elapsed < 1.8)
    }

    @Test("oversized request line, header section and body get 414, 431 and 413")
    func limits() throws {
        let server = try TestServer {
            $0.requestLineBytesMax = 1_024
            $0.headerSectionBytesMax = 2_048
            $0.headerFieldsMax = 20
        }
        defer { server.stop() }
        let longLine = try RawClient(port: server.port)
        try longLine.send("GET /\(String(repeating: "a", count: 2_000)) HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try longLine.readResponse().status == 414)
        #expect(longLine.peerClosed())

        let bigHeaders = try RawClient(port: server.port)
        try bigHeaders.send(Self.request("/health", headers: "X-Big: \(String(repeating: "b", count: 3_000))\r\n"))
        #expect(try bigHeaders.readResponse().status == 431)

        let manyHeaders = try RawClient(port: server.port)
        try manyHeaders.send(Self.request("/health", headers: (0..<25).map { "X-\($0): v\r\n" }.joined()))
        #expect(try manyHeaders.readResponse().status == 431)

        // 64 KiB default cap: refused from the head alone, before any body byte is sent.
        let tooBig = try RawClient(port: server.port)
        try tooBig.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        let refused = try tooBig.readResponse()
        #expect(refused.status == 413 && refused.header("Connection") == "close")

        // The same body is fine on a route with a larger cap.
        let upload = try RawClient(port: server.port)
        try upload.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        try upload.send([UInt8](repeating: 65, count: 100_000))
        #expect(try upload.readResponse().bodyText == "received 100000")
    }

    @Test("CL with TE is refused with 400 and close; the bytes on the wire are exact")
    func smugglingOnTheWire() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        let response = try client.readResponse()
        let requestId = try #require(response.header("X-Request-Id"))
        let date = try #require(response.header("Date"))
        let body = #"{"code":"ambiguous_message_length","detail":"both Transfer-Encoding and Content-Length are present","#
            + #""request_id":"\#(requestId)","status":400,"title":"Bad Request","type":"about:blank"}"#
        let expected = "HTTP/1.1 400 Bad Request\r\nContent-Length: \(body.utf8.count)\r\nDate: \(date)\r\n"
            + "X-Request-Id: \(requestId)\r\nConnection: close\r\nContent-Type: application/problem+json\r\n\r\n\(body)"
        #expect(String(decoding: response.raw, as: UTF8.self) == expected)
        #expect(client.peerClosed())
    }

    @Test("chunked uploads and 100-continue work")
    func chunkedAndContinue() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n")
        #expect(try client.readResponse().bodyText == "Wikipedia")
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send("hello")
        #expect(try client.readResponse().bodyText == "hello")
    }

    @Test("404 and 405 (with Allow) are problem documents; bodies are not read")
    func notFoundAndMethodNotAllowed() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/health", method: "POST"))
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "GET, HEAD")
        #expect(notAllowed.header("Content-Type") == "application/problem+json")
        try client.send(Self.request("/nowhere/at/all"))
        let notFound = try client.readResponse()
        #expect(notFound.status == 404 && notFound.bodyText.contains("\"code\":\"not_found\""))
        try client.send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        let withBody = try client.readResponse()
        #expect(withBody.status == 404 && withBody.header("Connection") == "close")
        #expect(server.accessEntries.contains { $0.route == "unmatched" && $0.status == 404 })
        #expect(server.accessEntries.contains { $0.route == "/health" && $0.status == 405 })
        #expect(!server.accessEntries.contains { $0.route.contains("nowhere") })
    }

    @Test("an unknown handler error is a 500 that leaks nothing; the cause is logged")
    func leakNothing() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/leak"))
        let response = try client.readResponse()
        #expect(response.status == 500)
        let text = String(decoding: response.raw, as: UTF8.self)
        for secret in ["SELECT", "secret", "/srv", "LeakyError", "TestServer", "swift"] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        #expect(response.bodyText.contains("\"code\":\"internal_error\""))
        #expect(server.errorMessages.contains { $0.contains("SELECT secret") && $0.contains(response.header("X-Request-Id")!) })
        try client.send(Self.request("/conflict"))
        let conflict = try client.readResponse()
        #expect(conflict.status == 409 && conflict.bodyText.contains("\"code\":\"invoice_already_paid\""))
    }

    @Test("a handler that sets a bad or reserved header gets a 500, never a split response")
    func badHeaders() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/bad-header"))
        let bad = try client.readResponse()
        #expect(bad.status == 500)
        #expect(bad.header("Set-Cookie") == nil && bad.header("X-Note") == nil)
        try client.send(Self.request("/reserved-header"))
        #expect(try client.readResponse().status == 500)
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().status == 200)
    }

    @Test("path parameters, query and request ids reach the handler and the logs")
    func requestContext() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/v1/schools/THCS%20B%C3%A0/invoices/42?x=1&x=2", headers: "X-Request-Id: client-req.1\r\n"))
        let response = try client.readResponse()
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
        #expect(object == ["school": "THCS Bà", "id": "42", "route": "/v1/schools/{school}/invoices/{id}", "query": "x=1&x=2"])
        #expect(response.header("X-Request-Id") == "client-req.1")
        try client.send(Self.request("/health", headers: "X-Request-Id: bad id!\r\n"))
        let replaced = try client.readResponse()
        #expect(replaced.header("X-Request-Id")?.utf8.count == 24)
        let entry = server.accessEntries.first { $0.requestId == "client-req.1" }
        #expect(entry?.route == "/v1/schools/{school}/invoices/{id}")
        #expect(entry?.method == "GET" && entry?.status == 200 && entry?.bytes == response.body.count)
        let metrics = server.server.metrics.renderPrometheus()
        #expect(metrics.contains("http_requests_total{route=\"/v1/schools/{school}/invoices/{id}\",method=\"GET\",status=\"200\"} 1"))
        #expect(!metrics.contains("THCS"))
    }

    @Test("HTTP/1.0 closes after the response unless keep-alive was asked")
    func http10() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /health HTTP/1.0\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.peerClosed())
        let kept = try RawClient(port: server.port)
        try kept.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().header("Connection") == "keep-alive")
        try kept.send("GET /health HTTP/1.0\r\n\r\n")
        #expect(try kept.readResponse().status == 200)
    }

    @Test("the last request allowed on a connection is answered with Connection: close")
    func requestsPerConnection() throws {
        let server = try TestServer { $0.requestsPerConnectionMax = 2 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/health") + Self.request("/health") + Self.request("/health"))
        #expect(try client.readResponse().header("Connection") == nil)
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.peerClosed())
    }

    @Test("over the connection cap, with no connection to evict, a connection gets 503 and is closed")
    func connectionCap() throws {
        // One loop: with two, the accepting loop would ask the other to evict and admit meanwhile (overdraft).
        let server = try TestServer {
            $0.connectionsMax = 2
            $0.eventLoopThreads = 1
        }
        defer { server.stop() }
        // Both connections have a request in a handler: neither may be evicted.
        var first: RawClient? = try RawClient(port: server.port)
        let second = try RawClient(port: server.port)
        for client in [first!, second] {
            try client.send(Self.request("/sleep/400"))
        }
        usleep(100_000)
        let third = try RawClient(port: server.port)
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.bodyText.contains("\"code\":\"too_many_connections\""))
        #expect(third.peerClosed())
        for client in [first!, second] {
            #expect(try client.readResponse().status == 200)
        }
        first = nil
        #expect(eventually { server.server.metrics.openConnectionCount < 2 })
        let fourth = try RawClient(port: server.port)
        try fourth.send(Self.request("/health"))
        #expect(try fourth.readResponse().status == 200)
        #expect(server.server.metrics.renderPrometheus().contains("http_connections_rejected_total 1\n"))
    }

    @Test("a full worker queue answers 503")
    func workerQueueFull() throws {
        let server = try TestServer {
            $0.workerThreads = 1
            $0.workerQueueMax = 1
        }
        defer { server.stop() }
        let running = try RawClient(port: server.port)
        try running.send(Self.request("/sleep/600"))
        usleep(150_000)
        let queued = try RawClient(port: server.port)
        try queued.send(Self.request("/sleep/10"))
        usleep(150_000)
        let refused = try RawClient(port: server.port)
        try refused.send(Self.request("/sleep/10"))
        let busy = try refused.readResponse()
        #expect(busy.status == 503 && busy.header("Retry-After") == "1")
        #expect(busy.bodyText.contains("\"code\":\"server_busy\""))
        #expect(try running.readResponse().bodyText == "slept 600")
        #expect(try queued.readResponse().bodyText == "slept 10")
    }

    @Test("a client that never reads is disconnected at the write deadline")
    func writeTimeout() throws {
        let server = try TestServer { $0.writeTimeoutSeconds = 1 }
        defer { server.stop() }
        let client = try RawClient(port: server.port, receiveBufferBytes: 4_096)
        try client.send(Self.request("/big"))
        #expect(eventually { server.server.metrics.openConnectionCount == 1 })
        usleep(500_000)
        #expect(server.server.metrics.openConnectionCount == 1)
        #expect(eventually(within: 2) { server.server.metrics.openConnectionCount == 0 })
    }

    @Test("shutdown finishes the request in flight, closes idle connections and refuses new ones")
    func gracefulShutdown() throws {
        let server = try TestServer()
        let idle = try RawClient(port: server.port)
        try idle.send(Self.request("/health"))
        _ = try idle.readResponse()
        let busy = try RawClient(port: server.port)
        try busy.send(Self.request("/sleep/800"))
        usleep(200_000)
        let stopped = Stopped()
        let thread = Thread {
            server.server.waitUntilStopped()
            stopped.set()
        }
        thread.start()
        server.server.shutdown()
        #expect(idle.peerClosed())
        #expect(eventually { (try? RawClient(port: server.port)) == nil })
        #expect(!stopped.isSet)
        let response = try busy.readResponse()
        #expect(response.bodyText == "slept 800")
        #expect(response.header("Connection") == "close")
        #expect(eventually { stopped.isSet })
        #expect(!server.server.isRunning)
    }
}

final class Stopped: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
