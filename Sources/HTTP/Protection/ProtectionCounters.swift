import Synchronization

/// What the flood protections refused or evicted, for `/metrics`. Counted from every event loop.
final class ProtectionCounters: Sendable {
    let connectionsRefusedPerAddress = Atomic<Int>(0)
    let connectionsRefusedNewPerAddress = Atomic<Int>(0)
    let connectionsEvicted = Atomic<Int>(0)
    let rateLimitedByToken = Atomic<Int>(0)
    let rateLimitedByAddress = Atomic<Int>(0)
    let shedExpensive = Atomic<Int>(0)
    let shedStandard = Atomic<Int>(0)
    let bodyBudgetRefused = Atomic<Int>(0)
    let connectionsHeld = Atomic<Int>(0)

    func shed(_ routeClass: RouteClass) {
        switch routeClass {
        case .expensive: shedExpensive.wrappingAdd(1, ordering: .relaxed)
        case .standard: shedStandard.wrappingAdd(1, ordering: .relaxed)
        case .critical: preconditionFailure("critical requests are never shed")
        }
    }

    func rateLimited(_ scope: RequestRateTable.Scope) {
        switch scope {
        case .token: rateLimitedByToken.wrappingAdd(1, ordering: .relaxed)
        case .address: rateLimitedByAddress.wrappingAdd(1, ordering: .relaxed)
        }
    }

    func render(into text: inout PrometheusText) {
        let refused = "http_connections_refused_per_address_total"
        text.header(refused, help: "New connections refused by the per-address limits, by reason.", type: "counter")
        text.sample(refused, labels: [("reason", "connections")], value: Double(connectionsRefusedPerAddress.load(ordering: .relaxed)))
        text.sample(refused, labels: [("reason", "new_connections")], value: Double(connectionsRefusedNewPerAddress.load(ordering: .relaxed)))
        text.counter("http_connections_evicted_total",
                     help: "Connections without a complete request closed at the connection cap to admit a new one.",
                     value: Double(connectionsEvicted.load(ordering: .relaxed)))
        let limited = "http_requests_rate_limited_total"
        text.header(limited, help: "Requests to expensive routes answered 429, by the bucket that was empty.", type: "counter")
        text.sample(limited, labels: [("scope", "token")], value: Double(rateLimitedByToken.load(ordering: .relaxed)))
        text.sample(limited, labels: [("scope", "address")], value: Double(rateLimitedByAddress.load(ordering: .relaxed)))
        let shed = "http_requests_shed_total"
        text.header(shed, help: "Requests answered 503 because the worker queue was long, by route class.", type: "counter")
        text.sample(shed, labels: [("class", "expensive")], value: Double(shedExpensive.load(ordering: .relaxed)))
        text.sample(shed, labels: [("class", "standard")], value: Double(shedStandard.load(ordering: .relaxed)))
        text.counter("http_body_budget_refused_total", help: "Requests answered 503 because the body-byte budget was spent.",
                     value: Double(bodyBudgetRefused.load(ordering: .relaxed)))
        text.counter("http_connections_held_total",
                     help: "Times a connection was held (not read) because its address drew more refusals than its budget.",
                     value: Double(connectionsHeld.load(ordering: .relaxed)))
    }
}
