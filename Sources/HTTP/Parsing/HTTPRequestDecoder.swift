import Glibc

/// What one `decode` call produced.
public enum HTTPDecodeEvent: Sendable {
    /// All given bytes were examined; call again with more.
    case needMoreData
    /// A complete, validated head. Call `startBody(bodyBytesMax:)` before decoding further.
    case head(HTTPRequestHead)
    /// The body is complete; the decoder is ready for the next request.
    case end(body: [UInt8])
    /// The request is refused; the connection must be closed after the error response.
    case error(HTTPParseError)
}

public struct HTTPDecodeStep: Sendable {
    /// Bytes the caller must drop from the front of its buffer.
    public var consumed: Int
    public var event: HTTPDecodeEvent
}

/// An HTTP/1.1 request decoder: a state machine over bytes, with no I/O.
///
/// Contract: pass the caller's unconsumed bytes; drop `consumed` bytes from the front afterwards; pass whatever is
/// left (plus new bytes) next time. A head is returned only when complete, so it is examined once per line: lines
/// already validated are not scanned again when more bytes arrive.
public struct HTTPRequestDecoder {
    private enum Phase {
        case head
        case awaitingBodyDecision(BodyFraming)
        case contentLength(remaining: Int)
        case chunked
        case complete
        case failed(HTTPParseError)
    }

    public let limits: HTTPParserLimits
    private var phase = Phase.head
    private var head = HeadProgress()
    private var chunked = ChunkedBodyDecoder(bodyBytesMax: 0, limits: HTTPParserLimits())
    private var body: [UInt8] = []

    /// A request with a larger declared length reserves at most this much up front; the rest grows as it arrives.
    static let bodyReserveBytesMax = 1 << 20

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Whether no byte of the next request has been seen (the connection is idle between requests).
    public var isIdle: Bool {
        if case .head = phase { return head.isUntouched }
        return false
    }

    /// Whether the head is done and body bytes are expected.
    public var isReadingBody: Bool {
        switch phase {
        case .contentLength, .chunked: return true
        default: return false
        }
    }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer) -> HTTPDecodeStep {
        switch phase {
        case .head:
            return decodeHead(bytes)
        case .awaitingBodyDecision:
            preconditionFailure("startBody(bodyBytesMax:) must be called after a head")
        case .contentLength(let remaining):
            let take = min(remaining, bytes.count)
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            if take == remaining { return finishBody(consumed: take) }
            phase = .contentLength(remaining: remaining - take)
            return HTTPDecodeStep(consumed: take, event: .needMoreData)
        case .chunked:
            let (consumed, outcome) = chunked.decode(bytes, into: &body)
            switch outcome {
            case .needMoreData: return HTTPDecodeStep(consumed: consumed, event: .needMoreData)
            case .done: return finishBody(consumed: consumed)
            case .failed(let error): return fail(error)
            }
        case .complete:
            return finishBody(consumed: 0)
        case .failed(let error):
            return HTTPDecodeStep(consumed: 0, event: .error(error))
        }
    }

    /// Decides the body limit for the head just returned (the matched route's cap). A declared length above it is
    /// refused here, before any body byte is read; a chunked body is refused as soon as it grows past it.
    public mutating func startBody(bodyBytesMax: Int) -> HTTPParseError? {
        guard case .awaitingBodyDecision(let framing) = phase else {
            preconditionFailure("startBody(bodyBytesMax:) without a head")
        }
        switch framing {
        case .none, .contentLength(0):
            phase = .complete
        case .contentLength(let length):
            guard length <= bodyBytesMax else {
                let error = HTTPParseError.contentTooLarge(bodyBytesMax)
                phase = .failed(error)
                return error
            }
            body.reserveCapacity(min(length, Self.bodyReserveBytesMax))
            phase = .contentLength(remaining: length)
        case .chunked:
            chunked = ChunkedBodyDecoder(bodyBytesMax: bodyBytesMax, limits: limits)
            phase = .chunked
        }
        return nil
    }

    private mutating func finishBody(consumed: Int) -> HTTPDecodeStep {
        let complete = body
        body = []
        phase = .head
        head = HeadProgress()
        return HTTPDecodeStep(consumed: consumed, event: .end(body: complete))
    }

    private mutating func fail(_ error: HTTPParseError) -> HTTPDecodeStep {
        phase = .failed(error)
        return HTTPDecodeStep(consumed: 0, event: .error(error))
    }

    private mutating func decodeHead(_ bytes: UnsafeRawBufferPointer) -> HTTPDecodeStep {
        do {
            guard let (headEnd, parsed) = try head.advance(bytes, limits: limits) else {
                return HTTPDecodeStep(consumed: 0, event: .needMoreData)
            }
            phase = .awaitingBodyDecision(parsed.framing)
            return HTTPDecodeStep(consumed: headEnd, event: .head(parsed))
        } catch {
            return fail(error)
        }
    }
}

/// Progress through one request head: lines are validated as soon as they are complete.
struct HeadProgress {
    private var lineStart = 0
    private var scanFrom = 0
    private var emptyLinesSkipped = 0
    private var requestLine: HeadLines.RequestLine?
    private var target = ""
    private var headers = HTTPHeaders()
    private var headerBytes = 0
    private var framing = FramingFields()
    private var targetComponents = RequestTarget(path: "/", segments: [], query: [])

    var isUntouched: Bool { lineStart == 0 && scanFrom == 0 }

    /// Returns the head's length and the head once the empty line is found; nil if more bytes are needed.
    mutating func advance(
        _ bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits
    ) throws(HTTPParseError) -> (Int, HTTPRequestHead)? {
        precondition(bytes.count >= scanFrom, "the caller dropped unconsumed head bytes")
        while true {
            guard let lineFeed = Self.findLineFeed(bytes, from: scanFrom) else {
                scanFrom = bytes.count
                try checkPartialLine(pending: bytes.count - lineStart, limits: limits)
                return nil
            }
            guard lineFeed > lineStart, bytes[lineFeed - 1] == 0x0D else {
                throw .lineEnding(requestLine == nil ? "bare LF in the request line" : "bare LF in the header section")
            }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<(lineFeed - 1)])
            let lineBytes = lineFeed + 1 - lineStart
            lineStart = lineFeed + 1
            scanFrom = lineStart
            if requestLine == nil {
                try acceptRequestLine(line, lineBytes: lineBytes, limits: limits)
            } else if line.isEmpty {
                return (lineStart, try finish(limits: limits, lineBytes: lineBytes))
            } else {
                try acceptField(line, lineBytes: lineBytes, limits: limits)
            }
        }
    }

    private static func findLineFeed(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    private func checkPartialLine(pending: Int, limits: HTTPParserLimits) throws(HTTPParseError) {
        if requestLine == nil {
            if pending > limits.requestLineBytesMax { throw .requestLineTooLong(limits.requestLineBytesMax) }
        } else if headerBytes + pending > limits.headerSectionBytesMax {
            throw .headerSectionTooLarge(limits.headerSectionBytesMax)
        }
    }

    private mutating func acceptRequestLine(
        _ line: UnsafeRawBufferPointer, lineBytes: Int, limits: HTTPParserLimits
    ) throws(HTTPParseError) {
        if line.isEmpty {
            emptyLinesSkipped += 1
            guard emptyLinesSkipped <= limits.leadingEmptyLinesMax else {
                throw .requestLine("too many empty lines before the request line")
            }
            return
        }
        guard lineBytes <= limits.requestLineBytesMax else { throw .requestLineTooLong(limits.requestLineBytesMax) }
        let parsed = try HeadLines.parseRequestLine(line)
        let targetBytes = UnsafeRawBufferPointer(rebasing: line[parsed.target])
        target = String(decoding: targetBytes, as: UTF8.self)
        requestLine = parsed
        targetComponents = try RequestTarget.parse(targetBytes)
    }

    private mutating func acceptField(
        _ line: UnsafeRawBufferPointer, lineBytes: Int, limits: HTTPParserLimits
    ) throws(HTTPParseError) {
        headerBytes += lineBytes
        guard headerBytes <= limits.headerSectionBytesMax else { throw .headerSectionTooLarge(limits.headerSectionBytesMax) }
        guard headers.count < limits.headerFieldsMax else { throw .tooManyFields(limits.headerFieldsMax) }
        let field = try HeadLines.parseFieldLine(line, number: headers.count + 1)
        let name = UnsafeRawBufferPointer(rebasing: line[field.name])
        let value = UnsafeRawBufferPointer(rebasing: line[field.value])
        try framing.note(name: name, value: value)
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private mutating func finish(limits: HTTPParserLimits, lineBytes: Int) throws(HTTPParseError) -> HTTPRequestHead {
        headerBytes += lineBytes
        guard headerBytes <= limits.headerSectionBytesMax else { throw .headerSectionTooLarge(limits.headerSectionBytesMax) }
        guard let requestLine else { preconditionFailure("a head ends only after its request line") }
        let decided = try framing.finish(version: requestLine.version)
        return HTTPRequestHead(
            method: requestLine.method, version: requestLine.version, target: target, components: targetComponents,
            headers: headers, framing: decided.framing, keepAlive: decided.keepAlive,
            expectsContinue: decided.expectsContinue)
    }
}
