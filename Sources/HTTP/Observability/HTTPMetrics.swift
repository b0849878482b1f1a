import Synchronization

/// Request counters, latency histograms and gauges, rendered in the Prometheus text format.
///
/// Labels come only from route templates, a fixed list of method names (others are `other`) and status codes, so
/// clients cannot create label values. Each event loop records into its own shard under an uncontended lock;
/// rendering merges the shards.
public final class HTTPMetrics: Sendable {
    /// Upper bounds of the latency histogram buckets, in seconds.
    public static let latencyBucketsSeconds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let unmatchedRoute = "unmatched"

    private struct Gauge: Sendable {
        let name: String
        let help: String
        let value: @Sendable () -> Double
    }

    private struct Registry: Sendable {
        var templates: [String]?
        var shards: [MetricsShard] = []
        var gauges: [Gauge] = []
    }

    private let registry = Mutex(Registry())
    let openConnections = Atomic<Int>(0)
    let rejectedConnections = Atomic<Int>(0)
    /// Refusals and evictions of the flood protections.
    let protection = ProtectionCounters()
    /// Requests of loop-first routes taken on the event loop, and handed on to a worker.
    let loopFirstTaken = Atomic<Int>(0)
    let loopFirstHandedOn = Atomic<Int>(0)

    public init() {}

    /// Adds a gauge read at every scrape (e.g. the database pool's connections in use and waiters).
    /// `name` must be a valid metric name and unique; `value` must be quick and must not block.
    public func registerGauge(name: String, help: String, value: @escaping @Sendable () -> Double) {
        precondition(Self.isMetricName(name), "'\(name)' is not a valid metric name")
        registry.withLock { registry in
            precondition(!registry.gauges.contains { $0.name == name }, "gauge '\(name)' is registered twice")
            registry.gauges.append(Gauge(name: name, help: help, value: value))
        }
    }

    /// Requests of loop-first routes (`Router.addDeferred(_:_:options:onLoop:)`) taken on the event loop
    /// without a worker, and handed on to one.
    public var loopFirstRequests: (onLoop: Int, handedOn: Int) {
        (loopFirstTaken.load(ordering: .relaxed), loopFirstHandedOn.load(ordering: .relaxed))
    }

    /// Connections open right now.
    public var openConnectionCount: Int { openConnections.load(ordering: .relaxed) }

    func attach(templates: [String]) {
        registry.withLock { registry in
            precondition(registry.templates == nil, "one HTTPMetrics serves one HTTPServer")
            registry.templates = templates
        }
    }

    func makeShard() -> MetricsShard {
        let shard = MetricsShard(bucketCount: Self.latencyBucketsSeconds.count)
        registry.withLock { $0.shards.append(shard) }
        return shard
    }

    /// A `/metrics` response: `router.add(.get, "/metrics", options: .inline) { _ in metrics.prometheusResponse() }`.
    public func prometheusResponse() -> Response {
        .text(renderPrometheus(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// The exposition text (`text/plain; version=0.0.4`).
    public func renderPrometheus() -> String {
        let (templates, shards, gauges) = registry.withLock { ($0.templates ?? [], $0.shards, $0.gauges) }
        var merged = ShardState(bucketCount: Self.latencyBucketsSeconds.count)
        for shard in shards { shard.merge(into: &merged) }
        var text = PrometheusText()
        renderRequests(merged, templates: templates, into: &text)
        renderLatency(merged, templates: templates, into: &text)
        text.gauge("http_open_connections", help: "Open HTTP connections.", value: Double(openConnectionCount))
        text.counter("http_connections_rejected_total", help: "Connections refused with 503 over the connection cap.",
                     value: Double(rejectedConnections.load(ordering: .relaxed)))
        protection.render(into: &text)
        let loopFirst = "http_loop_first_requests_total"
        text.header(loopFirst, help: "Requests of loop-first routes, by where their handler finished with them.", type: "counter")
        text.sample(loopFirst, labels: [("where", "loop")], value: Double(loopFirstTaken.load(ordering: .relaxed)))
        text.sample(loopFirst, labels: [("where", "worker")], value: Double(loopFirstHandedOn.load(ordering: .relaxed)))
        for gauge in gauges {
            text.gauge(gauge.name, help: gauge.help, value: gauge.value())
        }
        return text.output
    }

    private func renderRequests(_ merged: ShardState, templates: [String], into text: inout PrometheusText) {
        text.header("http_requests_total", help: "HTTP requests answered, by route template, method and status.", type: "counter")
        let keys = merged.counts.keys.sorted {
            ($0.templateIndex, $0.methodIndex, $0.status) < ($1.templateIndex, $1.methodIndex, $1.status)
        }
        for key in keys {
            let labels = [("route", Self.label(key.templateIndex, templates)),
                          ("method", MetricsShard.methodLabels[Int(key.methodIndex)]), ("status", String(key.status))]
            text.sample("http_requests_total", labels: labels, value: Double(merged.counts[key]!))
        }
    }

    private func renderLatency(_ merged: ShardState, templates: [String], into text: inout PrometheusText) {
        let name = "http_request_duration_seconds"
        text.header(name, help: "Time from a complete request head to the response being queued.", type: "histogram")
        for templateIndex in merged.histograms.keys.sorted() {
            let histogram = merged.histograms[templateIndex]!
            let route = Self.label(templateIndex, templates)
            var cumulative: UInt64 = 0
            for (bound, count) in zip(Self.latencyBucketsSeconds, histogram.buckets) {
                cumulative += count
                text.sample(name + "_bucket", labels: [("route", route), ("le", PrometheusText.number(bound))],
                            value: Double(cumulative))
            }
            text.sample(name + "_bucket", labels: [("route", route), ("le", "+Inf")], value: Double(histogram.count))
            text.sample(name + "_sum", labels: [("route", route)], value: Double(histogram.sumNanoseconds) / 1e9)
            text.sample(name + "_count", labels: [("route", route)], value: Double(histogram.count))
        }
    }

    private static func label(_ templateIndex: Int, _ templates: [String]) -> String {
        templates.indices.contains(templateIndex) ? templates[templateIndex] : unmatchedRoute
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
        }
    }
}

struct CounterKey: Hashable, Sendable {
    var templateIndex: Int
    var methodIndex: UInt8
    var status: UInt16
}

struct Histogram: Sendable {
    var buckets: [UInt64]
    var count: UInt64 = 0
    var sumNanoseconds: UInt64 = 0

    /// `bucket` nil: above the largest bound (counted only in `+Inf`).
    mutating func add(bucket: Int?, durationNanoseconds: UInt64) {
        if let bucket { buckets[bucket] += 1 }
        count += 1
        sumNanoseconds &+= durationNanoseconds
    }
}

struct ShardState: Sendable {
    var counts: [CounterKey: UInt64] = [:]
    var histograms: [Int: Histogram] = [:]
    let bucketCount: Int

    init(bucketCount: Int) { self.bucketCount = bucketCount }
}

/// One event loop's counters. The lock is taken by its loop per request and by a scrape: uncontended.
final class MetricsShard: Sendable {
    static let methodLabels = HTTPMethod.known.map(\.rawValue) + ["other"]
    private static let bucketBoundsNanoseconds = HTTPMetrics.latencyBucketsSeconds.map { UInt64($0 * 1e9) }

    private let state: Mutex<ShardState>

    init(bucketCount: Int) {
        state = Mutex(ShardState(bucketCount: bucketCount))
    }

    static func methodIndex(_ method: HTTPMethod?) -> UInt8 {
        guard let method, let index = HTTPMethod.known.firstIndex(of: method) else { return UInt8(HTTPMethod.known.count) }
        return UInt8(index)
    }

    /// `templateIndex` -1 means unmatched.
    func record(templateIndex: Int, method: HTTPMethod?, status: Int, durationNanoseconds: UInt64) {
        let key = CounterKey(templateIndex: templateIndex, methodIndex: Self.methodIndex(method), status: UInt16(status))
        let bucket = Self.bucketBoundsNanoseconds.firstIndex { durationNanoseconds <= $0 }
        state.withLock { state in
            state.counts[key, default: 0] += 1
            let bucketCount = state.bucketCount
            state.histograms[templateIndex, default: Histogram(buckets: [UInt64](repeating: 0, count: bucketCount))]
                .add(bucket: bucket, durationNanoseconds: durationNanoseconds)
        }
    }

    func merge(into merged: inout ShardState) {
        state.withLock { state in
            for (key, count) in state.counts { merged.counts[key, default: 0] += count }
            for (index, histogram) in state.histograms {
                var target = merged.histograms[index] ?? Histogram(buckets: [UInt64](repeating: 0, count: merged.bucketCount))
                for bucket in histogram.buckets.indices { target.buckets[bucket] += histogram.buckets[bucket] }
                target.count += histogram.count
                target.sumNanoseconds &+= histogram.sumNanoseconds
                merged.histograms[index] = target
            }
        }
    }
}

/// Prometheus text exposition format 0.0.4.
struct PrometheusText {
    private(set) var output = ""

    mutating func header(_ name: String, help: String, type: String) {
        output += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, labels: [(String, String)], value: Double) {
        output += name
        if !labels.isEmpty {
            output += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        output += " \(Self.number(value))\n"
    }

    mutating func gauge(_ name: String, help: String, value: Double) {
        header(name, help: help, type: "gauge")
        sample(name, labels: [], value: value)
    }

    mutating func counter(_ name: String, help: String, value: Double) {
        header(name, help: help, type: "counter")
        sample(name, labels: [], value: value)
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func escapeHelp(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
