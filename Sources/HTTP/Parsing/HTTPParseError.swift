/// Why the parser refused a request. Each becomes a problem response and the connection is closed.
public struct HTTPParseError: HTTPResponseError, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let code: String
    public let detail: String?

    init(_ status: HTTPStatus, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(status.code) \(code): \(detail ?? "")" }

    static func requestLine(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "malformed_request_line", detail)
    }
    static func target(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "invalid_request_target", detail)
    }
    static func field(_ line: Int, _ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "invalid_header_field", "header line \(line): \(detail)")
    }
    static func lineEnding(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "invalid_line_ending", detail)
    }
    static func framing(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "ambiguous_message_length", detail)
    }
    static func contentLength(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "invalid_content_length", detail)
    }
    static func transferCoding(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "unsupported_transfer_coding", detail)
    }
    static func host(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "invalid_host", detail)
    }
    static func chunked(_ detail: String) -> HTTPParseError {
        HTTPParseError(.badRequest, "invalid_chunked_body", detail)
    }
    static func version(_ detail: String) -> HTTPParseError {
        HTTPParseError(.httpVersionNotSupported, "http_version_not_supported", detail)
    }
    static func expectation(_ detail: String) -> HTTPParseError {
        HTTPParseError(.expectationFailed, "expectation_failed", detail)
    }
    static func requestLineTooLong(_ limit: Int) -> HTTPParseError {
        HTTPParseError(.uriTooLong, "request_line_too_long", "the request line exceeds \(limit) bytes")
    }
    static func headerSectionTooLarge(_ limit: Int) -> HTTPParseError {
        HTTPParseError(.requestHeaderFieldsTooLarge, "header_section_too_large", "the header section exceeds \(limit) bytes")
    }
    static func tooManyFields(_ limit: Int) -> HTTPParseError {
        HTTPParseError(.requestHeaderFieldsTooLarge, "too_many_header_fields", "more than \(limit) header fields")
    }
    static func trailerTooLarge(_ limit: Int) -> HTTPParseError {
        HTTPParseError(.requestHeaderFieldsTooLarge, "trailer_section_too_large", "the trailer section exceeds \(limit) bytes")
    }
    static func contentTooLarge(_ limit: Int) -> HTTPParseError {
        HTTPParseError(.contentTooLarge, "content_too_large", "the body exceeds \(limit) bytes allowed for this route")
    }
}

/// Limits the parser enforces; the server copies them from `HTTPServerConfiguration`.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Request line including CRLF; longer is 414.
    public var requestLineBytesMax: Int = 8 * 1024
    /// Header field lines including their CRLFs and the final empty line; larger is 431.
    public var headerSectionBytesMax: Int = 16 * 1024
    /// Header fields; more is 431.
    public var headerFieldsMax: Int = 100
    /// A chunk-size line's extension (`;name=value`), ignored but bounded; longer is 400.
    public var chunkExtensionBytesMax: Int = 256
    /// Trailer fields after the last chunk (discarded); larger is 431.
    public var trailerSectionBytesMax: Int = 4 * 1024
    /// Empty lines tolerated before a request line (RFC 9112 §2.2 robustness); more is 400.
    public var leadingEmptyLinesMax: Int = 2

    public init() {}
}
