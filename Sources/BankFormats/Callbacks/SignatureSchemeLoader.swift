import Crypto

/// Reads the `signature` object of a description into a `SignatureScheme`.
enum SignatureSchemeLoader {
    static let headerNameBytesMax = 64

    static func load(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> SignatureScheme {
        let scheme: SignatureScheme
        switch try object.string("scheme") {
        case "timestampedHMAC": scheme = .timestampedHMAC(try timestamped(&object))
        case "sortedFieldsHMAC":
            scheme = .sortedFieldsHMAC(SortedFieldsHMACScheme(
                algorithm: try object.choice("algorithm", HMACAlgorithm.self), dataPath: try object.path("dataPath"),
                signaturePath: try object.path("signaturePath"), hexCase: try object.choice("hexCase", Hex.LetterCase.self)))
        case "formQueryHMAC": scheme = .formQueryHMAC(try formQuery(&object))
        case "fieldTemplateHMAC": scheme = .fieldTemplateHMAC(try fieldTemplate(&object))
        case "apiKey":
            scheme = .apiKey(APIKeyScheme(header: try headerName(&object, "header"), prefix: try object.string("prefix")))
        case let other:
            throw object.failure("scheme", "unknown scheme '\(other)' (expected one of: timestampedHMAC, sortedFieldsHMAC, formQueryHMAC, fieldTemplateHMAC, apiKey)")
        }
        try object.finish()
        return scheme
    }

    private static func timestamped(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> TimestampedHMACScheme {
        let algorithm = try object.choice("algorithm", HMACAlgorithm.self)
        let header = try headerName(&object, "header")
        var layoutObject = try object.object("layout")
        let layout: TimestampedHMACScheme.HeaderLayout
        switch try layoutObject.string("kind") {
        case "keyedItems":
            layout = .keyedItems(timestampKey: try layoutObject.string("timestampKey"), signatureKey: try layoutObject.string("signatureKey"))
        case "separateTimestamp":
            layout = .separateTimestamp(
                timestampHeader: try headerName(&layoutObject, "timestampHeader"), signaturePrefix: try layoutObject.string("signaturePrefix"))
        case let other:
            throw layoutObject.failure("kind", "unknown layout '\(other)' (expected keyedItems or separateTimestamp)")
        }
        try layoutObject.finish()
        let unit = try object.choice("timestampUnit", TimestampedHMACScheme.TimestampUnit.self)
        let tolerance = try object.integer("toleranceSeconds", in: 1...86_400)
        let signedBody: TimestampedHMACScheme.SignedBody
        switch try object.string("signedBody") {
        case "raw": signedBody = .raw
        case "canonicalJSON": signedBody = .canonicalJSON(slash: try object.choice("slashEscaping", TimestampedHMACScheme.SlashEscaping.self))
        case let other: throw object.failure("signedBody", "unknown value '\(other)' (expected raw or canonicalJSON)")
        }
        return TimestampedHMACScheme(
            algorithm: algorithm, signatureHeader: header, layout: layout, timestampUnit: unit, toleranceSeconds: tolerance,
            signedBody: signedBody, hexCase: try object.choice("hexCase", Hex.LetterCase.self))
    }

    private static func formQuery(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> FormQueryHMACScheme {
        let unreserved = try object.string("unreservedPunctuation")
        guard unreserved.unicodeScalars.allSatisfy({ "!'()*-._~".unicodeScalars.contains($0) }) else {
            throw object.failure("unreservedPunctuation", "only characters among !'()*-._~ may be left unencoded")
        }
        return FormQueryHMACScheme(
            algorithm: try object.choice("algorithm", HMACAlgorithm.self),
            signatureParameter: try object.string("signatureParameter"),
            excludedParameters: try object.strings("excludedParameters"),
            parameterPrefix: try object.string("parameterPrefix"),
            skipEmptyValues: try object.bool("skipEmptyValues"),
            unreservedPunctuation: unreserved,
            hexCase: try object.choice("hexCase", Hex.LetterCase.self))
    }

    private static func fieldTemplate(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> FieldTemplateHMACScheme {
        let algorithm = try object.choice("algorithm", HMACAlgorithm.self)
        let signaturePath = try object.path("signaturePath")
        var fields: [FieldTemplateHMACScheme.Field] = []
        for (index, element) in try object.array("fields").enumerated() {
            var field = try DescriptionObject(element, file: object.file, location: object.key("fields[\(index)]"))
            let name = try field.string("name")
            let parameter = try field.optionalString("connectionParameter")
            let path = field.optionalValue("path") == nil ? nil : try field.path("path")
            switch (parameter, path) {
            case (let parameter?, nil): fields.append(.init(name: name, source: .connectionParameter(parameter)))
            case (nil, let path?): fields.append(.init(name: name, source: .body(path)))
            default: throw field.failure(nil, "give exactly one of 'path' and 'connectionParameter'")
            }
            try field.finish()
        }
        guard !fields.isEmpty else { throw object.failure("fields", "a template signs at least one field") }
        return FieldTemplateHMACScheme(
            algorithm: algorithm, signaturePath: signaturePath, fields: fields, hexCase: try object.choice("hexCase", Hex.LetterCase.self))
    }

    /// An HTTP header name: a token of letters, digits and `-`.
    private static func headerName(_ object: inout DescriptionObject, _ key: String) throws(CallbackCatalogError) -> String {
        let name = try object.string(key)
        guard !name.isEmpty, name.utf8.count <= headerNameBytesMax, name.utf8.allSatisfy({ byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        }) else { throw object.failure(key, "'\(name)' is not a header name") }
        return name
    }
}
