import Dispatch
import Testing
@testable import HTTP

/// The refusal budget per address (`RefusalThrottleTable`) on a fake clock (nanoseconds).
@Suite("Refusal throttle (fake clock)")
struct RefusalThrottleTests {
    private static let second: UInt64 = 1_000_000_000

    private static func table(perSecond: Double = 10, burst: Int = 5, holdMilliseconds: Int = 1_000,
                              proxies: [String] = []) -> RefusalThrottleTable {
        var limits = ProtectionConfiguration()
        limits.refusalsPerAddressPerSecond = perSecond
        limits.refusalsPerAddressBurst = burst
        limits.refusalHoldMilliseconds = holdMilliseconds
        limits.trustedProxies = proxies
        return RefusalThrottleTable(limits: limits)
    }

    @Test("an address is held only past its burst, for the hold, and its budget refills")
    func holdsPastBurst() {
        var table = Self.table()
        let start = 100 * Self.second
        for _ in 0..<5 { #expect(table.answered(status: 401, to: "127.0.0.1", now: start) == nil) }
        #expect(table.answered(status: 401, to: "127.0.0.1", now: start) == start + Self.second)
        #expect(table.answered(status: 404, to: "127.0.0.1", now: start + 1) == start + 1 + Self.second)
        // 10 per second: after 100 ms one more refusal is allowed, the next is held again.
        let later = start + Self.second / 10
        #expect(table.answered(status: 405, to: "127.0.0.1", now: later) == nil)
        #expect(table.answered(status: 429, to: "127.0.0.1", now: later) == later + Self.second)
    }

    @Test("answers that are not refusals never count or hold")
    func otherStatusesFree() {
        var table = Self.table(burst: 1)
        for status in [200, 201, 204, 400, 409, 413, 422, 500, 503] {
            for _ in 0..<10 { #expect(table.answered(status: status, to: "127.0.0.1", now: 0) == nil) }
        }
        #expect(table.trackedCount == 0)
        #expect(table.answered(status: 403, to: "127.0.0.1", now: 0) == nil)
        #expect(table.answered(status: 403, to: "127.0.0.1", now: 0) == Self.second)
    }

    @Test("one flooding address does not hold another, nor a trusted proxy")
    func addressesAreSeparate() {
        var table = Self.table(burst: 2, proxies: ["10.0.0.5"])
        for _ in 0..<2 { _ = table.answered(status: 401, to: "127.0.0.1", now: 0) }
        #expect(table.answered(status: 401, to: "127.0.0.1", now: 0) != nil)
        #expect(table.answered(status: 401, to: "127.0.0.2", now: 0) == nil)
        for _ in 0..<100 { #expect(table.answered(status: 401, to: "10.0.0.5", now: 0) == nil) }
    }

    @Test("a zero hold still counts but releases at once")
    func zeroHold() {
        var table = Self.table(burst: 1, holdMilliseconds: 0)
        #expect(table.answered(status: 401, to: "::1", now: 7) == nil)
        #expect(table.answered(status: 401, to: "::1", now: 7) == 7)
    }
}

/// The refusal budget on a running server: past it, the flooding connection's next request waits for the hold
/// while another address is answered at once.
@Suite("Refusal throttle (live server)", .serialized)
struct RefusalThrottleLiveTests {
    private static func request(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n" }

    @Test("past its refusal budget an address's connection is held; other addresses are served at once")
    func holdsTheFlooder() throws {
        let server = try TestServer {
            $0.protection.refusalsPerAddressBurst = 3
            $0.protection.refusalsPerAddressPerSecond = 1
            $0.protection.refusalHoldMilliseconds = 600
        }
        defer { server.stop() }
        let flooder = try RawClient(port: server.port, sourceAddress: "127.0.0.21")
        for _ in 0..<3 {
            try flooder.send(Self.request("/no-such-thing"))
            #expect(try flooder.readResponse().status == 404)
        }
        // The fourth refusal is still answered; the request after it waits for the hold.
        try flooder.send(Self.request("/no-such-thing"))
        #expect(try flooder.readResponse().status == 404)
        let started = DispatchTime.now().uptimeNanoseconds
        try flooder.send(Self.request("/health"))
        #expect(try flooder.readResponse().status == 200)
        let heldNanoseconds = DispatchTime.now().uptimeNanoseconds - started
        #expect(heldNanoseconds >= 500_000_000, "held \(heldNanoseconds / 1_000_000) ms")

        let other = try RawClient(port: server.port, sourceAddress: "127.0.0.22")
        let otherStarted = DispatchTime.now().uptimeNanoseconds
        try other.send(Self.request("/no-such-thing"))
        #expect(try other.readResponse().status == 404)
        try other.send(Self.request("/health"))
        #expect(try other.readResponse().status == 200)
        #expect(DispatchTime.now().uptimeNanoseconds - otherStarted < 400_000_000)
        let metrics = server.server.metrics.renderPrometheus()
        #expect(metrics.contains("http_connections_held_total 1\n"))
        #expect(metrics.contains("http_limit_refusal_hold_seconds 0.6\n"))
    }
}
