import Glibc

extension EventLoop {
    func startListening() throws(SystemCallError) {
        try epoll.add(
            core.listener, events: Epoll.input | Epoll.exclusive, data: Self.listenerToken)
        listening = true
    }

    /// Stops accepting for good (shutdown): the listener is released once per loop.
    func stopListening() {
        guard listening else { return }
        if acceptPausedUntil == nil { try? epoll.remove(core.listener) }
        acceptPausedUntil = nil
        listening = false
        core.releaseListener()
    }

    func resumeAccepting() {
        acceptPausedUntil = nil
        guard listening else { return }
        do {
            try epoll.add(
                core.listener, events: Epoll.input | Epoll.exclusive, data: Self.listenerToken)
        } catch {
            configuration.errorLog("could not resume accepting: \(error)")
        }
    }

    /// Accepts at most `acceptsPerWakeMax` connections; the listener is level-triggered, so the rest wait.
    func acceptConnections() {
        guard listening, acceptPausedUntil == nil else { return }
        for _ in 0..<configuration.acceptsPerWakeMax {
            let accepted: Socket.Accepted
            do {
                guard let next = try Socket.accept(core.listener) else { return }
                accepted = next
            } catch {
                handleAcceptError(error)
                return
            }
            admit(accepted)
        }
    }

    private func handleAcceptError(_ error: SystemCallError) {
        switch error.errno {
        case ECONNABORTED, EPROTO, EPERM:
            return
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            // The kernel keeps the connection queued; stop asking for a moment instead of spinning.
            configuration.errorLog("accept paused: \(error)")
            try? epoll.remove(core.listener)
            acceptPausedUntil = now + Self.acceptPauseNanoseconds
            nextSweepAt = min(nextSweepAt, now + Self.acceptPauseNanoseconds)
        default:
            configuration.errorLog("accept: \(error)")
        }
    }

    /// Per-address limits first (an address over its limits never makes anyone else be evicted), then the
    /// connection cap: over it, the connection waiting longest without a complete request is evicted, and only
    /// when there is none is the new one refused.
    private func admit(_ accepted: Socket.Accepted) {
        let address = ClientAddress.host(ofPeer: accepted.peer)
        let decision: AddressAdmissionTable.Decision = draining ? .admitted(tracked: false) : core.admission.admit(address, now: now)
        guard case .admitted(let tracked) = decision else {
            refuseFromAddress(accepted.descriptor, decision)
            return
        }
        let open = core.metrics.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        if open > configuration.connectionsMax || draining {
            guard !draining, makeRoom(open: open) else {
                core.metrics.openConnections.wrappingSubtract(1, ordering: .relaxed)
                core.metrics.rejectedConnections.wrappingAdd(1, ordering: .relaxed)
                if tracked { core.admission.release(address, now: now) }
                rejectOverCapacity(accepted.descriptor)
                return
            }
        }
        // Not draining here (a draining loop refuses above). A burst of connections from one client spreads over the loops.
        let owner = core.balance.claim(accepting: index)
        guard owner == index else {
            core.mailboxes[owner].post(.adopt(descriptor: accepted.descriptor, peer: accepted.peer, address: address, tracked: tracked))
            return
        }
        adopt(accepted.descriptor, peer: accepted.peer, address: address, tracked: tracked)
    }

    /// An admitted socket becomes this loop's connection (accepted here, or handed over by the loop that accepted it).
    /// Its claim on `core.balance` is this loop's from now on.
    func adopt(_ descriptor: Int32, peer: String, address: String, tracked: Bool) {
        guard !draining else {
            // Handed over as this loop began to stop: closed unread, as the loop's own idle connections are.
            SystemCall.close(descriptor)
            forget(address: address, tracked: tracked)
            return
        }
        let transport: any HTTPTransport
        do {
            try Socket.setNoDelay(descriptor)
            transport = try core.transport.makeTransport(acceptedDescriptor: descriptor)
        } catch {
            configuration.errorLog("could not set up a connection from \(peer): \(error)")
            SystemCall.close(descriptor)
            forget(address: address, tracked: tracked)
            return
        }
        register(transport, peer: peer, address: address, tracked: tracked)
    }

    /// A connection this loop claimed is gone before or after it was registered: its counts released.
    private func forget(address: String, tracked: Bool) {
        core.balance.release(index)
        core.metrics.openConnections.wrappingSubtract(1, ordering: .relaxed)
        if tracked { core.admission.release(address, now: now) }
    }

    /// At the cap: a loop holding at least its share of the cap evicts its own oldest waiting connection; one
    /// holding less asks the next loop first. Otherwise a loop with few connections would keep evicting among its
    /// few young ones (an honest client not yet read would soon be its oldest) while the other loop's slow
    /// connections grow old.
    private func makeRoom(open: Int) -> Bool {
        let share = configuration.connectionsMax / core.mailboxes.count
        if liveCount >= share, evictOldestWaiting() { return true }
        return askAnotherLoopToEvict(open: open) || evictOldestWaiting()
    }

    /// Connections are owned by their loop, so when this one has nothing to evict, the next loop is asked to
    /// evict its oldest waiting connection, and this connection is admitted meanwhile: the cap is exceeded by at
    /// most `evictionOverdraftMax` for the moment it takes. False (refuse) past that, or with a single loop.
    private func askAnotherLoopToEvict(open: Int) -> Bool {
        guard core.mailboxes.count > 1, open <= configuration.connectionsMax + Self.evictionOverdraftMax else { return false }
        core.mailboxes[(index + 1) % core.mailboxes.count].post(.evictOne)
        return true
    }

    /// Closes this loop's connection that has waited longest without a complete request (see `EvictionOrder`).
    /// False when this loop has none.
    func evictOldestWaiting() -> Bool {
        let candidates = connections.lazy.compactMap { $0 }.filter { $0.state == .reading }.map { ($0, $0.timer) }
        guard let victim = EvictionOrder.victim(among: candidates) else { return false }
        core.metrics.protection.connectionsEvicted.wrappingAdd(1, ordering: .relaxed)
        close(victim)
        return true
    }

    private func refuseFromAddress(_ descriptor: Int32, _ decision: AddressAdmissionTable.Decision) {
        let detail: String
        if decision == .tooManyConnections {
            core.metrics.protection.connectionsRefusedPerAddress.wrappingAdd(1, ordering: .relaxed)
            detail = "this address has too many open connections; reuse one or retry shortly"
        } else {
            core.metrics.protection.connectionsRefusedNewPerAddress.wrappingAdd(1, ordering: .relaxed)
            detail = "this address opens connections too fast; reuse one or retry shortly"
        }
        let error = HTTPError(status: .tooManyRequests, code: "too_many_connections_from_address", detail: detail,
                              headers: ["Retry-After": "1"])
        refuseConnection(descriptor, error)
    }

    private func register(_ transport: any HTTPTransport, peer: String, address: String, tracked: Bool) {
        let slot = freeSlots.popLast() ?? appendSlot()
        let token = UInt64(generations[slot]) << 32 | UInt64(slot)
        let connection = Connection(token: token, transport: transport, peer: peer, address: address, admissionTracked: tracked,
                                    limits: core.parserLimits, acceptedAt: now)
        let events = Epoll.input | Epoll.output | Epoll.readHangUp | Epoll.edgeTriggered
        do {
            try epoll.add(transport.descriptor, events: events, data: token)
        } catch {
            configuration.errorLog("could not watch a connection: \(error)")
            transport.close()
            freeSlots.append(slot)
            forget(address: address, tracked: tracked)
            return
        }
        connections[slot] = connection
        liveCount += 1
        armTimer(connection)
    }

    private func appendSlot() -> Int {
        precondition(connections.count < Int(UInt32.max - 2), "connection slots exhausted")
        connections.append(nil)
        generations.append(0)
        return connections.count - 1
    }

    /// Over the connection cap: a best-effort 503 in one non-blocking send (plain HTTP only), then close.
    private func rejectOverCapacity(_ descriptor: Int32) {
        let error = HTTPError(status: .serviceUnavailable, code: "too_many_connections",
                              detail: "the server has too many open connections; retry shortly",
                              headers: ["Retry-After": "1"])
        refuseConnection(descriptor, error)
    }

    /// A refused connection: a best-effort answer in one non-blocking send (plain HTTP only), then close.
    private func refuseConnection(_ descriptor: Int32, _ error: HTTPError) {
        guard core.transport.speaksPlainHTTP else {
            SystemCall.close(descriptor)
            return
        }
        var bytes: [UInt8] = []
        let framing = ResponseSerializer.Framing(
            requestId: RequestID.make(), closeConnection: true, announceKeepAlive: false, omitBody: false,
            dateLine: dateLines.line(wallMilliseconds: Clock.wallMilliseconds()))
        ResponseSerializer.write(ProblemDocument.response(error, requestId: framing.requestId), framing, into: &bytes)
        _ = bytes.withUnsafeBytes { raw in
            try? SystemCall.runNonBlocking("send") {
                send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
        }
        Socket.shutdownWrite(descriptor)
        SystemCall.close(descriptor)
    }

    /// Releases a connection: its descriptor, slot and count.
    func close(_ connection: Connection) {
        guard connection.state != .closed else { return }
        connection.state = .closed
        connection.transport.close()
        let slot = Int(connection.token & 0xFFFF_FFFF)
        precondition(connections[slot] === connection, "connection table out of step")
        connections[slot] = nil
        generations[slot] &+= 1
        freeSlots.append(slot)
        liveCount -= 1
        forget(address: connection.address, tracked: connection.admissionTracked)
        releaseBodyBytes(connection)
    }
}
