import Foundation

/// A response a handler returns. The server adds `Content-Length`, `Date`, `X-Request-Id` and `Connection`;
/// a handler that sets those (or any header with a bad name or value) gets a 500 instead of a split response.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A UTF-8 text response.
    public static func text(
        _ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8"
    ) -> Response {
        Response(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// A JSON response through Foundation's `JSONEncoder` (sorted keys unless `encoder` says otherwise).
    public static func json<Value: Encodable>(
        _ value: Value, status: HTTPStatus = .ok, encoder: JSONEncoder = Response.defaultJSONEncoder()
    ) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: ["Content-Type": "application/json"], body: Array(data))
    }

    public static func noContent() -> Response {
        Response(status: .noContent)
    }

    public static func defaultJSONEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
