import Crypto
import Foundation

/// Mutual TLS bound to a collection connection: a connection configured with the SHA-256
/// fingerprint of the bank's client certificate (connection parameter `clientCertificateSHA256`)
/// accepts a request only when the certificate verified in that request's own TLS session has this
/// fingerprint, on top of the provider's signature or token. Anything else is refused with the
/// provider's authentication code before the signature is checked.
public enum CollectionClientCertificates {
    /// The connection parameter holding the pinned fingerprint: 64 lower-case hex digits once normalised.
    public static let parameter = "clientCertificateSHA256"
    static let fingerprintHexDigits = 64

    /// A fingerprint as `openssl x509 -fingerprint -sha256` prints it (`AB:CD:...`, either case) or as
    /// plain hex, normalised to lower-case hex; nil when it is not 32 bytes of hex.
    public static func normalized(_ text: String) -> String? {
        let digits = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: "").lowercased()
        guard digits.utf8.count == fingerprintHexDigits,
              digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return digits
    }

    /// A connection's parameters as they may be stored: the fingerprint normalised, or why it cannot be.
    public static func validated(_ parameters: [String: String]) throws(CollectionParameterError) -> [String: String] {
        guard let text = parameters[parameter] else { return parameters }
        guard let fingerprint = normalized(text) else {
            throw CollectionParameterError(description: "\(parameter): '\(text.prefix(100))' is not a SHA-256 fingerprint (64 hex digits, colons allowed)")
        }
        var normalised = parameters
        normalised[parameter] = fingerprint
        return normalised
    }

    /// Whether a request may use `route`: always when the connection pins no certificate, else only with the
    /// pinned certificate in this TLS session, compared in constant time.
    static func matches(_ presented: String?, route: CallbackRoute) -> Bool {
        guard let pinned = route.credentials.parameters[parameter] else { return true }
        guard let presented else { return false }
        // Normalised when stored; normalised again here so a row written by hand cannot turn a match into a refusal.
        guard let expected = normalized(pinned) else { return false }
        return ConstantTime.equal(Array(expected.utf8), Array(presented.lowercased().utf8))
    }
}

/// A connection parameter that cannot be stored as given.
public struct CollectionParameterError: Error, Equatable, CustomStringConvertible {
    public let description: String
}
