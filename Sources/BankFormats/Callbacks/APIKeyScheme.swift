import Crypto

/// A shared key sent as is: SePay's `Authorization: Apikey KEY`.
///
/// The received key and each secret are compared through their SHA-256 digests, so the comparison
/// takes the same time whatever their lengths and wherever they differ.
public struct APIKeyScheme: Equatable, Sendable {
    public var header: String
    /// Text before the key, matched ASCII case-insensitively (`Apikey `); empty when the header is the bare key.
    public var prefix: String

    public init(header: String, prefix: String) {
        self.header = header
        self.prefix = prefix
    }

    func authenticate(_ request: CallbackRequest, secrets: [CallbackSecret]) throws(SignatureRefusal) -> Int {
        let value = try SignatureMatcher.singleHeader(request, header)
        guard value.utf8.count > prefix.utf8.count,
              value.utf8.prefix(prefix.utf8.count).lowercased() == prefix.utf8.lowercased() else {
            throw SignatureRefusal.malformedHeader(header, reason: prefix.isEmpty ? "empty" : "does not start with '\(prefix)' and a key")
        }
        let received = SHA256Digest.hash(Array(value.utf8.dropFirst(prefix.utf8.count)))
        var matched: Int?
        for (index, secret) in secrets.enumerated() where ConstantTime.equal(SHA256Digest.hash(secret.bytes), received) {
            if matched == nil { matched = index }
        }
        guard let matched else { throw SignatureRefusal.badSignature }
        return matched
    }
}

private extension Sequence where Element == UInt8 {
    /// ASCII lower-casing of raw bytes (other bytes unchanged).
    func lowercased() -> [UInt8] {
        map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
    }
}
