/// An error that becomes a response: an RFC 9457 problem document (`application/problem+json`) with a stable
/// machine `code` and the `request_id`. Anything thrown that does not conform is a 500 `internal_error`
/// whose body says nothing about the cause (the cause goes to the server's error log).
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    /// Stable, machine-readable, snake_case (e.g. `invoice_not_found`).
    var code: String { get }
    /// Short, human-readable, the same for every occurrence of `code`. Defaults to the reason phrase.
    var title: String { get }
    /// What is wrong with this request, for the client. Must not contain internals.
    var detail: String? { get }
    /// A URI reference identifying the problem type. Defaults to `about:blank`.
    var type: String { get }
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    var headers: HTTPHeaders { get }
}

extension HTTPResponseError {
    public var title: String { status.reasonPhrase }
    public var detail: String? { nil }
    public var type: String { "about:blank" }
    public var headers: HTTPHeaders { HTTPHeaders() }
}

/// A ready-made `HTTPResponseError`.
public struct HTTPError: HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var title: String
    public var detail: String?
    public var type: String
    public var headers: HTTPHeaders

    public init(
        status: HTTPStatus, code: String, title: String? = nil, detail: String? = nil,
        type: String = "about:blank", headers: HTTPHeaders = HTTPHeaders()
    ) {
        precondition(!code.isEmpty, "problem code must not be empty")
        self.status = status
        self.code = code
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.type = type
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code)" + (detail.map { ": \($0)" } ?? "") }

    public static func == (left: HTTPError, right: HTTPError) -> Bool {
        left.status == right.status && left.code == right.code && left.title == right.title
            && left.detail == right.detail && left.type == right.type && left.headers.fields == right.headers.fields
    }

    /// The error every unexpected failure becomes; it names nothing internal.
    public static let internalError = HTTPError(
        status: .internalServerError, code: "internal_error",
        detail: "The server could not complete the request; quote the request id when reporting it.")
}

/// Renders problem documents as JSON without Foundation: this runs for every parser rejection.
enum ProblemDocument {
    static let contentType = "application/problem+json"

    /// Members in sorted order: code, detail, request_id, status, title, type.
    static func render(_ error: any HTTPResponseError, requestId: String) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(256)
        json.append(UInt8(ascii: "{"))
        JSONText.appendMember(&json, "code", string: error.code, first: true)
        if let detail = error.detail { JSONText.appendMember(&json, "detail", string: detail) }
        JSONText.appendMember(&json, "request_id", string: requestId)
        JSONText.appendMember(&json, "status", integer: error.status.code)
        JSONText.appendMember(&json, "title", string: error.title)
        JSONText.appendMember(&json, "type", string: error.type)
        json.append(UInt8(ascii: "}"))
        return json
    }

    static func response(_ error: any HTTPResponseError, requestId: String) -> Response {
        var headers = error.headers
        headers.set("Content-Type", contentType)
        return Response(status: error.status, headers: headers, body: render(error, requestId: requestId))
    }
}

/// Minimal JSON text output: strings escaped per RFC 8259.
enum JSONText {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func appendMember(_ json: inout [UInt8], _ name: String, string value: String, first: Bool = false) {
        appendName(&json, name, first: first)
        appendString(&json, value)
    }

    static func appendMember(_ json: inout [UInt8], _ name: String, integer value: Int, first: Bool = false) {
        appendName(&json, name, first: first)
        json.append(contentsOf: String(value).utf8)
    }

    static func appendName(_ json: inout [UInt8], _ name: String, first: Bool) {
        if !first { json.append(UInt8(ascii: ",")) }
        appendString(&json, name)
        json.append(UInt8(ascii: ":"))
    }

    static func appendString(_ json: inout [UInt8], _ value: String) {
        json.append(UInt8(ascii: "\""))
        // Most values (paths, ids, codes) need no escape: copied whole, not byte by byte (every access-log line).
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            json.append(contentsOf: value.utf8)
            json.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): json.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: json.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: json.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: json.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                json.append(contentsOf: Array("\\u00".utf8))
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0x0F)])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
