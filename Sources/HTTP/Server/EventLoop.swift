import Glibc

/// One event-loop thread: epoll over the listener, its connections and its mailbox.
///
/// Sockets are registered edge-triggered for input and output once, so serving a request costs no `epoll_ctl`:
/// typically one `epoll_wait` for many connections, one `recv` and one `send` per request.
final class EventLoop {
    static let listenerToken = UInt64.max
    static let mailboxToken = UInt64.max - 1
    /// Requests served per connection before other connections get a turn.
    static let requestsPerTurnMax = 16
    /// Longest sleep between timer sweeps.
    static let sweepIntervalNanosecondsMax: UInt64 = 1_000_000_000
    /// Connections a loop may admit over `connectionsMax` while another loop evicts one for each (when the
    /// accepting loop has nothing to evict itself); past it, new connections are refused.
    static let evictionOverdraftMax = 64
    /// After the file table fills up, accepting pauses this long.
    static let acceptPauseNanoseconds: UInt64 = 100_000_000

    let index: Int
    let core: ServerCore
    let mailbox: LoopMailbox
    let epoll: Epoll
    /// Database connections and the like that loop-first handlers have this loop watch.
    let sockets: LoopSockets
    let shard: MetricsShard
    var connections: [Connection?] = []
    var generations: [UInt32] = []
    var freeSlots: [Int] = []
    var liveCount = 0
    var listening = false
    var acceptPausedUntil: UInt64?
    var draining = false
    var drainDeadline = UInt64.max
    var nextSweepAt: UInt64 = 0
    var readyAgain: [UInt64] = []
    var now: UInt64
    var dateLines = DateLineCache()
    /// Access-log entries were recorded since the sink was last flushed.
    var accessLogUnflushed = false

    init(index: Int, core: ServerCore, epollDescriptor: Int32) {
        self.index = index
        self.core = core
        self.mailbox = core.mailboxes[index]
        self.epoll = Epoll(adopting: epollDescriptor, eventsPerWaitMax: core.configuration.eventsPerWaitMax)
        self.sockets = LoopSockets(epoll: epoll)
        self.shard = core.metrics.makeShard()
        now = Clock.monotonicNanoseconds()
    }

    var configuration: HTTPServerConfiguration { core.configuration }

    func run() {
        LoopSockets.$current.withValue(sockets) { runBound() }
    }

    private func runBound() {
        do {
            try epoll.add(mailbox.eventDescriptor, events: Epoll.input, data: Self.mailboxToken)
            try startListening()
        } catch {
            preconditionFailure("event loop \(index) could not register its descriptors: \(error)")
        }
        nextSweepAt = now + Self.sweepIntervalNanosecondsMax
        while !finished() {
            let count: Int
            do {
                count = try epoll.wait(timeoutMilliseconds: waitTimeoutMilliseconds())
            } catch {
                preconditionFailure("epoll_wait failed: \(error)")
            }
            now = Clock.monotonicNanoseconds()
            for position in 0..<count { handle(epoll.event(at: position)) }
            serviceReadyAgain()
            if now >= nextSweepAt { sweep() }
            flushAccessLog()
        }
        closeAll()
        core.loopExited()
    }

    private func flushAccessLog() {
        guard accessLogUnflushed else { return }
        accessLogUnflushed = false
        configuration.accessLog?.flush()
    }

    private func finished() -> Bool {
        guard draining else { return false }
        return liveCount == 0 || now >= drainDeadline
    }

    private func waitTimeoutMilliseconds() -> Int32 {
        if !readyAgain.isEmpty { return 0 }
        var until = nextSweepAt
        if draining { until = min(until, drainDeadline) }
        guard until > now else { return 0 }
        // Round up: waking a little late is harmless, waking early spins.
        return Int32(min((until - now + 999_999) / 1_000_000, 1_000))
    }

    private func handle(_ event: Epoll.Event) {
        switch event.data {
        case Self.listenerToken:
            acceptConnections()
        case Self.mailboxToken:
            drainMailbox()
        case _ where LoopSockets.isWatcherToken(event.data):
            // A socket unwatched earlier in this pass has no watcher: its event is stale.
            sockets.watcher(for: event.data)?.socketReadable()
        default:
            guard let connection = lookup(event.data) else { return }
            let readable = Epoll.input | Epoll.readHangUp | Epoll.hangUp | Epoll.error
            if event.events & readable != 0
                || (event.events & Epoll.output != 0 && connection.transport.readWaitsForWritable) {
                connection.socketDrained = false
            }
            service(connection)
        }
    }

    func lookup(_ token: UInt64) -> Connection? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < connections.count, let connection = connections[slot], connection.token == token else { return nil }
        return connection
    }

    private func serviceReadyAgain() {
        guard !readyAgain.isEmpty else { return }
        let tokens = readyAgain
        readyAgain.removeAll(keepingCapacity: true)
        for token in tokens {
            if let connection = lookup(token) { service(connection) }
        }
    }

    private func drainMailbox() {
        for message in mailbox.takeAll() {
            switch message {
            case .completed(let token, let exchange, let response):
                completeFromWorker(token: token, exchange: exchange, response: response)
            case .beginShutdown:
                beginDraining()
            case .evictOne:
                _ = evictOldestWaiting()
            case .adopt(let descriptor, let peer, let address, let tracked):
                adopt(descriptor, peer: peer, address: address, tracked: tracked)
            }
        }
    }

    // MARK: Timers

    /// Makes sure the next sweep happens no later than the connection's deadline.
    func armTimer(_ connection: Connection) {
        if let deadline = connection.timer.deadline(core.timeouts) {
            nextSweepAt = min(nextSweepAt, deadline.at)
        }
        if let heldUntil = connection.heldUntil {
            nextSweepAt = min(nextSweepAt, heldUntil)
        }
    }

    private func sweep() {
        nextSweepAt = now + Self.sweepIntervalNanosecondsMax
        if let pausedUntil = acceptPausedUntil {
            if now >= pausedUntil { resumeAccepting() } else { nextSweepAt = min(nextSweepAt, pausedUntil) }
        }
        for slot in connections.indices {
            if let connection = connections[slot], let heldUntil = connection.heldUntil {
                // A hold that has ended: read the waiting request now (its input event came and went).
                if now >= heldUntil {
                    connection.heldUntil = nil
                    readyAgain.append(connection.token)
                } else {
                    nextSweepAt = min(nextSweepAt, heldUntil)
                }
            }
            guard let connection = connections[slot],
                  let deadline = connection.timer.deadline(core.timeouts) else { continue }
            if now >= deadline.at {
                expire(connection, deadline.expiry)
            } else {
                nextSweepAt = min(nextSweepAt, deadline.at)
            }
        }
    }

    private func expire(_ connection: Connection, _ expiry: ConnectionTimer.Expiry) {
        switch expiry {
        case .close:
            close(connection)
        case .requestTimeout:
            precondition(connection.state == .reading, "a request timeout fires only while reading")
            let error = HTTPError(status: .requestTimeout, code: "request_timeout",
                                  detail: "the request was not received in time")
            refuse(connection, error)
            service(connection)
        case .replyTimeout:
            precondition(connection.state == .handling, "a reply timeout fires only while a deferred handler runs")
            // A completion still held (a lane blocked past every database timeout, or a bug) must not hold the
            // connection forever. Closed after the answer: a late completion then finds no request to answer.
            let error = HTTPError(status: .serviceUnavailable, code: "reply_timeout",
                                  detail: "the request was not answered in time; retry later", headers: ["Retry-After": "1"])
            queueResponse(connection, ProblemDocument.response(error, requestId: connection.exchange?.requestId ?? RequestID.make()),
                          forceClose: true)
            service(connection)
        }
    }

    // MARK: Shutdown

    private func beginDraining() {
        guard !draining else { return }
        draining = true
        drainDeadline = now + HTTPServerConfiguration.nanoseconds(configuration.shutdownGraceSeconds)
        stopListening()
        for case let connection? in connections
        where connection.state == .reading && connection.decoder.isIdle && connection.input.readableCount == 0 {
            close(connection)
        }
    }

    private func closeAll() {
        for case let connection? in connections { close(connection) }
        stopListening()
        sockets.closeAll()
    }
}
