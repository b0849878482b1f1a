import Glibc
import Synchronization

/// One access-log record: what was asked (by route template, never the raw path) and how it ended.
public struct AccessLogEntry: Sendable, Equatable {
    /// Unix milliseconds, UTC, when the response was queued.
    public var timeMilliseconds: Int64
    public var requestId: String
    /// The request method, or `-` when the request line could not be parsed.
    public var method: String
    /// The matched route template, or `unmatched`.
    public var route: String
    public var status: Int
    /// Body bytes of the response (0 for HEAD).
    public var bytes: Int
    /// From the complete head (or the first byte, for requests refused earlier) to the response being queued.
    public var durationMicroseconds: Int64
    /// The flood protection that refused the request (`load_shed`, `rate_limited`, `body_budget`); nil otherwise.
    public var limit: String?

    public init(
        timeMilliseconds: Int64, requestId: String, method: String, route: String, status: Int, bytes: Int,
        durationMicroseconds: Int64, limit: String? = nil
    ) {
        self.timeMilliseconds = timeMilliseconds
        self.requestId = requestId
        self.method = method
        self.route = route
        self.status = status
        self.bytes = bytes
        self.durationMicroseconds = durationMicroseconds
        self.limit = limit
    }

    /// `{"time":"…Z","request_id":"…","method":"GET","route":"/health","status":200,"bytes":2,"duration_ms":0.042}`,
    /// with `"limit":"load_shed"` (or `rate_limited`, `body_budget`) when a flood protection refused the request.
    public var jsonLine: String {
        var json: [UInt8] = []
        appendJSON(to: &json)
        return String(decoding: json, as: UTF8.self)
    }

    /// Appends the JSON object (without a newline) to `json`.
    func appendJSON(to json: inout [UInt8]) {
        json.reserveCapacity(json.count + 192)
        json.append(contentsOf: #"{"time":""#.utf8)
        TimeFormatting.appendISO8601(unixMilliseconds: timeMilliseconds, to: &json)
        json.append(UInt8(ascii: "\""))
        JSONText.appendMember(&json, "request_id", string: requestId)
        JSONText.appendMember(&json, "method", string: method)
        JSONText.appendMember(&json, "route", string: route)
        JSONText.appendMember(&json, "status", integer: status)
        JSONText.appendMember(&json, "bytes", integer: bytes)
        JSONText.appendName(&json, "duration_ms", first: false)
        let micros = max(durationMicroseconds, 0)
        ResponseSerializer.appendDecimal(Int(micros / 1_000), to: &json)
        json.append(UInt8(ascii: "."))
        TimeFormatting.appendDigits(Int(micros % 1_000), width: 3, to: &json)
        if let limit { JSONText.appendMember(&json, "limit", string: limit) }
        json.append(UInt8(ascii: "}"))
    }
}

/// Where access-log entries go. Both closures are called on event-loop threads: they must be quick and must
/// not block for long. `flush` is called once per event-loop wake-up in which entries were recorded.
public struct AccessLogSink: Sendable {
    public let record: @Sendable (AccessLogEntry) -> Void
    public let flush: @Sendable () -> Void

    public init(flush: @escaping @Sendable () -> Void = {}, _ record: @escaping @Sendable (AccessLogEntry) -> Void) {
        self.record = record
        self.flush = flush
    }

    /// JSON lines on standard output. Entries are formatted into a shared buffer under a lock and written
    /// when a loop finishes its batch of events (or the buffer fills): one `write` per wake-up instead of one per
    /// request. Lines never interleave, and none waits longer than one loop iteration.
    public static let standardOutput: AccessLogSink = {
        let writer = BufferedLineWriter(descriptor: 1)
        return AccessLogSink(flush: { writer.flush() }) { entry in writer.append(entry) }
    }()
}

/// Server-side error messages.
public enum ServerLog {
    /// One JSON line per message on standard error, account numbers and tokens masked.
    public static let standardError: @Sendable (String) -> Void = { message in
        var json: [UInt8] = [UInt8(ascii: "{")]
        let time = TimeFormatting.iso8601(unixMilliseconds: Clock.wallMilliseconds())
        JSONText.appendMember(&json, "time", string: time, first: true)
        JSONText.appendMember(&json, "level", string: "error")
        JSONText.appendMember(&json, "component", string: "http")
        JSONText.appendMember(&json, "message", string: LogRedaction.mask(message))
        json.append(UInt8(ascii: "}"))
        LineWriter.standardError.write(String(decoding: json, as: UTF8.self))
    }
}

/// Collects access-log lines and writes them in batches; the lock is held across the write so that batches
/// from different loops never interleave, even on a pipe.
final class BufferedLineWriter: Sendable {
    /// A batch this large is written at once rather than at the end of the loop iteration.
    static let batchBytesMax = 64 * 1024

    private let descriptor: Int32
    private let buffer = Mutex<[UInt8]>([])

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func append(_ entry: AccessLogEntry) {
        buffer.withLock { bytes in
            entry.appendJSON(to: &bytes)
            bytes.append(0x0A)
            if bytes.count >= Self.batchBytesMax { LineWriter.writeAll(descriptor, bytes, clearing: &bytes) }
        }
    }

    func flush() {
        buffer.withLock { bytes in
            if !bytes.isEmpty { LineWriter.writeAll(descriptor, bytes, clearing: &bytes) }
        }
    }
}

/// Writes whole lines to a descriptor; a lock keeps lines from different threads apart.
final class LineWriter: Sendable {
    static let standardOutput = LineWriter(descriptor: 1)
    static let standardError = LineWriter(descriptor: 2)

    private let descriptor: Int32
    private let lock = Mutex<Void>(())

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        lock.withLock { _ in
            Self.writeAll(descriptor, bytes, clearing: &bytes)
        }
    }

    /// Writes `bytes` completely, then empties `clearing`. A log that cannot be written (closed pipe, full
    /// disk) is dropped: it must not stop the server.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], clearing: inout [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let written = try? SystemCall.run("write", {
                    Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                }), written > 0 else { return }
                offset += written
            }
        }
        clearing.removeAll(keepingCapacity: true)
    }
}
