extension EventLoop {
    /// Moves a connection forward as far as it can go without blocking.
    func service(_ connection: Connection) {
        var requestsLeft = Self.requestsPerTurnMax
        while true {
            switch connection.state {
            case .closed, .handling:
                return
            case .lingering:
                linger(connection)
                return
            case .writing:
                guard flush(connection) else { return }
            case .reading:
                guard !isHeld(connection) else { return }
                guard requestsLeft > 0 else {
                    readyAgain.append(connection.token)
                    return
                }
                guard decodeNext(connection, requestsLeft: &requestsLeft) else { return }
            }
        }
    }

    /// One decoder step; false when the connection must wait for input (or was closed).
    private func decodeNext(_ connection: Connection, requestsLeft: inout Int) -> Bool {
        let step = connection.decoder.decode(connection.input.readable)
        connection.input.consume(step.consumed)
        switch step.event {
        case .needMoreData:
            noteHeadBytes(connection)
            return readMore(connection)
        case .head(let head):
            beginRequest(connection, head)
        case .end(let body):
            requestsLeft -= 1
            finishRequest(connection, body: body)
        case .error(let error):
            refuse(connection, error)
        }
        return true
    }

    private func readMore(_ connection: Connection) -> Bool {
        guard !connection.socketDrained else { return false }
        let minimum = connection.decoder.isReadingBody ? Connection.bodyReadBytes : Connection.readBytesMin
        let space = connection.input.writableSpace(minimum: minimum)
        precondition(space.count > 0, "the input buffer is full although the decoder bounds a head")
        let result: TransportIO
        do {
            result = try connection.transport.read(into: space)
        } catch {
            closeAfterTransportError(connection, error)
            return false
        }
        if connection.timer.isHandshaking && connection.transport.isEstablished { handshakeCompleted(connection) }
        switch result {
        case .transferred(let count):
            connection.input.didWrite(count)
            if connection.transport.inputDrained { connection.socketDrained = true }
            noteHeadBytes(connection)
            return true
        case .wouldBlock:
            connection.socketDrained = true
            return false
        case .endOfStream:
            close(connection)
            return false
        }
    }

    private func handshakeCompleted(_ connection: Connection) {
        connection.timer.handshakeCompleted(at: now)
        connection.clientCertificate = connection.transport.clientCertificate
        armTimer(connection)
    }

    /// Socket errors (a reset) are routine; TLS failures (a plain-HTTP client, an old protocol version, a bad
    /// record) are logged with the peer so an operator can see why a bank cannot connect.
    func closeAfterTransportError(_ connection: Connection, _ error: any Error) {
        if error is TLSConnectionError {
            configuration.errorLog("connection from \(connection.peer): \(error)")
        }
        close(connection)
    }

    /// Starts the head deadline of a kept-alive connection at the first byte of its next head (later bytes
    /// change nothing), and makes sure the sweep comes in time for it.
    private func noteHeadBytes(_ connection: Connection) {
        guard connection.input.readableCount > 0, !connection.decoder.isReadingBody else { return }
        connection.timer.headBytesArrived(at: now)
        armTimer(connection)
    }

    // MARK: Requests

    private func beginRequest(_ connection: Connection, _ head: HTTPRequestHead) {
        let incoming = head.headers["X-Request-Id"]
        let requestId = incoming.flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.make()
        let hasBody = head.framing != .none && head.framing != .contentLength(0)
        var exchange = Exchange.unmatched(
            requestId: requestId, method: head.method, keepAlive: head.keepAlive, startedAt: Clock.monotonicNanoseconds())
        exchange.version = head.version
        switch core.router.match(method: head.method, segments: head.components.segments) {
        case .found(let route, let parameters):
            exchange.templateIndex = route.templateIndex
            exchange.routeLabel = route.template
            connection.exchange = exchange
            if route.options.requiresClientCertificate && connection.clientCertificate.verified == nil {
                let error = Self.clientCertificateRequired(connection.clientCertificate)
                answerFromHead(connection, ProblemDocument.response(error, requestId: requestId), hasBody: hasBody)
                return
            }
            if let realm = route.options.bearerRealm, BearerCredentials.token(in: head.headers["Authorization"]) == nil {
                answerFromHead(connection, ProblemDocument.response(BearerCredentials.required(realm: realm), requestId: requestId),
                               hasBody: hasBody)
                return
            }
            if let refusal = protectionRefusal(route: route, head: head, connection: connection) {
                connection.exchange?.limit = refusal.limit
                answerFromHead(connection, ProblemDocument.response(refusal.error, requestId: requestId), hasBody: hasBody)
                return
            }
            connection.routing = .route(route, parameters, head)
            let cap = route.options.bodyBytesMax ?? configuration.bodyBytesMaxDefault
            if let error = connection.decoder.startBody(bodyBytesMax: cap) {
                refuse(connection, error)
                return
            }
            if let refusal = reserveBodyBytes(connection, framing: head.framing, cap: cap) {
                connection.exchange?.limit = refusal.limit
                refuse(connection, refusal.error)
                return
            }
            if head.expectsContinue && !sendContinue(connection) { return }
            connection.timer.headCompleted(at: now, expectsBody: hasBody)
            armTimer(connection)
        case .methodNotAllowed(let template, let templateIndex, let allowed):
            exchange.templateIndex = templateIndex
            exchange.routeLabel = template
            connection.exchange = exchange
            let error = HTTPError(
                status: .methodNotAllowed, code: "method_not_allowed",
                detail: "\(head.method) is not allowed here", headers: ["Allow": allowed.map(\.rawValue).joined(separator: ", ")])
            answerFromHead(connection, ProblemDocument.response(error, requestId: requestId), hasBody: hasBody)
        case .notFound:
            connection.exchange = exchange
            let error = HTTPError(status: .notFound, code: "not_found", detail: "no resource at this path")
            answerFromHead(connection, ProblemDocument.response(error, requestId: requestId), hasBody: hasBody)
        }
    }

    private static func clientCertificateRequired(_ status: ClientCertificateStatus) -> HTTPError {
        let required = "this resource requires a client certificate issued by a CA this server trusts"
        let detail: String
        switch status {
        case .rejected(let reason): detail = "\(required); the certificate presented was not accepted: \(reason)"
        case .absent, .verified: detail = "\(required); none was presented"
        }
        return HTTPError(status: .forbidden, code: "client_certificate_required", detail: detail)
    }

    /// A 403, 404 or 405 needs no body: without one the connection stays usable; with one it is answered
    /// at once and closed rather than read.
    private func answerFromHead(_ connection: Connection, _ response: Response, hasBody: Bool) {
        if hasBody {
            queueResponse(connection, response, forceClose: true)
            return
        }
        _ = connection.decoder.startBody(bodyBytesMax: 0)
        connection.routing = .answer(response)
        connection.timer.headCompleted(at: now, expectsBody: false)
    }

    /// `100 Continue` before reading a body the client holds back. The socket is idle here (the previous
    /// response is fully written), so the 25 bytes go out in one send; if not, the connection is dropped.
    private func sendContinue(_ connection: Connection) -> Bool {
        let interim: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
        let bytes = UnsafeRawBufferPointer(start: interim.utf8Start, count: interim.utf8CodeUnitCount)
        if let result = try? connection.transport.write(bytes), result == .transferred(bytes.count) { return true }
        close(connection)
        return false
    }

    private func finishRequest(_ connection: Connection, body: [UInt8]) {
        connection.timer.bodyCompleted()
        guard let routing = connection.routing, let exchange = connection.exchange else {
            preconditionFailure("a request ended without a head")
        }
        connection.routing = nil
        switch routing {
        case .answer(let response):
            queueResponse(connection, response)
        case .route(let route, let parameters, let head):
            var request = Request(
                method: head.method, version: head.version, target: head.target, path: head.components.path,
                query: head.components.query, headers: head.headers, body: body, pathParameters: parameters,
                routeTemplate: route.template, routeMetadata: route.options.metadata, requestId: exchange.requestId,
                peer: connection.peer, clientCertificate: connection.clientCertificate.verified,
                clientAddress: ClientAddress.resolve(peerAddress: connection.address, headers: head.headers,
                                                     trustedProxies: core.trustedProxies))
            // The head's rate check took from this address's bucket (`protectionRefusal`, keyed by the same address).
            if route.options.routeClass == .expensive { request.rateCharge = RequestRateCharge(limiter: core.rateLimiter, address: request.clientAddress) }
            switch route.options.execution {
            case .inline:
                queueResponse(connection, Responder.respond(route, to: request, errorLog: configuration.errorLog))
            case .worker:
                dispatch(connection, route: route, request: request, exchange: exchange)
            }
        }
    }

    private func dispatch(_ connection: Connection, route: Route, request: Request, exchange: Exchange) {
        let mailbox = self.mailbox
        let token = connection.token
        let errorLog = configuration.errorLog
        let deferred: Bool
        let job: WorkerPool.Job
        switch route.handler {
        case .immediate:
            deferred = false
            job = {
                let response = Responder.respond(route, to: request, errorLog: errorLog)
                mailbox.post(.completed(token: token, exchange: exchange, response: response))
            }
        case .deferred:
            // The worker is free once the handler returns; the answer comes through the completion, from any thread.
            deferred = true
            job = {
                let completion = ResponseCompletion(mailbox: mailbox, token: token, exchange: exchange, routeTemplate: route.template,
                                                    errorLog: errorLog)
                Responder.respondLater(route, to: request, completion: completion, errorLog: errorLog)
            }
        case .loopFirst(let handler):
            runOnLoop(connection, route: route, handler: handler, request: request, exchange: exchange)
            return
        }
        if core.workers.submit(critical: route.options.routeClass == .critical, job) {
            connection.state = .handling
            if deferred {
                // No worker bounds a deferred answer: the reply timer does.
                connection.timer.replyAwaited(at: now)
                armTimer(connection)
            }
            return
        }
        queueResponse(connection, ProblemDocument.response(Self.serverBusy, requestId: exchange.requestId))
    }

    /// The answer when the worker queue is full.
    static let serverBusy = HTTPError(status: .serviceUnavailable, code: "server_busy",
                                      detail: "the server is busy; retry shortly", headers: ["Retry-After": "1"])

    /// A loop-first route (`Router.addDeferred(_:_:options:onLoop:)`): its handler runs on this thread, and
    /// only what it hands on wakes a worker. The request is handled (under the reply timer) from the start, so
    /// an answer given on this thread reaches the connection through the mailbox like any other.
    private func runOnLoop(_ connection: Connection, route: Route, handler: LoopFirstHandler, request: Request, exchange: Exchange) {
        let errorLog = configuration.errorLog
        let completion = ResponseCompletion(mailbox: mailbox, token: connection.token, exchange: exchange, routeTemplate: route.template,
                                            errorLog: errorLog)
        connection.state = .handling
        connection.timer.replyAwaited(at: now)
        armTimer(connection)
        let critical = route.options.routeClass == .critical
        let step: LoopStep
        do {
            step = try handler(request, completion, critical ? core.criticalJobs : core.generalJobs)
        } catch {
            core.metrics.loopFirstTaken.wrappingAdd(1, ordering: .relaxed)
            completion.fail(error)
            return
        }
        guard case .onWorker(let rest) = step else {
            core.metrics.loopFirstTaken.wrappingAdd(1, ordering: .relaxed)
            return
        }
        core.metrics.loopFirstHandedOn.wrappingAdd(1, ordering: .relaxed)
        let queued = core.workers.submit(critical: critical) {
            do { try rest(completion) } catch { completion.fail(error) }
        }
        if !queued { completion.complete(ProblemDocument.response(Self.serverBusy, requestId: exchange.requestId)) }
    }

    func completeFromWorker(token: UInt64, exchange: Exchange, response: Response) {
        guard let connection = lookup(token), connection.state == .handling else {
            // The client went away (or shutdown expired, or the reply timer answered) while the handler ran: count it,
            // send nothing.
            record(exchange, status: response.status.code, bodyBytes: 0, wallMilliseconds: Clock.wallMilliseconds())
            return
        }
        queueResponse(connection, response)
        service(connection)
    }

    /// Answers a refused request (parser error, timeout, body cap) and closes after the response.
    func refuse(_ connection: Connection, _ error: any HTTPResponseError) {
        if connection.exchange == nil {
            connection.exchange = .unmatched(requestId: RequestID.make(), method: nil, keepAlive: false, startedAt: now)
        }
        let requestId = connection.exchange!.requestId
        connection.routing = nil
        queueResponse(connection, ProblemDocument.response(error, requestId: requestId), forceClose: true)
    }

    // MARK: Responses

    func queueResponse(_ connection: Connection, _ response: Response, forceClose: Bool = false) {
        guard let exchange = connection.exchange else { preconditionFailure("a response without a request") }
        precondition(connection.outputOffset == 0 && connection.output.isEmpty, "a response is already queued")
        connection.exchange = nil
        releaseBodyBytes(connection)
        connection.requestsServed += 1
        let close = forceClose || !exchange.keepAlive || draining
            || connection.requestsServed >= configuration.requestsPerConnectionMax
        let wall = Clock.wallMilliseconds()
        let framing = ResponseSerializer.Framing(
            requestId: exchange.requestId, closeConnection: close,
            announceKeepAlive: !close && exchange.version == .http1_0, omitBody: exchange.omitBody,
            dateLine: dateLines.line(wallMilliseconds: wall))
        ResponseSerializer.write(response, framing, into: &connection.output)
        let bodyBytes = ResponseSerializer.bodyBytesSent(response, omitBody: exchange.omitBody)
        record(exchange, status: response.status.code, bodyBytes: bodyBytes, wallMilliseconds: wall)
        if !close { holdIfRefusedTooOften(connection, status: response.status.code) }
        connection.closeAfterWrite = close
        connection.state = .writing
        connection.timer.responseQueued(at: now)
        armTimer(connection)
    }

    private func record(_ exchange: Exchange, status: Int, bodyBytes: Int, wallMilliseconds: Int64) {
        let finishedAt = Clock.monotonicNanoseconds()
        let duration = finishedAt >= exchange.startedAt ? finishedAt - exchange.startedAt : 0
        shard.record(templateIndex: exchange.templateIndex, method: exchange.method, status: status,
                     durationNanoseconds: duration)
        guard let accessLog = configuration.accessLog else { return }
        accessLogUnflushed = true
        accessLog.record(AccessLogEntry(
            timeMilliseconds: wallMilliseconds, requestId: exchange.requestId, method: exchange.method?.rawValue ?? "-",
            route: exchange.routeLabel, status: status, bytes: bodyBytes, durationMicroseconds: Int64(duration / 1_000),
            limit: exchange.limit))
    }

    /// Past its address's refusal budget, the connection's next request waits (`RefusalThrottleTable`).
    private func holdIfRefusedTooOften(_ connection: Connection, status: Int) {
        guard let until = core.refusalThrottle.answered(status: status, to: connection.address, now: now) else { return }
        connection.heldUntil = until
        core.metrics.protection.connectionsHeld.wrappingAdd(1, ordering: .relaxed)
    }

    /// True while the connection is held: the sweep services it when the hold ends.
    private func isHeld(_ connection: Connection) -> Bool {
        guard let until = connection.heldUntil else { return false }
        guard now < until else {
            connection.heldUntil = nil
            return false
        }
        armTimer(connection)
        return true
    }

    /// Writes queued output; true when it is all written and the connection can go on.
    private func flush(_ connection: Connection) -> Bool {
        while connection.outputOffset < connection.output.count {
            let result: TransportIO
            do {
                result = try connection.output.withUnsafeBytes { bytes in
                    try connection.transport.write(UnsafeRawBufferPointer(rebasing: bytes[connection.outputOffset...]))
                }
            } catch {
                closeAfterTransportError(connection, error)
                return false
            }
            switch result {
            case .transferred(let count): connection.outputOffset += count
            case .wouldBlock: return false
            case .endOfStream:
                close(connection)
                return false
            }
        }
        connection.outputOffset = 0
        if connection.output.capacity > Connection.outputKeepBytesMax {
            connection.output = []
        } else {
            connection.output.removeAll(keepingCapacity: true)
        }
        if connection.closeAfterWrite {
            startLinger(connection)
        } else {
            connection.state = .reading
            connection.timer.responseWritten(at: now)
            connection.input.shrinkIfEmpty()
            armTimer(connection)
        }
        return true
    }

    /// Half-closes and drains input, so unread request bytes do not turn the close into a reset that
    /// could destroy the response before the client reads it.
    private func startLinger(_ connection: Connection) {
        connection.transport.shutdownWrite()
        connection.input.consumeAll()
        connection.state = .lingering
        connection.timer.lingerStarted(at: now)
        armTimer(connection)
    }

    private func linger(_ connection: Connection) {
        while true {
            let space = connection.input.writableSpace(minimum: Connection.readBytesMin)
            let result: TransportIO
            do {
                result = try connection.transport.read(into: space)
            } catch {
                close(connection)
                return
            }
            switch result {
            case .transferred(let count):
                connection.lingerBytes += count
                if connection.lingerBytes > configuration.lingerBytesMax {
                    close(connection)
                    return
                }
            case .wouldBlock:
                return
            case .endOfStream:
                close(connection)
                return
            }
        }
    }
}
