/// Writes responses in HTTP/1.1 wire format into a reusable buffer (one `send` per response).
enum ResponseSerializer {
    /// Header names a handler may not set: the server frames every response itself.
    static let reservedNames = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "date",
        "x-request-id", "proxy-connection",
    ]

    /// Why `headers` cannot be sent, or nil. Names must be tokens and not reserved; values must not hold
    /// CR, LF, NUL or other control characters (that would split or smuggle a response).
    static func headerProblem(_ headers: HTTPHeaders) -> String? {
        for field in headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(ByteClass.isToken) else {
                return "header name is not a token"
            }
            if reservedNames.contains(where: { HTTPHeaders.namesMatch($0, field.name) }) {
                return "header '\(field.name)' is set by the server"
            }
            guard field.value.utf8.allSatisfy(ByteClass.isFieldValue) else {
                return "header '\(field.name)' has a control character in its value"
            }
        }
        return nil
    }

    struct Framing {
        var requestId: String
        var closeConnection: Bool
        /// An HTTP/1.0 client that asked for keep-alive is told it is granted.
        var announceKeepAlive: Bool
        var omitBody: Bool
        /// `Date: …\r\n`, cached per second by the caller.
        var dateLine: [UInt8]
    }

    /// Appends the response to `output`. Headers must have passed `headerProblem`.
    static func write(_ response: Response, _ framing: Framing, into output: inout [UInt8]) {
        let status = response.status
        output.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &output)
        output.append(0x20)
        output.append(contentsOf: status.reasonPhrase.utf8)
        output.append(contentsOf: "\r\n".utf8)
        if !status.forbidsBody {
            output.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, to: &output)
            output.append(contentsOf: "\r\n".utf8)
            if !response.body.isEmpty && !response.headers.contains("Content-Type") {
                output.append(contentsOf: "Content-Type: application/octet-stream\r\n".utf8)
            }
        }
        output.append(contentsOf: framing.dateLine)
        output.append(contentsOf: "X-Request-Id: ".utf8)
        output.append(contentsOf: framing.requestId.utf8)
        output.append(contentsOf: "\r\n".utf8)
        if framing.closeConnection {
            output.append(contentsOf: "Connection: close\r\n".utf8)
        } else if framing.announceKeepAlive {
            output.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        for field in response.headers {
            output.append(contentsOf: field.name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: field.value.utf8)
            output.append(contentsOf: "\r\n".utf8)
        }
        output.append(contentsOf: "\r\n".utf8)
        if !framing.omitBody && !status.forbidsBody {
            output.append(contentsOf: response.body)
        }
    }

    /// Body bytes that `write` sends for this response.
    static func bodyBytesSent(_ response: Response, omitBody: Bool) -> Int {
        omitBody || response.status.forbidsBody ? 0 : response.body.count
    }

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        precondition(value >= 0)
        if value < 10 {
            output.append(UInt8(truncatingIfNeeded: value) + 0x30)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[19 - count] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
                remaining /= 10
                count += 1
            }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }
}

/// The `Date` header line, rebuilt once per second.
struct DateLineCache {
    private var second: Int64 = -1
    private var line: [UInt8] = []

    mutating func line(wallMilliseconds: Int64) -> [UInt8] {
        let current = wallMilliseconds / 1_000
        if current != second {
            second = current
            line = Array("Date: \(TimeFormatting.httpDate(unixSeconds: current))\r\n".utf8)
        }
        return line
    }
}
