/// Operating errors of the Crypto module. Programmer errors (a digest OpenSSL cannot compute) stop the program instead.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `RAND_bytes` could not produce bytes (the generator is not seeded or failed).
    case randomUnavailable
    /// A hex text was not an even number of hex digits of the accepted case.
    case invalidHex(String)
    /// A base64url text was not canonical unpadded base64url.
    case invalidBase64URL(String)

    public var description: String {
        switch self {
        case .randomUnavailable: return "the secure random generator is unavailable"
        case .invalidHex(let reason): return "invalid hex: \(reason)"
        case .invalidBase64URL(let reason): return "invalid base64url: \(reason)"
        }
    }
}
