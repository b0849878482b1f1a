/// Timeouts in nanoseconds of the monotonic clock.
public struct ConnectionTimeouts: Sendable, Equatable {
    public var head: UInt64
    public var body: UInt64
    public var idle: UInt64
    public var write: UInt64
    public var linger: UInt64
    /// From accept to a finished TLS handshake.
    public var handshake: UInt64
    /// From a deferred handler's start to its answer (`ResponseCompletion`).
    public var reply: UInt64

    public init(head: UInt64, body: UInt64, idle: UInt64, write: UInt64, linger: UInt64, handshake: UInt64 = 10_000_000_000,
                reply: UInt64 = 30_000_000_000) {
        self.head = head
        self.body = body
        self.idle = idle
        self.write = write
        self.linger = linger
        self.handshake = handshake
        self.reply = reply
    }
}

/// The deadline logic of one connection as pure state: events move it between phases, and `deadline` says when
/// and how the connection must end. The event loop feeds it the monotonic clock; tests feed it a fake one.
public struct ConnectionTimer: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// A TLS handshake runs; no request has started.
        case handshaking(since: UInt64)
        /// Waiting for a complete head. `afterResponse` is false for the first request of a connection.
        case awaitingHead(since: UInt64, firstByteAt: UInt64?, afterResponse: Bool)
        case readingBody(since: UInt64)
        /// A handler runs; the worker pool bounds it, not a timer.
        case handling
        /// A deferred handler was started and may answer from any thread: bounded by `reply`.
        case awaitingReply(since: UInt64)
        case writing(since: UInt64)
        case lingering(since: UInt64)
    }

    public enum Expiry: Sendable, Equatable {
        /// Answer 408 and close.
        case requestTimeout
        /// Close without a response.
        case close
        /// A deferred handler did not answer in time: answer 503 and close.
        case replyTimeout
    }

    public private(set) var phase: Phase

    /// `handshaking`: the transport must finish a TLS handshake before the first head is due.
    public init(acceptedAt now: UInt64, handshaking: Bool = false) {
        phase = handshaking ? .handshaking(since: now) : .awaitingHead(since: now, firstByteAt: nil, afterResponse: false)
    }

    public var isHandshaking: Bool {
        if case .handshaking = phase { true } else { false }
    }

    /// The handshake finished: the first head is due `timeouts.head` from now.
    public mutating func handshakeCompleted(at now: UInt64) {
        precondition(isHandshaking, "no handshake is running")
        phase = .awaitingHead(since: now, firstByteAt: nil, afterResponse: false)
    }

    /// Bytes of a head arrived. Only the first one matters: a slow drip does not move any deadline.
    public mutating func headBytesArrived(at now: UInt64) {
        if case .awaitingHead(let since, nil, let afterResponse) = phase {
            phase = .awaitingHead(since: since, firstByteAt: now, afterResponse: afterResponse)
        }
    }

    public mutating func headCompleted(at now: UInt64, expectsBody: Bool) {
        phase = expectsBody ? .readingBody(since: now) : .handling
    }

    public mutating func bodyCompleted() {
        phase = .handling
    }

    /// The request went to a deferred handler (`ResponseCompletion`).
    public mutating func replyAwaited(at now: UInt64) {
        phase = .awaitingReply(since: now)
    }

    public mutating func responseQueued(at now: UInt64) {
        phase = .writing(since: now)
    }

    public mutating func responseWritten(at now: UInt64) {
        phase = .awaitingHead(since: now, firstByteAt: nil, afterResponse: true)
    }

    public mutating func lingerStarted(at now: UInt64) {
        phase = .lingering(since: now)
    }

    /// When the current phase expires and what to do then; nil when no timer runs.
    public func deadline(_ timeouts: ConnectionTimeouts) -> (at: UInt64, expiry: Expiry)? {
        switch phase {
        case .handshaking(let since):
            return (since + timeouts.handshake, .close)
        case .awaitingHead(let since, let firstByteAt, let afterResponse):
            guard afterResponse else { return (since + timeouts.head, .requestTimeout) }
            let idleDeadline = since + timeouts.idle
            guard let firstByteAt else { return (idleDeadline, .close) }
            return (min(idleDeadline, firstByteAt + timeouts.head), .requestTimeout)
        case .readingBody(let since):
            return (since + timeouts.body, .requestTimeout)
        case .handling:
            return nil
        case .awaitingReply(let since):
            return (since + timeouts.reply, .replyTimeout)
        case .writing(let since):
            return (since + timeouts.write, .close)
        case .lingering(let since):
            return (since + timeouts.linger, .close)
        }
    }

    /// What is due at `now`, if anything.
    public func expiry(at now: UInt64, _ timeouts: ConnectionTimeouts) -> Expiry? {
        guard let deadline = deadline(timeouts), now >= deadline.at else { return nil }
        return deadline.expiry
    }
}
