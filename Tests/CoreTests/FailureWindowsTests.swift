import Core
import Synchronization
import Testing

@Suite struct FailureWindowsTests {
    final class Clock: Sendable {
        private let value = Mutex<Int64>(0)
        var now: Int64 { value.withLock { $0 } }
        func advance(_ milliseconds: Int64) { value.withLock { $0 += milliseconds } }
    }

    @Test func anyBlockedKeyBlocksAndTheWindowEndsFromItsFirstFailure() {
        let clock = Clock()
        let windows = FailureWindows(failuresMax: 2, windowMilliseconds: 1_000, now: { clock.now })
        windows.recordFailure("account:an", "address:203.0.113.9")
        #expect(!windows.isBlocked("account:an"))
        clock.advance(500)
        windows.recordFailure("account:an")
        // The account is blocked; a request naming it with a fresh address is blocked too.
        #expect(windows.isBlocked(["account:an", "address:198.51.100.7"]))
        #expect(!windows.isBlocked("address:203.0.113.9"))
        // 1,000 ms after the account's first failure its window is over, whatever came later.
        clock.advance(499)
        #expect(windows.isBlocked("account:an"))
        clock.advance(1)
        #expect(!windows.isBlocked("account:an"))
    }
}
