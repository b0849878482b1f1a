import Crypto

/// VNPay: HMAC over the query parameters whose names start with `parameterPrefix`, minus `excludedParameters`,
/// sorted by name, each name and value form-URL-encoded (space as `+`), written `k=v` and joined by `&`.
public struct FormQueryHMACScheme: Equatable, Sendable {
    public var algorithm: HMACAlgorithm
    public var signatureParameter: String
    public var excludedParameters: [String]
    public var parameterPrefix: String
    /// Leave out parameters with an empty value (VNPay's Java and .NET reference code do).
    public var skipEmptyValues: Bool
    public var unreservedPunctuation: String
    public var hexCase: Hex.LetterCase

    public init(
        algorithm: HMACAlgorithm, signatureParameter: String, excludedParameters: [String], parameterPrefix: String,
        skipEmptyValues: Bool, unreservedPunctuation: String, hexCase: Hex.LetterCase
    ) {
        self.algorithm = algorithm
        self.signatureParameter = signatureParameter
        self.excludedParameters = excludedParameters
        self.parameterPrefix = parameterPrefix
        self.skipEmptyValues = skipEmptyValues
        self.unreservedPunctuation = unreservedPunctuation
        self.hexCase = hexCase
    }

    /// The hex signature of `query` (the signature parameter, if present, is left out as on verification).
    public func signature(secret: CallbackSecret, query: [QueryParameter]) throws(SignatureRefusal) -> String {
        Hex.encode(HMACDigest.compute(algorithm, key: secret.bytes, message: try message(query: query)))
    }

    func authenticate(_ request: CallbackRequest, secrets: [CallbackSecret]) throws(SignatureRefusal) -> Int {
        let values = request.queryValues(signatureParameter)
        guard let text = values.first else { throw SignatureRefusal.missingSignatureField(signatureParameter) }
        guard values.count == 1 else { throw SignatureRefusal.duplicateSignatureField(signatureParameter) }
        let provided = try SignatureMatcher.decodeMAC(text, algorithm: algorithm, letterCase: hexCase, source: signatureParameter)
        return try SignatureMatcher.firstMatch(
            algorithm: algorithm, secrets: secrets, messages: [try message(query: request.query)], provided: [provided])
    }

    func message(query: [QueryParameter]) throws(SignatureRefusal) -> [UInt8] {
        let excluded = Set(excludedParameters + [signatureParameter])
        var seen: Set<String> = []
        var signed: [QueryParameter] = []
        for parameter in query where parameter.name.hasPrefix(parameterPrefix) && !excluded.contains(parameter.name) {
            guard seen.insert(parameter.name).inserted else {
                throw SignatureRefusal.unsignableField(parameter.name, reason: "appears more than once")
            }
            if skipEmptyValues && parameter.value.isEmpty { continue }
            signed.append(parameter)
        }
        signed.sort { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        let text = signed.map { parameter in
            FormURLEncoding.encode(parameter.name, unreservedPunctuation: unreservedPunctuation) + "="
                + FormURLEncoding.encode(parameter.value, unreservedPunctuation: unreservedPunctuation)
        }.joined(separator: "&")
        return Array(text.utf8)
    }
}
