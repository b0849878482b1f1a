/// How the request body is delimited.
public enum BodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
}

/// A parsed and validated request head.
public struct HTTPRequestHead: Sendable {
    public var method: HTTPMethod
    public var version: HTTPVersion
    /// The raw request target.
    public var target: String
    public var components: RequestTarget
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    /// `Expect: 100-continue` on HTTP/1.1 with a body: the client waits for `100 Continue`.
    public var expectsContinue: Bool
}

/// Collects the fields that decide framing and connection handling, line by line, and applies
/// RFC 9112 §6 strictly: any ambiguity about where the body ends is a 400.
struct FramingFields {
    private var contentLength: Int?
    private var chunked = false
    private var hostCount = 0
    private var closeRequested = false
    private var keepAliveRequested = false
    private var continueExpected = false

    /// Content-Length above this many digits is refused as malformed rather than risk overflow.
    static let contentLengthDigitsMax = 15

    mutating func note(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(HTTPParseError) {
        if ByteClass.equalsIgnoringCase(name, "content-length") {
            guard contentLength == nil else { throw .framing("more than one Content-Length field") }
            contentLength = try Self.parseContentLength(value)
        } else if ByteClass.equalsIgnoringCase(name, "transfer-encoding") {
            guard !chunked else { throw .transferCoding("more than one Transfer-Encoding field") }
            guard ByteClass.equalsIgnoringCase(value, "chunked") else {
                throw .transferCoding("only a single 'chunked' transfer coding is accepted")
            }
            chunked = true
        } else if ByteClass.equalsIgnoringCase(name, "host") {
            hostCount += 1
            guard hostCount == 1 else { throw .host("more than one Host field") }
            guard value.allSatisfy(ByteClass.isHostChar) else { throw .host("the Host field is not a valid host") }
        } else if ByteClass.equalsIgnoringCase(name, "connection") {
            noteConnectionOptions(value)
        } else if ByteClass.equalsIgnoringCase(name, "expect") {
            guard ByteClass.equalsIgnoringCase(value, "100-continue") else {
                throw .expectation("only 'Expect: 100-continue' is supported")
            }
            continueExpected = true
        }
    }

    /// Decides the framing once every field is known.
    func finish(version: HTTPVersion) throws(HTTPParseError) -> (framing: BodyFraming, keepAlive: Bool, expectsContinue: Bool) {
        if version == .http1_1 && hostCount == 0 { throw .host("HTTP/1.1 requests must carry a Host field") }
        if chunked && version == .http1_0 { throw .transferCoding("Transfer-Encoding is not defined for HTTP/1.0") }
        if chunked && contentLength != nil { throw .framing("both Transfer-Encoding and Content-Length are present") }
        let framing: BodyFraming = chunked ? .chunked : contentLength.map { .contentLength($0) } ?? .none
        let keepAlive = version == .http1_1 ? !closeRequested : keepAliveRequested && !closeRequested
        let hasBody = framing != .none && framing != .contentLength(0)
        return (framing, keepAlive, continueExpected && version == .http1_1 && hasBody)
    }

    private mutating func noteConnectionOptions(_ value: UnsafeRawBufferPointer) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            var first = start
            var last = end
            while first < last && ByteClass.isWhitespace(value[first]) { first += 1 }
            while last > first && ByteClass.isWhitespace(value[last - 1]) { last -= 1 }
            let option = UnsafeRawBufferPointer(rebasing: value[first..<last])
            if ByteClass.equalsIgnoringCase(option, "close") { closeRequested = true }
            if ByteClass.equalsIgnoringCase(option, "keep-alive") { keepAliveRequested = true }
            start = end + 1
        }
    }

    /// `1*DIGIT`, nothing else: no sign, no list, no inner whitespace.
    static func parseContentLength(_ value: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        guard !value.isEmpty, value.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .contentLength("Content-Length must be a single decimal number")
        }
        guard value.count <= contentLengthDigitsMax else { throw .contentLength("Content-Length is too large") }
        return value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
