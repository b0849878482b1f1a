import Foundation
import Testing
@testable import HTTP

/// New connections go to the event loop owning fewest (`LoopBalance`): a client that opens its pool of
/// connections in one burst is served by every loop, not by the one the listener happened to wake.
@Suite struct LoopBalanceTests {
    @Test func aNewConnectionGoesToTheLoopOwningFewestTiesStayingWithTheAcceptingOne() {
        let balance = LoopBalance(loops: 3)
        #expect(balance.claim(accepting: 1) == 1)
        #expect(balance.claim(accepting: 1) == 0)
        #expect(balance.claim(accepting: 1) == 2)
        #expect(balance.claim(accepting: 1) == 1)
        #expect(balance.snapshot == [1, 2, 1])
        balance.release(1)
        balance.release(1)
        #expect(balance.claim(accepting: 2) == 1)
        #expect(balance.snapshot == [1, 1, 1])
    }

    @Test func aBurstOfConnectionsIsSpreadOverTheLoopsAndEveryOneIsServed() throws {
        let server = try TestServer()
        defer { server.stop() }
        // All connected before either loop accepts: the listener wakes one loop, which accepts the whole burst.
        var clients = try (0..<8).map { _ in try RawClient(port: server.port) }
        for client in clients {
            try client.send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
        #expect(server.server.loopConnectionCounts == [4, 4])
        clients.removeFirst(6)
        #expect(eventually { server.server.loopConnectionCounts.reduce(0, +) == 2 }, "closed connections are released")
        for client in clients {
            try client.send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }
}
