import Core
import Crypto

/// payOS: HMAC over the members of the JSON object at `dataPath`, sorted by key, written `k=v` and joined by `&`.
/// Values are not URL-encoded: strings as is, numbers exactly as written, booleans `true`/`false`, `null` empty.
/// Nested arrays or objects are refused (payOS signs a flat object).
public struct SortedFieldsHMACScheme: Equatable, Sendable {
    public var algorithm: HMACAlgorithm
    public var dataPath: CallbackFieldPath
    public var signaturePath: CallbackFieldPath
    public var hexCase: Hex.LetterCase

    public init(algorithm: HMACAlgorithm, dataPath: CallbackFieldPath, signaturePath: CallbackFieldPath, hexCase: Hex.LetterCase) {
        self.algorithm = algorithm
        self.dataPath = dataPath
        self.signaturePath = signaturePath
        self.hexCase = hexCase
    }

    /// The hex signature of `data` (the object itself, not the whole body).
    public func signature(secret: CallbackSecret, data: JSONValue) throws(SignatureRefusal) -> String {
        Hex.encode(HMACDigest.compute(algorithm, key: secret.bytes, message: try message(data: data)))
    }

    func authenticate(_ request: CallbackRequest, secrets: [CallbackSecret]) throws(SignatureRefusal) -> Int {
        let body = try SignatureMatcher.jsonBody(request)
        let provided = try SignatureMatcher.signatureField(body, path: signaturePath, algorithm: algorithm, letterCase: hexCase)
        guard case .found(let data) = dataPath.resolve(in: body) else {
            throw SignatureRefusal.unsignableField(dataPath.description, reason: "missing")
        }
        return try SignatureMatcher.firstMatch(
            algorithm: algorithm, secrets: secrets, messages: [try message(data: data)], provided: [provided])
    }

    /// `k1=v1&k2=v2...` with keys in code point order.
    func message(data: JSONValue) throws(SignatureRefusal) -> [UInt8] {
        guard case .object(let members) = data else {
            throw SignatureRefusal.unsignableField(dataPath.description, reason: "a \(data.kindName), not an object")
        }
        let sorted = members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
        var pairs: [String] = []
        for member in sorted {
            guard let text = member.value.signingText else {
                throw SignatureRefusal.unsignableField(
                    "\(dataPath).\(member.key)", reason: "a nested \(member.value.kindName) cannot be signed as k=v")
            }
            pairs.append(member.key + "=" + text)
        }
        return Array(pairs.joined(separator: "&").utf8)
    }
}
