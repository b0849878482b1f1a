import Core
import Crypto

/// MoMo: HMAC over `name1=value1&name2=value2...` in a fixed, documented order. Values come from the body
/// (as written: strings as is, numbers verbatim, `null` empty) or from the connection (MoMo's `accessKey`,
/// which the merchant holds and the body does not carry).
public struct FieldTemplateHMACScheme: Equatable, Sendable {
    public struct Field: Equatable, Sendable {
        public let name: String
        public let source: Source

        public init(name: String, source: Source) {
            self.name = name
            self.source = source
        }
    }

    public enum Source: Equatable, Sendable {
        case body(CallbackFieldPath)
        case connectionParameter(String)
    }

    public var algorithm: HMACAlgorithm
    public var signaturePath: CallbackFieldPath
    public var fields: [Field]
    public var hexCase: Hex.LetterCase

    public init(algorithm: HMACAlgorithm, signaturePath: CallbackFieldPath, fields: [Field], hexCase: Hex.LetterCase) {
        precondition(!fields.isEmpty, "a template signs at least one field")
        self.algorithm = algorithm
        self.signaturePath = signaturePath
        self.fields = fields
        self.hexCase = hexCase
    }

    /// The hex signature of a body under this template.
    public func signature(
        secret: CallbackSecret, body: JSONValue, parameters: [String: String]
    ) throws(SignatureRefusal) -> String {
        Hex.encode(HMACDigest.compute(algorithm, key: secret.bytes, message: try message(body: body, parameters: parameters)))
    }

    func authenticate(
        _ request: CallbackRequest, secrets: [CallbackSecret], parameters: [String: String]
    ) throws(SignatureRefusal) -> Int {
        let body = try SignatureMatcher.jsonBody(request)
        let provided = try SignatureMatcher.signatureField(body, path: signaturePath, algorithm: algorithm, letterCase: hexCase)
        return try SignatureMatcher.firstMatch(
            algorithm: algorithm, secrets: secrets, messages: [try message(body: body, parameters: parameters)],
            provided: [provided])
    }

    func message(body: JSONValue, parameters: [String: String]) throws(SignatureRefusal) -> [UInt8] {
        var pairs: [String] = []
        for field in fields {
            switch field.source {
            case .connectionParameter(let name):
                guard let value = parameters[name] else { throw SignatureRefusal.missingConnectionParameter(name) }
                pairs.append(field.name + "=" + value)
            case .body(let path):
                guard case .found(let value) = path.resolve(in: body) else {
                    throw SignatureRefusal.unsignableField(path.description, reason: "missing")
                }
                guard let text = value.signingText else {
                    throw SignatureRefusal.unsignableField(path.description, reason: "a \(value.kindName), not a scalar")
                }
                pairs.append(field.name + "=" + text)
            }
        }
        return Array(pairs.joined(separator: "&").utf8)
    }
}
