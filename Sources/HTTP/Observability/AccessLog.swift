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

    public init(
        timeMilliseconds: Int64, requestId: String, method: String, route: String, status: Int, bytes: Int,
        durationMicroseconds: Int64
    ) {
        self.timeMilliseconds = timeMilliseconds
        self.requestId = requestId
        self.method = method
        self.route = route
        self.status = status
        self.bytes = bytes
        self.durationMicroseconds = durationMicroseconds
    }

    /// `{"time":"…Z","request_id":"…","method":"GET","route":"/health","status":200,"bytes":2,"duration_ms":0.042}`
    public var jsonLine: String {
        var json: [UInt8] = []
        json.reserveCapacity(192)
        json.append(UInt8(ascii: "{"))
        JSONText.appendMember(&json, "time", string: TimeFormatting.iso8601(unixMilliseconds: timeMilliseconds), first: true)
        JSONText.appendMember(&json, "request_id", string: requestId)
        JSONText.appendMember(&json, "method", string: method)
        JSONText.appendMember(&json, "route", string: route)
        JSONText.appendMember(&json, "status", integer: status)
        JSONText.appendMember(&json, "bytes", integer: bytes)
        JSONText.appendName(&json, "duration_ms", first: false)
        let micros = max(durationMicroseconds, 0)
        json.append(contentsOf: "\(micros / 1_000).\(TimeFormatting.pad(Int(micros % 1_000), 3))".utf8)
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }
}

/// Where access-log entries go. Called on event-loop threads: it must be quick and must not block for long.
public struct AccessLogSink: Sendable {
    public let record: @Sendable (AccessLogEntry) -> Void

    public init(_ record: @escaping @Sendable (AccessLogEntry) -> Void) {
        self.record = record
    }

    /// JSON lines on standard output, one `write` per line under a lock (lines never interleave).
    public static let standardOutput = AccessLogSink { entry in
        LineWriter.standardOutput.write(entry.jsonLine)
    }
}

/// Server-side error messages.
public enum ServerLog {
    /// One JSON line per message on standard error.
    public static let standardError: @Sendable (String) -> Void = { message in
        var json: [UInt8] = [UInt8(ascii: "{")]
        let time = TimeFormatting.iso8601(unixMilliseconds: Clock.wallMilliseconds())
        JSONText.appendMember(&json, "time", string: time, first: true)
        JSONText.appendMember(&json, "level", string: "error")
        JSONText.appendMember(&json, "component", string: "http")
        JSONText.appendMember(&json, "message", string: message)
        json.append(UInt8(ascii: "}"))
        LineWriter.standardError.write(String(decoding: json, as: UTF8.self))
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
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    // A log that cannot be written (closed pipe, full disk) must not stop the server.
                    guard let written = try? SystemCall.run("write", {
                        Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    }), written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
