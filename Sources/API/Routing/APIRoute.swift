import Core
import HTTP

/// Who may call a route.
public enum RouteAccess: Sendable, Equatable {
    /// No credentials: liveness, readiness, the API description.
    case open
    /// A bearer token with one of these roles; for school routes, the school must be in the caller's scope.
    case roles(Set<Role>)
    /// Verified by the handler from a provider's signature (bank callbacks), not by a token.
    case signed
}

/// A documented query parameter.
public struct QueryParameterSpec: Sendable {
    public var name: String
    public var schema: JSONSchema
    public var description: String
    public var required: Bool
    /// An object whose properties are query parameters of their own (`style: form, explode: true`): how a
    /// document says that exactly one of several parameters is given (a `oneOf` of objects).
    public var exploded: Bool

    public init(_ name: String, _ schema: JSONSchema, _ description: String, required: Bool = false, exploded: Bool = false) {
        self.name = name
        self.schema = schema
        self.description = description
        self.required = required
        self.exploded = exploded
    }
}

/// Everything the OpenAPI document says about one route; the same value drives the router.
public struct APIRouteSpec: Sendable {
    public var method: HTTPMethod
    public var template: String
    public var summary: String
    public var tag: String
    public var access: RouteAccess
    public var query: [QueryParameterSpec]
    public var requestSchema: (name: String, schema: JSONSchema)?
    /// The route takes an empty body too (`APIRequestBody.bodyOptional`).
    public var requestBodyOptional = false
    /// The file an upload route takes as its raw body.
    public var upload: APIUpload?
    public var responseStatus: HTTPStatus
    /// `application/json` with a schema, or another media type (HTML, SVG, CSV, Prometheus text).
    public var responseContentType: String
    public var responseSchema: (name: String, schema: JSONSchema)?
    /// The route's class under load, as registered: `.expensive` routes are rate limited (429).
    public var routeClass: RouteClass?

    /// True when the template names a school: the route is scoped to it.
    public var isSchoolScoped: Bool { template.contains("{school}") }

    public var pathParameters: [String] {
        template.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}

/// A file sent as the raw body of an upload route: its media type, what JSON Schema can say of it (a body of at least
/// one byte and at most the route's cap — a string of `bodyBytesMax / 4` characters is at most that many bytes in
/// UTF-8), and in words what it must hold (its header row, its format), which a pattern cannot check.
public struct APIUpload: Sendable {
    public var mediaType: String
    public var schema: JSONSchema
    public var description: String

    public init(mediaType: String, bodyBytesMax: Int, binary: Bool = false, description: String) {
        self.mediaType = mediaType
        self.schema = binary ? .binaryFile(bytes: 1...bodyBytesMax) : .bounded(minLength: 1, maxLength: bodyBytesMax / 4)
        self.description = description
    }

    /// A CSV file of one fixed shape (`CSVShape`): the document states its pattern, and the route checks the same shape
    /// at the door (`CSVShape.mismatches`). A counted shape's characters are ASCII, so the cap in characters is the cap
    /// in bytes; a shape stated by length has its own cap in characters, which must fit the route's bytes at 4 a scalar.
    public init(csv shape: CSVShape, bodyBytesMax: Int, description: String) {
        if let charactersMax = shape.charactersMax {
            precondition(charactersMax <= bodyBytesMax / 4, "a file of \(charactersMax) characters fits the route's \(bodyBytesMax) bytes")
        }
        self.mediaType = "text/csv"
        self.schema = .text(pattern: shape.pattern, minLength: shape.header.utf8.count, maxLength: shape.charactersMax ?? bodyBytesMax)
        self.description = description
    }

}
