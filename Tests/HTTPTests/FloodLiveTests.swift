import Foundation
import Glibc
import Testing
@testable import HTTP

/// The flood protections on a running server, with clients on distinct loopback addresses.
@Suite("Flood protection (live server)", .serialized)
struct FloodLiveTests {
    private static func request(_ path: String, method: String = "GET", headers: String = "") -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n"
    }

    private static func metricsText(_ server: TestServer) -> String {
        server.server.metrics.renderPrometheus()
    }

    @Test("past its connection cap one address is refused with 429; another address is served")
    func perAddressCap() throws {
        let server = try TestServer { $0.protection.connectionsPerAddressMax = 2 }
        defer { server.stop() }
        let held = try (0..<2).map { _ in try RawClient(port: server.port, sourceAddress: "127.0.0.1") }
        #expect(eventually { server.server.metrics.openConnectionCount == 2 })
        let refused = try RawClient(port: server.port, sourceAddress: "127.0.0.1")
        let answer = try refused.readResponse()
        #expect(answer.status == 429 && answer.header("Retry-After") == "1")
        #expect(answer.bodyText.contains(#""code":"too_many_connections_from_address""#))
        #expect(refused.peerClosed())
        let other = try RawClient(port: server.port, sourceAddress: "127.0.0.2")
        try other.send(Self.request("/health"))
        #expect(try other.readResponse().status == 200)
        #expect(Self.metricsText(server).contains(#"http_connections_refused_per_address_total{reason="connections"} 1"#))
        try held[0].send(Self.request("/health"))
        #expect(try held[0].readResponse().status == 200)
    }

    @Test("new connections per second per address: past the burst the address is refused, others are not")
    func newConnectionRate() throws {
        let server = try TestServer {
            $0.protection.newConnectionsPerAddressBurst = 3
            $0.protection.newConnectionsPerAddressPerSecond = 1
        }
        defer { server.stop() }
        for _ in 0..<3 {
            let client = try RawClient(port: server.port, sourceAddress: "127.0.0.3")
            try client.send(Self.request("/health", headers: "Connection: close\r\n"))
            #expect(try client.readResponse().status == 200)
        }
        let refused = try RawClient(port: server.port, sourceAddress: "127.0.0.3")
        #expect(try refused.readResponse().status == 429)
        let other = try RawClient(port: server.port, sourceAddress: "127.0.0.4")
        try other.send(Self.request("/health"))
        #expect(try other.readResponse().status == 200)
        #expect(Self.metricsText(server).contains(#"http_connections_refused_per_address_total{reason="new_connections"} 1"#))
    }

    @Test("at the connection cap the oldest slow head is evicted to admit a new client; a request in a handler is kept")
    func evictionAtCap() throws {
        let server = try TestServer {
            $0.connectionsMax = 3
            $0.eventLoopThreads = 1
        }
        defer { server.stop() }
        let busy = try RawClient(port: server.port)
        try busy.send(Self.request("/sleep/700"))
        let slowOld = try RawClient(port: server.port, sourceAddress: "127.0.0.5")
        try slowOld.send("GET /health HTTP/1.1\r\nHost: t\r\n")
        usleep(50_000)
        let slowNew = try RawClient(port: server.port, sourceAddress: "127.0.0.6")
        try slowNew.send("GET /health HTTP/1.1\r\n")
        #expect(eventually { server.server.metrics.openConnectionCount == 3 })
        let honest = try RawClient(port: server.port, sourceAddress: "127.0.0.7")
        try honest.send(Self.request("/health"))
        #expect(try honest.readResponse().status == 200)
        #expect(slowOld.peerClosed())
        #expect(Self.metricsText(server).contains("http_connections_evicted_total 1\n"))
        // The newer slow head was not evicted: it can still finish its request.
        try slowNew.send("Host: t\r\n\r\n")
        #expect(try slowNew.readResponse().status == 200)
        #expect(try busy.readResponse().bodyText == "slept 700")
    }

    @Test("an idle kept-alive connection is evicted at the cap")
    func idleEvicted() throws {
        let server = try TestServer {
            $0.connectionsMax = 1
            $0.eventLoopThreads = 1
        }
        defer { server.stop() }
        let idle = try RawClient(port: server.port)
        try idle.send(Self.request("/health"))
        #expect(try idle.readResponse().status == 200)
        let next = try RawClient(port: server.port, sourceAddress: "127.0.0.8")
        try next.send(Self.request("/health"))
        #expect(try next.readResponse().status == 200)
        #expect(idle.peerClosed())
    }

    @Test("a long general queue sheds standard requests with 503 and Retry-After; critical ones still run")
    func sheddingAndCallbacksFirst() throws {
        let server = try TestServer {
            $0.workerThreads = 2
            $0.protection.criticalWorkersReserved = 1
            $0.protection.shedStandardQueueDepth = 1
            $0.protection.shedExpensiveQueueDepth = 0
        }
        defer { server.stop() }
        let running = try RawClient(port: server.port)
        try running.send(Self.request("/sleep/800"))
        usleep(100_000)
        let queued = try RawClient(port: server.port)
        try queued.send(Self.request("/sleep/10"))
        #expect(eventually { server.server.metrics.renderPrometheus().contains("http_worker_queue_depth 1\n") })
        let shed = try RawClient(port: server.port)
        try shed.send(Self.request("/sleep/10"))
        let answer = try shed.readResponse()
        #expect(answer.status == 503 && answer.header("Retry-After") == "5")
        #expect(answer.bodyText.contains(#""code":"load_shed""#))
        let report = try RawClient(port: server.port)
        try report.send(Self.request("/report"))
        #expect(try report.readResponse().status == 503)
        let started = Date()
        let callback = try RawClient(port: server.port)
        try callback.send(Self.request("/callback", method: "POST", headers: "Content-Length: 5\r\n") + "hello")
        let callbackAnswer = try callback.readResponse()
        #expect(callbackAnswer.bodyText == "callback 5")
        #expect(Date().timeIntervalSince(started) < 0.5, "the callback waited for the general worker")
        #expect(try running.readResponse().bodyText == "slept 800")
        #expect(try queued.readResponse().bodyText == "slept 10")
        let metrics = Self.metricsText(server)
        #expect(metrics.contains(#"http_requests_shed_total{class="standard"} 1"#))
        #expect(metrics.contains(#"http_requests_shed_total{class="expensive"} 1"#))
        #expect(eventually { server.accessEntries.filter { $0.limit == "load_shed" }.count == 2 })
        #expect(server.accessEntries.first { $0.limit == "load_shed" }?.jsonLine.contains(#""limit":"load_shed""#) == true)
    }

    @Test("expensive routes are rate limited per token and per address with 429 and Retry-After")
    func rateLimits() throws {
        let server = try TestServer {
            $0.protection.expensiveRequestsBurst = 2
            $0.protection.expensiveRequestsPerMinutePerToken = 1
            $0.protection.expensiveRequestsPerMinutePerAddress = 1
        }
        defer { server.stop() }
        let client = try RawClient(port: server.port, sourceAddress: "127.0.0.9")
        let alpha = "Authorization: Bearer alpha\r\n"
        for _ in 0..<2 {
            try client.send(Self.request("/report", headers: alpha))
            #expect(try client.readResponse().status == 200)
        }
        try client.send(Self.request("/report", headers: alpha))
        let limited = try client.readResponse()
        #expect(limited.status == 429 && limited.header("Retry-After") == "60")
        #expect(limited.bodyText.contains(#""code":"rate_limited""#) && limited.bodyText.contains("this token"))
        // Another token from the same address finds the address's bucket empty.
        try client.send(Self.request("/report", headers: "Authorization: Bearer beta\r\n"))
        let byAddress = try client.readResponse()
        #expect(byAddress.status == 429 && byAddress.bodyText.contains("this address"))
        // Other routes are not rate limited, and the connection stays usable.
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().status == 200)
        let other = try RawClient(port: server.port, sourceAddress: "127.0.0.10")
        try other.send(Self.request("/report", headers: "Authorization: Bearer gamma\r\n"))
        let served = try other.readResponse()
        #expect(served.status == 200 && served.bodyText == "report for 127.0.0.10")
        let metrics = Self.metricsText(server)
        #expect(metrics.contains(#"http_requests_rate_limited_total{scope="token"} 1"#))
        #expect(metrics.contains(#"http_requests_rate_limited_total{scope="address"} 1"#))
        #expect(metrics.contains("http_limit_expensive_requests_per_minute_per_token 1\n"))
    }

    @Test("behind a trusted proxy the forwarded address is the client; from anyone else the header is ignored")
    func trustedProxy() throws {
        let server = try TestServer { $0.protection.trustedProxies = ["127.0.0.11"] }
        defer { server.stop() }
        let forwarded = "X-Forwarded-For: 203.0.113.66, 198.51.100.4\r\n"
        let proxy = try RawClient(port: server.port, sourceAddress: "127.0.0.11")
        try proxy.send(Self.request("/report", headers: forwarded))
        #expect(try proxy.readResponse().bodyText == "report for 198.51.100.4")
        let direct = try RawClient(port: server.port, sourceAddress: "127.0.0.12")
        try direct.send(Self.request("/report", headers: forwarded))
        #expect(try direct.readResponse().bodyText == "report for 127.0.0.12")
    }

    @Test("past the server-wide body budget a request gets 503 and Retry-After before its body is read")
    func bodyBudget() throws {
        let server = try TestServer { $0.protection.bodyBufferBytesMax = 100_000 }
        defer { server.stop() }
        let large = try RawClient(port: server.port)
        try large.send(Self.request("/upload", method: "POST", headers: "Content-Length: 80000\r\n"))
        try large.send([UInt8](repeating: 1, count: 1_000))
        #expect(eventually { Self.metricsText(server).contains("http_body_buffer_bytes_reserved 80000\n") })
        let refused = try RawClient(port: server.port)
        try refused.send(Self.request("/upload", method: "POST", headers: "Content-Length: 30000\r\n"))
        let answer = try refused.readResponse()
        #expect(answer.status == 503 && answer.header("Retry-After") == "2")
        #expect(answer.bodyText.contains(#""code":"body_budget_exhausted""#))
        #expect(answer.header("Connection") == "close")
        // A request without a body is not affected.
        let small = try RawClient(port: server.port)
        try small.send(Self.request("/health"))
        #expect(try small.readResponse().status == 200)
        try large.send([UInt8](repeating: 1, count: 79_000))
        #expect(try large.readResponse().bodyText == "received 80000")
        #expect(eventually { Self.metricsText(server).contains("http_body_buffer_bytes_reserved 0\n") })
        let retried = try RawClient(port: server.port)
        try retried.send(Self.request("/upload", method: "POST", headers: "Content-Length: 30000\r\n") + String(repeating: "x", count: 30_000))
        #expect(try retried.readResponse().bodyText == "received 30000")
        #expect(Self.metricsText(server).contains("http_body_budget_refused_total 1\n"))
        #expect(server.accessEntries.contains { $0.limit == "body_budget" && $0.status == 503 })
    }
}

@Suite("Flood protection across event loops (live server)", .serialized)
struct FloodAcrossLoopsTests {
    @Test("a loop with nothing to evict admits the newcomer and has another loop evict its oldest waiting connection")
    func evictionAcrossLoops() throws {
        let server = try TestServer {
            $0.connectionsMax = 4
            $0.eventLoopThreads = 2
            // Long enough that only evictions close connections while the test looks.
            $0.headTimeoutSeconds = 30
            $0.idleTimeoutSeconds = 30
        }
        defer { server.stop() }
        // Slow heads spread over both loops, then more connections until both loops are full.
        var slow: [RawClient] = []
        for number in 0..<4 {
            let client = try RawClient(port: server.port, readTimeoutSeconds: 1, sourceAddress: "127.0.0.\(20 + number)")
            try client.send("GET /health HTTP/1.1\r\n")
            slow.append(client)
            usleep(20_000)
        }
        #expect(eventually { server.server.metrics.openConnectionCount == 4 })
        // Honest clients keep arriving and stay connected: whichever loop accepts them, each is served and a
        // slow head goes (the oldest of the accepting loop, or of the other loop when it has none).
        var honest: [RawClient] = []
        for number in 0..<3 {
            let client = try RawClient(port: server.port, readTimeoutSeconds: 1, sourceAddress: "127.0.0.\(30 + number)")
            try client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            honest.append(client)
        }
        #expect(eventually { server.server.metrics.renderPrometheus().contains("http_connections_evicted_total 3\n") })
        #expect(eventually { server.server.metrics.openConnectionCount <= 4 })
        #expect(server.server.metrics.renderPrometheus().contains("http_connections_rejected_total 0\n"))
        // Each loop evicts its own oldest waiting connection: mostly slow heads, possibly an idle honest one.
        #expect((slow + honest).filter { $0.peerClosed() }.count == 3)
    }
}
