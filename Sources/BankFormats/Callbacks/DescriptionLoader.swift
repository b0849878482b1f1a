import Core
import Foundation

extension CallbackProviderDescription {
    /// Provider ids: lower-case letters, digits and `-`, as they appear in URLs and file names.
    public static let providerIDBytesMax = 32

    /// Parses and checks one description. `fileName` names it in errors; when it ends in `.json`
    /// its stem must equal the `provider` id. The sample must verify and normalise to its expected result.
    public static func load(_ bytes: [UInt8], fileName: String) throws(CallbackCatalogError) -> CallbackProviderDescription {
        let root: JSONValue
        do { root = try StrictJSONParser.parse(bytes, limits: CallbackLimits.descriptionJSON) } catch {
            throw CallbackCatalogError(file: fileName, key: "", problem: error.description)
        }
        var object = try DescriptionObject(root, file: fileName, location: "")
        let provider = try object.string("provider")
        guard isProviderID(provider) else {
            throw object.failure("provider", "'\(provider)' is not an id (1 to \(providerIDBytesMax) of a-z, 0-9, -)")
        }
        if fileName.hasSuffix(".json") && String(fileName.dropLast(5)) != provider {
            throw object.failure("provider", "'\(provider)' does not match the file name")
        }
        let name = try object.string("name")
        if let notes = object.optionalValue("notes") { try checkNotes(notes, &object) }
        let transport = try object.choice("transport", CallbackTransport.self)
        var signatureObject = try object.object("signature")
        let signature = try SignatureSchemeLoader.load(&signatureObject)
        if case .formQueryHMAC = signature, transport != .getQuery {
            throw object.failure("signature", "formQueryHMAC signs a query: transport must be getQuery")
        }
        var fieldsObject = try object.object("fields")
        let fields = try FieldMappingLoader.load(&fieldsObject, transport: transport)
        var repliesObject = try object.object("replies")
        let replies = try ReplyTableLoader.load(&repliesObject)
        var sampleObject = try object.object("sample")
        let sample = try SampleLoader.load(&sampleObject, provider: provider)
        try object.finish()
        let description = CallbackProviderDescription(
            provider: provider, name: name, transport: transport, signature: signature,
            fields: fields, replies: replies, sample: sample)
        try description.checkSample(fileName: fileName)
        return description
    }

    /// The sample must verify with its secret at its clock and normalise to exactly its expected result.
    func checkSample(fileName: String) throws(CallbackCatalogError) {
        let credentials = CallbackCredentials(secrets: [sample.secret], parameters: sample.parameters)
        let verdict = signature.verify(sample.request, credentials: credentials, now: sample.now)
        guard verdict == .accepted(secretIndex: 0) else {
            throw CallbackCatalogError(file: fileName, key: "sample", problem: "does not verify: \(verdict)")
        }
        let normalized: NormalizedCallbackTransaction
        do { normalized = try CallbackNormalizer(description: self).normalize(sample.request) } catch {
            throw CallbackCatalogError(file: fileName, key: "sample", problem: "does not normalise: \(error)")
        }
        guard normalized == sample.expected else {
            throw CallbackCatalogError(
                file: fileName, key: "sample.expected", problem: "differs from the normalised sample: \(normalized)")
        }
    }

    private static func checkNotes(_ notes: JSONValue, _ object: inout DescriptionObject) throws(CallbackCatalogError) {
        guard case .array(let lines) = notes, lines.allSatisfy({ if case .string = $0 { true } else { false } }) else {
            throw object.failure("notes", "expected an array of strings")
        }
    }

    static func isProviderID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= providerIDBytesMax && text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
        }
    }
}

/// Reads `replies`: exactly one reply per `CallbackOutcome`.
enum ReplyTableLoader {
    static func load(_ object: inout DescriptionObject) throws(CallbackCatalogError) -> CallbackReplyTable {
        var replies: [CallbackOutcome: CallbackReply] = [:]
        for outcome in CallbackOutcome.allCases {
            var reply = try object.object(outcome.rawValue)
            let status = Int(try reply.integer("status", in: 200...599))
            let body = reply.optionalValue("body")
            try reply.finish()
            switch body {
            case nil, .null?:
                replies[outcome] = CallbackReply(status: status, contentType: nil, body: [])
            case let value?:
                guard status != 204 else { throw reply.failure("body", "a 204 reply has no body") }
                replies[outcome] = CallbackReply(
                    status: status, contentType: "application/json", body: JSONWriter.write(value, options: .compact))
            }
        }
        try object.finish()
        return CallbackReplyTable(replies)
    }
}
