import Testing
@testable import HTTP

@Suite("Connection timer (fake clock)")
struct ConnectionTimerTests {
    private static let second: UInt64 = 1_000_000_000
    private let timeouts = ConnectionTimeouts(head: 10 * second, body: 60 * second, idle: 30 * second,
                                              write: 30 * second, linger: 2 * second)

    @Test("the first head is due 10 s after accept, and a drip does not extend it")
    func firstHeadDeadline() {
        var timer = ConnectionTimer(acceptedAt: 100 * Self.second)
        #expect(timer.deadline(timeouts)?.at == 110 * Self.second)
        for tick in 101...109 {
            timer.headBytesArrived(at: UInt64(tick) * Self.second)
            #expect(timer.expiry(at: UInt64(tick) * Self.second, timeouts) == nil)
        }
        #expect(timer.expiry(at: 110 * Self.second - 1, timeouts) == nil)
        #expect(timer.expiry(at: 110 * Self.second, timeouts) == .requestTimeout)
    }

    @Test("a handler that returns its response has no timer; a deferred one is answered 503 at the reply deadline")
    func replyDeadline() {
        var timer = ConnectionTimer(acceptedAt: 0)
        timer.headCompleted(at: Self.second, expectsBody: false)
        #expect(timer.deadline(timeouts) == nil)
        timer.replyAwaited(at: 2 * Self.second)
        #expect(timer.expiry(at: 32 * Self.second - 1, timeouts) == nil)
        #expect(timer.expiry(at: 32 * Self.second, timeouts) == .replyTimeout)
        timer.responseQueued(at: 3 * Self.second)
        #expect(timer.expiry(at: 32 * Self.second, timeouts) == nil, "answered: the write deadline runs instead")
    }

    @Test("an idle kept-alive connection is closed silently after 30 s")
    func idleTimeout() {
        var timer = ConnectionTimer(acceptedAt: 0)
        timer.headCompleted(at: Self.second, expectsBody: false)
        timer.responseQueued(at: Self.second)
        timer.responseWritten(at: 2 * Self.second)
        #expect(timer.expiry(at: 31 * Self.second, timeouts) == nil)
        #expect(timer.expiry(at: 32 * Self.second, timeouts) == .close)
    }

    @Test("on a kept-alive connection the head is due 10 s after its first byte, never after the idle deadline")
    func laterHeadDeadline() {
        var timer = ConnectionTimer(acceptedAt: 0)
        timer.responseWritten(at: 0)
        timer.headBytesArrived(at: 5 * Self.second)
        timer.headBytesArrived(at: 14 * Self.second)
        #expect(timer.deadline(timeouts)?.at == 15 * Self.second)
        #expect(timer.expiry(at: 15 * Self.second, timeouts) == .requestTimeout)

        var late = ConnectionTimer(acceptedAt: 0)
        late.responseWritten(at: 0)
        late.headBytesArrived(at: 25 * Self.second)
        #expect(late.deadline(timeouts)?.at == 30 * Self.second)
        #expect(late.expiry(at: 30 * Self.second, timeouts) == .requestTimeout)
    }

    @Test("the body deadline runs from the end of the head; a handler has none")
    func bodyAndHandling() {
        var timer = ConnectionTimer(acceptedAt: 0)
        timer.headCompleted(at: 3 * Self.second, expectsBody: true)
        #expect(timer.deadline(timeouts)?.at == 63 * Self.second)
        #expect(timer.expiry(at: 63 * Self.second, timeouts) == .requestTimeout)
        timer.bodyCompleted()
        #expect(timer.deadline(timeouts) == nil)
        #expect(timer.expiry(at: 1_000 * Self.second, timeouts) == nil)
    }

    @Test("a response not written in time closes the connection; lingering ends after 2 s")
    func writeAndLinger() {
        var timer = ConnectionTimer(acceptedAt: 0)
        timer.responseQueued(at: 10 * Self.second)
        #expect(timer.expiry(at: 40 * Self.second, timeouts) == .close)
        timer.lingerStarted(at: 41 * Self.second)
        #expect(timer.expiry(at: 42 * Self.second, timeouts) == nil)
        #expect(timer.expiry(at: 43 * Self.second, timeouts) == .close)
    }
}

@Suite("Connection timer: TLS handshake (fake clock)")
struct HandshakeTimerTests {
    private static let second: UInt64 = 1_000_000_000
    private let timeouts = ConnectionTimeouts(head: 10 * second, body: 60 * second, idle: 30 * second,
                                              write: 30 * second, linger: 2 * second, handshake: 5 * second)

    @Test("a handshake is closed silently at its deadline, counted from accept")
    func handshakeDeadline() {
        let timer = ConnectionTimer(acceptedAt: 100 * Self.second, handshaking: true)
        #expect(timer.isHandshaking)
        #expect(timer.expiry(at: 105 * Self.second - 1, timeouts) == nil)
        #expect(timer.expiry(at: 105 * Self.second, timeouts) == .close)
    }

    @Test("after the handshake the first head is due the head timeout after the handshake finished")
    func headAfterHandshake() {
        var timer = ConnectionTimer(acceptedAt: 0, handshaking: true)
        timer.handshakeCompleted(at: 4 * Self.second)
        #expect(!timer.isHandshaking)
        #expect(timer.deadline(timeouts)?.at == 14 * Self.second)
        #expect(timer.expiry(at: 14 * Self.second, timeouts) == .requestTimeout)
    }
}
