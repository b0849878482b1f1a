/// The flood protections decided from a request head, before any body byte is read: shedding by route class,
/// rate limits of expensive routes, and the server-wide body budget.
extension EventLoop {
    /// A refusal and the name the access log gives it.
    struct ProtectionRefusal {
        var error: HTTPError
        var limit: String
    }

    /// Why the request must be refused now, or nil to serve it.
    func protectionRefusal(route: Route, head: HTTPRequestHead, connection: Connection) -> ProtectionRefusal? {
        let limits = configuration.protection
        let routeClass = route.options.routeClass
        if route.options.execution == .worker,
           LoadShedding.sheds(routeClass, generalQueueDepth: core.workers.queueDepth, limits: limits) {
            core.metrics.protection.shed(routeClass)
            let error = HTTPError(status: .serviceUnavailable, code: "load_shed",
                                  detail: "the server is overloaded and serves more urgent requests first; retry later",
                                  headers: ["Retry-After": String(limits.shedRetryAfterSeconds)])
            return ProtectionRefusal(error: error, limit: "load_shed")
        }
        guard routeClass == .expensive else { return nil }
        let address = ClientAddress.resolve(peerAddress: connection.address, headers: head.headers, trustedProxies: core.trustedProxies)
        let token = BearerCredentials.token(in: head.headers["Authorization"])
        guard case .limited(let scope, let retryAfter) = core.rateLimiter.check(token: token, address: address, now: now) else {
            return nil
        }
        core.metrics.protection.rateLimited(scope)
        let error = HTTPError(status: .tooManyRequests, code: "rate_limited",
                              detail: "too many requests to this resource from this \(scope == .token ? "token" : "address"); retry later",
                              headers: ["Retry-After": String(retryAfter)])
        return ProtectionRefusal(error: error, limit: "rate_limited")
    }

    /// Reserves the body's bytes in the server-wide budget: its `Content-Length`, or the route's cap for a
    /// chunked body, never more than the whole budget (so one large request alone is always served).
    /// Nil when reserved; the refusal when the budget is spent.
    func reserveBodyBytes(_ connection: Connection, framing: BodyFraming, cap: Int) -> ProtectionRefusal? {
        let wanted: Int
        switch framing {
        case .none: return nil
        case .contentLength(let length): wanted = length
        case .chunked: wanted = cap
        }
        let bytes = min(wanted, core.bodyBudget.bytesMax)
        guard core.bodyBudget.reserve(bytes) else {
            core.metrics.protection.bodyBudgetRefused.wrappingAdd(1, ordering: .relaxed)
            let retryAfter = configuration.protection.bodyBudgetRetryAfterSeconds
            let error = HTTPError(status: .serviceUnavailable, code: "body_budget_exhausted",
                                  detail: "the server is receiving too many request bodies at once; retry shortly",
                                  headers: ["Retry-After": String(retryAfter)])
            return ProtectionRefusal(error: error, limit: "body_budget")
        }
        connection.bodyBytesReserved = bytes
        return nil
    }

    /// Gives the current request's body bytes back to the budget (response queued, or connection closed).
    func releaseBodyBytes(_ connection: Connection) {
        guard connection.bodyBytesReserved > 0 else { return }
        core.bodyBudget.release(connection.bodyBytesReserved)
        connection.bodyBytesReserved = 0
    }
}
