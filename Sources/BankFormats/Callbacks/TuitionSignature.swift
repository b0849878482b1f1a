import Crypto
import Foundation

/// Our own scheme, for banks that integrate directly (provider id `tuition`, described in docs/callbacks.md):
/// `Tuition-Signature: t=UNIX_SECONDS,v1=HEX` with HEX = lower-case HMAC-SHA256(secret, `t + "." + body`),
/// refused outside ±300 s. Several `v1=` items may be sent while the bank rotates its secret.
public enum TuitionSignature {
    public static let header = "Tuition-Signature"
    public static let toleranceSeconds: Int64 = 300

    public static let scheme = TimestampedHMACScheme(
        algorithm: .sha256, signatureHeader: header, layout: .keyedItems(timestampKey: "t", signatureKey: "v1"),
        timestampUnit: .seconds, toleranceSeconds: toleranceSeconds, signedBody: .raw, hexCase: .lower)

    /// The `Tuition-Signature` header value for `body` sent at `timestamp` (Unix seconds).
    public static func sign(secret: CallbackSecret, timestamp: Int64, body: [UInt8]) -> String {
        precondition(timestamp >= 0, "timestamps are non-negative")
        precondition(body.count <= CallbackLimits.bodyBytesMax, "callback bodies are at most \(CallbackLimits.bodyBytesMax) bytes")
        let message = Array("\(timestamp).".utf8) + body
        return "t=\(timestamp),v1=" + Hex.encode(HMACDigest.sha256(key: secret.bytes, message: message))
    }

    /// The verdict on a request under our scheme, trying every secret.
    public static func verify(_ request: CallbackRequest, secrets: [CallbackSecret], now: Date) -> SignatureVerdict {
        SignatureScheme.timestampedHMAC(scheme).verify(request, credentials: CallbackCredentials(secrets: secrets), now: now)
    }
}
