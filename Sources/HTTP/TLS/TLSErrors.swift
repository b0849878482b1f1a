import COpenSSL

/// A TLS context could not be built from the configured files; the message names the file and OpenSSL's reason.
public struct TLSConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The file at fault, when there is one.
    public let file: String?
    /// What was being done and why it failed.
    public let reason: String

    public var description: String {
        file.map { "TLS: \(reason) (file '\($0)')" } ?? "TLS: \(reason)"
    }
}

/// A TLS failure on one connection (a failed handshake, a bad record, an alert from the peer).
struct TLSConnectionError: Error, CustomStringConvertible {
    let operation: String
    let reason: String

    var description: String { "TLS \(operation) failed: \(reason)" }
}

/// OpenSSL's per-thread error queue. Connections of one event loop share the loop's thread, so the queue is
/// cleared before every TLS operation and emptied when one fails: an error never leaks into another connection.
enum OpenSSLErrorQueue {
    /// Entries described before the rest is discarded.
    static let entriesDescribedMax = 4

    /// Describes and clears the queued errors; `fallback` when the queue is empty.
    static func drain(fallback: String) -> String {
        var reasons: [String] = []
        while reasons.count < entriesDescribedMax {
            let code = ERR_get_error()
            guard code != 0 else { break }
            reasons.append(describe(code))
        }
        ERR_clear_error()
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }

    private static func describe(_ code: UInt) -> String {
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
