import Glibc
import Testing
@testable import HTTP

@Suite("Access log, metrics, ids and clocks")
struct ObservabilityTests {
    @Test("dates format as IMF-fixdate and ISO 8601 UTC")
    func dates() {
        #expect(TimeFormatting.httpDate(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(TimeFormatting.httpDate(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(TimeFormatting.iso8601(unixMilliseconds: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(TimeFormatting.iso8601(unixMilliseconds: 1_767_225_599_999) == "2025-12-31T23:59:59.999Z")
        #expect(TimeFormatting.iso8601(unixMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(TimeFormatting.httpDate(unixSeconds: 4_107_542_400) == "Mon, 01 Mar 2100 00:00:00 GMT")
    }

    @Test("an access-log line is one JSON object with the route template")
    func accessLogLine() {
        let entry = AccessLogEntry(timeMilliseconds: 784_111_777_042, requestId: "r\"1", method: "GET",
                                   route: "/v1/invoices/{id}", status: 200, bytes: 17, durationMicroseconds: 1_234_567)
        #expect(entry.jsonLine == #"{"time":"1994-11-06T08:49:37.042Z","request_id":"r\"1","method":"GET","#
            + #""route":"/v1/invoices/{id}","status":200,"bytes":17,"duration_ms":1234.567}"#)
    }

    @Test("the buffered writer emits whole lines only when flushed (or when the batch is full)")
    func bufferedWriter() throws {
        var descriptors: [Int32] = [-1, -1]
        #expect(pipe(&descriptors) == 0)
        defer { descriptors.forEach { _ = close($0) } }
        _ = fcntl(descriptors[0], F_SETFL, O_NONBLOCK)
        let writer = BufferedLineWriter(descriptor: descriptors[1])
        let entry = AccessLogEntry(timeMilliseconds: 0, requestId: "r", method: "GET", route: "/health", status: 200,
                                   bytes: 2, durationMicroseconds: 5)
        writer.append(entry)
        writer.append(entry)
        var buffer = [UInt8](repeating: 0, count: 4_096)
        #expect(read(descriptors[0], &buffer, buffer.count) == -1, "nothing is written before the flush")
        writer.flush()
        let count = read(descriptors[0], &buffer, buffer.count)
        let text = String(decoding: buffer[0..<max(count, 0)], as: UTF8.self)
        #expect(text == entry.jsonLine + "\n" + entry.jsonLine + "\n")
        #expect(entry.jsonLine.hasSuffix(#""duration_ms":0.005}"#))
    }

    @Test("request ids are 24 hex digits, ordered by time; incoming ids are checked")
    func requestIds() {
        let first = RequestID.make(wallMilliseconds: 1_000)
        let second = RequestID.make(wallMilliseconds: 2_000)
        #expect(first.utf8.count == 24 && first.allSatisfy(\.isHexDigit))
        #expect(first < second)
        #expect(first.hasPrefix("0000000003e8"))
        #expect(RequestID.make() != RequestID.make())
        #expect(RequestID.isAcceptable("abc-DEF_1.2"))
        #expect(RequestID.isAcceptable(String(repeating: "a", count: 64)))
        #expect(!RequestID.isAcceptable(String(repeating: "a", count: 65)))
        #expect(!RequestID.isAcceptable(""))
        #expect(!RequestID.isAcceptable("a b"))
        #expect(!RequestID.isAcceptable("a\"b"))
        #expect(!RequestID.isAcceptable("ü"))
    }

    @Test("metrics render counters, histograms and gauges in Prometheus text format")
    func prometheus() {
        let metrics = HTTPMetrics()
        metrics.attach(templates: ["/health", "/v1/invoices/{id}"])
        metrics.registerGauge(name: "db_pool_in_use", help: "Connections checked out.\nNow.") { 3 }
        let shard = metrics.makeShard()
        shard.record(templateIndex: 0, method: .get, status: 200, durationNanoseconds: 500_000)
        shard.record(templateIndex: 0, method: .get, status: 200, durationNanoseconds: 2_000_000)
        shard.record(templateIndex: 1, method: .post, status: 405, durationNanoseconds: 20_000_000_000)
        let other = metrics.makeShard()
        other.record(templateIndex: -1, method: HTTPMethod("BREW"), status: 404, durationNanoseconds: 100_000)
        other.record(templateIndex: 0, method: .get, status: 200, durationNanoseconds: 1_000_000)
        let text = metrics.renderPrometheus()
        #expect(text.contains("# TYPE http_requests_total counter\n"))
        #expect(text.contains("http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 3\n"))
        #expect(text.contains("http_requests_total{route=\"/v1/invoices/{id}\",method=\"POST\",status=\"405\"} 1\n"))
        #expect(text.contains("http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1\n"))
        #expect(text.contains("# TYPE http_request_duration_seconds histogram\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/health\",le=\"0.001\"} 2\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/health\",le=\"0.0025\"} 3\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 3\n"))
        #expect(text.contains("http_request_duration_seconds_count{route=\"/health\"} 3\n"))
        #expect(text.contains("http_request_duration_seconds_sum{route=\"/health\"} 0.0035\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/v1/invoices/{id}\",le=\"10\"} 0\n"))
        #expect(text.contains("http_request_duration_seconds_bucket{route=\"/v1/invoices/{id}\",le=\"+Inf\"} 1\n"))
        #expect(text.contains("# HELP db_pool_in_use Connections checked out.\\nNow.\n# TYPE db_pool_in_use gauge\ndb_pool_in_use 3\n"))
        #expect(text.contains("http_open_connections 0\n"))
        #expect(!text.contains("BREW"))
        let response = metrics.prometheusResponse()
        #expect(response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("# HELP http_requests_total"))
    }

    @Test("label values are escaped")
    func labelEscaping() {
        #expect(PrometheusText.escapeLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }
}
