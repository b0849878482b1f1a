import Foundation

/// One query parameter, percent-decoded (`+` is a space). Order and duplicates are kept.
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The `{name}` values of the matched route template, percent-decoded.
public struct PathParameters: Sendable, Equatable {
    public private(set) var items: [(name: String, value: String)]

    public init(_ items: [(name: String, value: String)] = []) { self.items = items }

    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    public static func == (left: PathParameters, right: PathParameters) -> Bool {
        left.items.elementsEqual(right.items) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A complete request as a handler sees it.
public struct Request: Sendable {
    public var method: HTTPMethod
    public var version: HTTPVersion
    /// The request target exactly as received (origin-form), e.g. `/v1/invoices?month=2025-09`.
    public var target: String
    /// The percent-decoded path, e.g. `/v1/schools/THCS Ba Đình`.
    public var path: String
    public var query: [QueryItem]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var pathParameters: PathParameters
    /// The template of the matched route, e.g. `/v1/schools/{school}/invoices/{id}`.
    public var routeTemplate: String
    /// Metadata declared with the route (`RouteOptions.metadata`).
    public var routeMetadata: HTTPAttributes
    public var requestId: String
    /// The peer's address, `ip:port`.
    public var peer: String
    /// The client's address: the peer's, or for a trusted reverse proxy the one it forwarded
    /// (`ProtectionConfiguration.trustedProxies`).
    public var clientAddress: String
    /// A place for layers above HTTP (e.g. the verified caller). Empty when the request arrives.
    public var attributes: HTTPAttributes
    /// The client certificate the connection's TLS handshake verified against the client CA; nil over plain
    /// HTTP, without a certificate, or when the certificate presented did not verify.
    public var clientCertificate: ClientCertificate?
    /// On an `.expensive` route, what the request took from its address's rate bucket (given back once its bearer
    /// token is verified); nil elsewhere.
    public var rateCharge: RequestRateCharge?

    public init(
        method: HTTPMethod, version: HTTPVersion = .http1_1, target: String, path: String, query: [QueryItem] = [],
        headers: HTTPHeaders = [:], body: [UInt8] = [], pathParameters: PathParameters = PathParameters(),
        routeTemplate: String, routeMetadata: HTTPAttributes = HTTPAttributes(), requestId: String,
        peer: String, attributes: HTTPAttributes = HTTPAttributes(), clientCertificate: ClientCertificate? = nil,
        clientAddress: String? = nil
    ) {
        self.method = method
        self.version = version
        self.target = target
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.routeTemplate = routeTemplate
        self.routeMetadata = routeMetadata
        self.requestId = requestId
        self.peer = peer
        self.clientAddress = clientAddress ?? ClientAddress.host(ofPeer: peer)
        self.attributes = attributes
        self.clientCertificate = clientCertificate
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// All values of query parameter `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }

    /// Decodes the body as JSON; a malformed body is a 400 `invalid_json` naming the field at fault.
    /// A string holding U+0000 is refused too (400 naming the field): no text column can store it, and a
    /// statement carrying it would fail as a 500 the client might retry forever.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, decoder: JSONDecoder = JSONDecoder()) throws -> Value {
        let value: Value
        do {
            value = try decoder.decode(type, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError(status: .badRequest, code: "invalid_json", detail: JSONDecodingDetail.describe(error))
        }
        if JSONNULCharacter.isEscaped(in: body), let field = JSONNULCharacter.field(in: body) {
            throw HTTPError(status: .badRequest, code: "invalid_json",
                            detail: "field '\(field)' holds the NUL character (\\u0000), which no text can store")
        }
        return value
    }
}

/// Finds U+0000 in a JSON body. Unescaped control bytes are invalid JSON (the decoder refuses them), so
/// the only way a body carries U+0000 is the escape `\u0000`, which the byte scan finds cheaply; the
/// field is then named from a full parse, done only for such a body.
enum JSONNULCharacter {
    /// Whether `body` holds the escape `\u0000` (an escaped backslash followed by "u0000" is not one).
    static func isEscaped(in body: [UInt8]) -> Bool {
        let nulEscape = Array("u0000".utf8)
        var index = 0
        while index < body.count {
            guard body[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            let next = index + 1
            if next + nulEscape.count <= body.count, body[next..<(next + nulEscape.count)].elementsEqual(nulEscape) { return true }
            index += 2
        }
        return false
    }

    /// The path (`a.b[2]`) of the first key or string value, in key order, that holds U+0000; nil when
    /// none does. A body this parser cannot read (the decoder just read it) is named as a whole.
    static func field(in body: [UInt8]) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else { return "(body)" }
        return find(in: root, path: "")
    }

    private static func find(in value: Any, path: String) -> String? {
        switch value {
        case let text as String:
            return text.unicodeScalars.contains("\u{0}") ? (path.isEmpty ? "(body)" : path) : nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = find(in: element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                // The key as the client wrote it: a NUL inside it shown as its escape, not sent back raw.
                let shown = key.replacingOccurrences(of: "\u{0}", with: "\\u0000")
                let keyPath = path.isEmpty ? shown : "\(path).\(shown)"
                if key.unicodeScalars.contains("\u{0}") { return keyPath }
                if let found = find(in: object[key]!, path: keyPath) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}

/// Describes a `DecodingError` by field path only: no Swift type names or internal text reach the client.
enum JSONDecodingDetail {
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context):
            return "field '\(path(context.codingPath))' has the wrong type"
        case .valueNotFound(_, let context):
            return "field '\(path(context.codingPath))' must not be null"
        case .keyNotFound(let key, let context):
            return "field '\(path(context.codingPath + [key]))' is missing"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the body is not valid JSON" : "field '\(path(context.codingPath))' has an invalid value"
        @unknown default:
            return "the body is not valid JSON for this request"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
