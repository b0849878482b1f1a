import Glibc
import Testing
@testable import HTTP

/// Sockets a loop watches for loop-first handlers (`LoopSockets`): an event reaches the watcher of the
/// socket it was for, never the watcher that took the same index after that socket was unwatched.
@Suite struct LoopSocketsTests {
    final class Counter: LoopSocketWatcher {
        var calls = 0
        func socketReadable() { calls += 1 }
    }

    @Test func anEventOfAnUnwatchedSocketNeverReachesTheWatcherThatTookItsIndex() throws {
        let epoll = Epoll(adopting: try Epoll.create(), eventsPerWaitMax: 8)
        let sockets = LoopSockets(epoll: epoll)
        var first: [Int32] = [0, 0], second: [Int32] = [0, 0]
        #expect(pipe(&first) == 0 && pipe(&second) == 0)
        defer { for descriptor in first + second { close(descriptor) } }
        let old = Counter(), new = Counter()
        let oldToken = try sockets.watch(first[0], old)
        #expect(write(first[1], "x", 1) == 1)
        #expect(try epoll.wait(timeoutMilliseconds: 1_000) == 1)
        let staleData = epoll.event(at: 0).data
        #expect(LoopSockets.isWatcherToken(staleData) && sockets.watcher(for: staleData) === old)
        sockets.unwatch(oldToken)
        let newToken = try sockets.watch(second[0], new)
        #expect(newToken == oldToken, "the index is reused")
        #expect(sockets.watcher(for: staleData) == nil, "the old socket's event finds no watcher")
        #expect(write(second[1], "y", 1) == 1)
        #expect(try epoll.wait(timeoutMilliseconds: 1_000) == 1)
        let data = epoll.event(at: 0).data
        #expect(data != staleData && sockets.watcher(for: data) === new)
        #expect(!LoopSockets.isWatcherToken(UInt64(7) << 32 | 12), "an HTTP connection's token (generation 7, slot 12) is none")
        sockets.closeAll()
        #expect(sockets.watcher(for: data) == nil)
    }
}
