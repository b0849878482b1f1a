import Core
import Crypto
import Foundation

/// How a provider proves a callback is genuine. The code of every scheme lives in this directory;
/// its parameters (header names, algorithm, tolerance, field lists) come from the provider description.
public enum SignatureScheme: Equatable, Sendable {
    /// HMAC over `timestamp + "." + body` (ours, SePay's HMAC variant, Casso v2 over canonical JSON).
    case timestampedHMAC(TimestampedHMACScheme)
    /// HMAC over the sorted `k=v` pairs of a JSON object (payOS).
    case sortedFieldsHMAC(SortedFieldsHMACScheme)
    /// HMAC over the sorted, form-encoded query (VNPay).
    case formQueryHMAC(FormQueryHMACScheme)
    /// HMAC over a fixed `name=value&...` template (MoMo).
    case fieldTemplateHMAC(FieldTemplateHMACScheme)
    /// A shared key sent as is in a header (SePay `Authorization: Apikey KEY`).
    case apiKey(APIKeyScheme)

    /// The scheme's name as written in descriptions.
    public var name: String {
        switch self {
        case .timestampedHMAC: return "timestampedHMAC"
        case .sortedFieldsHMAC: return "sortedFieldsHMAC"
        case .formQueryHMAC: return "formQueryHMAC"
        case .fieldTemplateHMAC: return "fieldTemplateHMAC"
        case .apiKey: return "apiKey"
        }
    }

    /// Connection parameters the scheme needs besides the secrets (e.g. MoMo `accessKey`).
    public var requiredConnectionParameters: [String] {
        guard case .fieldTemplateHMAC(let scheme) = self else { return [] }
        return scheme.fields.compactMap { field in
            if case .connectionParameter(let name) = field.source { return name }
            return nil
        }
    }

    /// Whether `request` is authentic under one of `credentials.secrets`, and if not, why not.
    /// Every candidate secret is tried (no early exit) and each comparison takes constant time.
    public func verify(_ request: CallbackRequest, credentials: CallbackCredentials, now: Date) -> SignatureVerdict {
        do {
            try SignatureMatcher.checkSecrets(credentials.secrets)
            let index: Int
            switch self {
            case .timestampedHMAC(let scheme): index = try scheme.authenticate(request, secrets: credentials.secrets, now: now)
            case .sortedFieldsHMAC(let scheme): index = try scheme.authenticate(request, secrets: credentials.secrets)
            case .formQueryHMAC(let scheme): index = try scheme.authenticate(request, secrets: credentials.secrets)
            case .fieldTemplateHMAC(let scheme):
                index = try scheme.authenticate(request, secrets: credentials.secrets, parameters: credentials.parameters)
            case .apiKey(let scheme): index = try scheme.authenticate(request, secrets: credentials.secrets)
            }
            return .accepted(secretIndex: index)
        } catch {
            return .refused(error)
        }
    }
}

/// The comparison shared by every HMAC scheme.
enum SignatureMatcher {
    static func checkSecrets(_ secrets: [CallbackSecret]) throws(SignatureRefusal) {
        guard !secrets.isEmpty else { throw SignatureRefusal.noSecretConfigured }
        guard secrets.count <= CallbackLimits.secretCountMax else {
            throw SignatureRefusal.tooManySecrets(count: secrets.count, limit: CallbackLimits.secretCountMax)
        }
    }

    /// The index of the first secret whose MAC of one of `messages` equals one of `provided`.
    /// Work is the same whichever secret matches: all candidates are computed and compared.
    static func firstMatch(
        algorithm: HMACAlgorithm, secrets: [CallbackSecret], messages: [[UInt8]], provided: [[UInt8]]
    ) throws(SignatureRefusal) -> Int {
        var matched: Int?
        for (index, secret) in secrets.enumerated() {
            for message in messages {
                let expected = HMACDigest.compute(algorithm, key: secret.bytes, message: message)
                for candidate in provided where ConstantTime.equal(expected, candidate) {
                    if matched == nil { matched = index }
                }
            }
        }
        guard let matched else { throw SignatureRefusal.badSignature }
        return matched
    }

    /// A received hex MAC as bytes, refusing the wrong length or non-hex text; `source` names its header or field.
    static func decodeMAC(
        _ text: String, algorithm: HMACAlgorithm, letterCase: Hex.LetterCase, source: String
    ) throws(SignatureRefusal) -> [UInt8] {
        guard text.utf8.count == algorithm.byteCount * 2 else {
            throw SignatureRefusal.malformedSignature(
                source, reason: "\(text.utf8.count) hex digits, expected \(algorithm.byteCount * 2) for HMAC-\(algorithm.rawValue.uppercased())")
        }
        do { return try Hex.decode(text, letterCase: letterCase) } catch {
            throw SignatureRefusal.malformedSignature(source, reason: error.description)
        }
    }

    /// The one value of header `name`, refusing absence, repetition and absurd length.
    static func singleHeader(_ request: CallbackRequest, _ name: String) throws(SignatureRefusal) -> String {
        let values = request.headerValues(name)
        guard let value = values.first else { throw SignatureRefusal.missingHeader(name) }
        guard values.count == 1 else { throw SignatureRefusal.duplicateHeader(name) }
        guard value.utf8.count <= CallbackLimits.authenticationHeaderBytesMax else {
            throw SignatureRefusal.malformedHeader(name, reason: "longer than \(CallbackLimits.authenticationHeaderBytesMax) bytes")
        }
        return TextFastPaths.trimmedOfWhitespace(value)
    }

    /// The body as a JSON object for the schemes that sign parsed fields.
    static func jsonBody(_ request: CallbackRequest) throws(SignatureRefusal) -> JSONValue {
        switch CallbackBody.object(request.body) {
        case .success(let value): return value
        case .failure(let problem): throw SignatureRefusal.unreadableBody(problem.description)
        }
    }

    /// The hex signature carried in a JSON body field.
    static func signatureField(
        _ body: JSONValue, path: CallbackFieldPath, algorithm: HMACAlgorithm, letterCase: Hex.LetterCase
    ) throws(SignatureRefusal) -> [UInt8] {
        guard case .found(let value) = path.resolve(in: body) else {
            throw SignatureRefusal.missingSignatureField(path.description)
        }
        guard case .string(let text) = value else {
            throw SignatureRefusal.malformedSignature(path.description, reason: "a \(value.kindName), not a string")
        }
        return try decodeMAC(text, algorithm: algorithm, letterCase: letterCase, source: path.description)
    }
}

extension SignatureScheme {
    /// The lower-case hex HMAC of `message`: for building test vectors and signing sample requests.
    public static func hexMAC(_ algorithm: HMACAlgorithm, key: CallbackSecret, message: [UInt8]) -> String {
        Hex.encode(HMACDigest.compute(algorithm, key: key.bytes, message: message))
    }
}
