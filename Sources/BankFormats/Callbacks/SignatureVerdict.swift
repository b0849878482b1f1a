/// The result of checking a callback's authenticity: accepted, or exactly why not, for the audit log.
/// Never carries a secret or a received signature.
public enum SignatureVerdict: Equatable, Sendable, CustomStringConvertible {
    /// `secretIndex` is the position of the matching secret in `CallbackCredentials.secrets`
    /// (tells when the old secret of a rotation is still in use).
    case accepted(secretIndex: Int)
    case refused(SignatureRefusal)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .accepted(let index): return "accepted (secret #\(index))"
        case .refused(let refusal): return "refused: \(refusal)"
        }
    }
}

public enum SignatureRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The connection has no secret: nothing can be verified (a configuration fault, refused all the same).
    case noSecretConfigured
    case tooManySecrets(count: Int, limit: Int)
    /// The connection lacks a parameter the scheme signs (e.g. MoMo `accessKey`).
    case missingConnectionParameter(String)
    case missingHeader(String)
    case duplicateHeader(String)
    case malformedHeader(String, reason: String)
    /// The body or query lacks the field carrying the signature.
    case missingSignatureField(String)
    case duplicateSignatureField(String)
    case malformedSignature(String, reason: String)
    /// A value the signed message is built from is missing or of the wrong kind.
    case unsignableField(String, reason: String)
    /// The body cannot be parsed, so the signed message cannot be rebuilt.
    case unreadableBody(String)
    /// Signed correctly but too old: a replay or a sender's clock far behind.
    case staleTimestamp(ageSeconds: Int64, toleranceSeconds: Int64)
    /// Signed correctly but too far ahead: a sender's clock far ahead.
    case futureTimestamp(aheadSeconds: Int64, toleranceSeconds: Int64)
    case badSignature

    public var description: String {
        switch self {
        case .noSecretConfigured: return "no secret is configured for this connection"
        case .tooManySecrets(let count, let limit): return "\(count) secrets configured, at most \(limit) are tried"
        case .missingConnectionParameter(let name): return "connection parameter '\(name)' is not configured"
        case .missingHeader(let name): return "header \(name) is missing"
        case .duplicateHeader(let name): return "header \(name) appears more than once"
        case .malformedHeader(let name, let reason): return "header \(name) is malformed: \(reason)"
        case .missingSignatureField(let name): return "signature field '\(name)' is missing"
        case .duplicateSignatureField(let name): return "signature field '\(name)' appears more than once"
        case .malformedSignature(let name, let reason): return "signature in '\(name)' is malformed: \(reason)"
        case .unsignableField(let path, let reason): return "signed field '\(path)': \(reason)"
        case .unreadableBody(let reason): return "body cannot be read: \(reason)"
        case .staleTimestamp(let age, let tolerance): return "timestamp is \(age) s old (tolerance \(tolerance) s)"
        case .futureTimestamp(let ahead, let tolerance): return "timestamp is \(ahead) s ahead (tolerance \(tolerance) s)"
        case .badSignature: return "signature does not match any configured secret"
        }
    }
}
