/// Parsing of single lines of a request head (without their CRLF). Pure functions over bytes.
enum HeadLines {
    struct RequestLine {
        var method: HTTPMethod
        var target: Range<Int>
        var version: HTTPVersion
    }

    struct FieldLine {
        var name: Range<Int>
        var value: Range<Int>
    }

    /// `method SP request-target SP HTTP-version`, single spaces only (RFC 9112 §3).
    static func parseRequestLine(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> RequestLine {
        var index = 0
        while index < line.count && ByteClass.isToken(line[index]) { index += 1 }
        guard index > 0, index < line.count, line[index] == 0x20 else {
            let problem = index < line.count ? ByteClass.describe(line[index]) : "end of line"
            throw .requestLine(index == 0 ? "the method is missing or invalid" : "\(problem) after the method")
        }
        let method = HTTPMethod.fromToken(UnsafeRawBufferPointer(rebasing: line[0..<index]))
        let targetStart = index + 1
        index = targetStart
        while index < line.count && line[index] != 0x20 {
            guard line[index] > 0x20 && line[index] < 0x7F else {
                throw .requestLine("\(ByteClass.describe(line[index])) in the request target")
            }
            index += 1
        }
        guard index > targetStart, index < line.count else {
            throw .requestLine(index == targetStart ? "the request target is empty" : "the HTTP version is missing")
        }
        let version = try parseVersion(UnsafeRawBufferPointer(rebasing: line[(index + 1)...]))
        return RequestLine(method: method, target: targetStart..<index, version: version)
    }

    /// `HTTP/DIGIT.DIGIT`: 1.0 and 1.1 are served, other well-formed versions are 505.
    static func parseVersion(_ text: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPVersion {
        let prefix: StaticString = "HTTP/"
        let prefixBytes = UnsafeRawBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard text.count == 8, text.prefix(5).elementsEqual(prefixBytes), text[6] == UInt8(ascii: "."),
            (0x30...0x39).contains(text[5]), (0x30...0x39).contains(text[7])
        else {
            let bad = text.first { !(0x21...0x7E).contains($0) }
            throw .requestLine(bad.map { "\(ByteClass.describe($0)) in the HTTP version" } ?? "malformed HTTP version")
        }
        switch (text[5], text[7]) {
        case (0x31, 0x31): return .http1_1
        case (0x31, 0x30): return .http1_0
        default: throw .version("only HTTP/1.0 and HTTP/1.1 are served")
        }
    }

    /// `field-name ":" OWS field-value OWS` with no whitespace before the colon and no obs-fold (RFC 9112 §5).
    static func parseFieldLine(_ line: UnsafeRawBufferPointer, number: Int) throws(HTTPParseError) -> FieldLine {
        precondition(!line.isEmpty)
        if ByteClass.isWhitespace(line[0]) { throw .field(number, "obsolete line folding is not accepted") }
        var index = 0
        while index < line.count && ByteClass.isToken(line[index]) { index += 1 }
        guard index < line.count, line[index] == UInt8(ascii: ":"), index > 0 else {
            guard index < line.count else { throw .field(number, "the colon is missing") }
            let byte = line[index]
            if ByteClass.isWhitespace(byte) { throw .field(number, "whitespace between the field name and the colon") }
            throw .field(number, index == 0 ? "the field name is empty" : "\(ByteClass.describe(byte)) in the field name")
        }
        let name = 0..<index
        var start = index + 1
        var end = line.count
        while start < end && ByteClass.isWhitespace(line[start]) { start += 1 }
        while end > start && ByteClass.isWhitespace(line[end - 1]) { end -= 1 }
        for position in start..<end where !ByteClass.isFieldValue(line[position]) {
            throw .field(number, "\(ByteClass.describe(line[position])) in the field value")
        }
        return FieldLine(name: name, value: start..<end)
    }
}
