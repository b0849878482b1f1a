/// An origin-form request target, split and strictly percent-decoded.
public struct RequestTarget: Sendable, Equatable {
    /// Decoded path, e.g. `/v1/schools/a b`.
    public var path: String
    /// Decoded segments; `/` has none, `/a/` has `["a", ""]`.
    public var segments: [String]
    public var query: [QueryItem]

    /// Parses `target` (the raw bytes between the spaces of the request line).
    ///
    /// Only origin-form (`/path?query`) is accepted: this is an origin server, and absolute-form (proxy requests)
    /// or asterisk-form (`OPTIONS *`) would only widen what must be checked. Path segments may not decode to
    /// `/`, a control character, `.` or `..`; escapes must be `%` and two hex digits; decoded text must be UTF-8.
    public static func parse(_ target: UnsafeRawBufferPointer) throws(HTTPParseError) -> RequestTarget {
        guard let first = target.first else { throw .target("empty request target") }
        guard first == UInt8(ascii: "/") else { throw .target(describeNonOriginForm(target)) }
        let queryStart = target.firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = queryStart ?? target.count
        let pathBytes = UnsafeRawBufferPointer(rebasing: target[0..<pathEnd])
        var hasEscape = false
        for byte in pathBytes {
            guard ByteClass.isPathChar(byte) else { throw .target("\(ByteClass.describe(byte)) in the path") }
            if byte == UInt8(ascii: "%") { hasEscape = true }
        }
        let segments = try decodeSegments(pathBytes)
        let path = hasEscape ? "/" + segments.joined(separator: "/") : String(decoding: pathBytes, as: UTF8.self)
        var query: [QueryItem] = []
        if let queryStart {
            query = try decodeQuery(UnsafeRawBufferPointer(rebasing: target[(queryStart + 1)...]))
        }
        return RequestTarget(path: path, segments: segments, query: query)
    }

    private static func describeNonOriginForm(_ target: UnsafeRawBufferPointer) -> String {
        if target.count == 1 && target[0] == UInt8(ascii: "*") {
            return "asterisk-form (*) is not accepted; send an origin-form path"
        }
        let text = String(decoding: target.prefix(16), as: UTF8.self).lowercased()
        if text.hasPrefix("http://") || text.hasPrefix("https://") {
            return "absolute-form targets are not accepted; send an origin-form path"
        }
        return "the request target must start with '/'"
    }

    private static func decodeSegments(_ path: UnsafeRawBufferPointer) throws(HTTPParseError) -> [String] {
        precondition(path.first == UInt8(ascii: "/"))
        if path.count == 1 { return [] }
        var segments: [String] = []
        var start = 1
        while start <= path.count {
            var end = start
            while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
            segments.append(try decodeSegment(UnsafeRawBufferPointer(rebasing: path[start..<end])))
            start = end + 1
        }
        return segments
    }

    private static func decodeSegment(_ raw: UnsafeRawBufferPointer) throws(HTTPParseError) -> String {
        if !raw.contains(UInt8(ascii: "%")) {
            // Path characters were checked: ASCII, no controls, no '/'. Only dot segments remain to refuse.
            let segment = String(decoding: raw, as: UTF8.self)
            if segment == "." || segment == ".." { throw .target("dot segments are not accepted in the path") }
            return segment
        }
        let decoded = try PercentDecoding.decode(raw, plusIsSpace: false, part: "path")
        for byte in decoded where byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "/") {
            throw .target("an escape in the path decodes to \(byte == 0x2F ? "'/'" : ByteClass.describe(byte))")
        }
        guard let segment = String(validating: decoded, as: UTF8.self) else {
            throw .target("the path is not valid UTF-8 after decoding")
        }
        if segment == "." || segment == ".." { throw .target("dot segments are not accepted in the path") }
        return segment
    }

    private static func decodeQuery(_ raw: UnsafeRawBufferPointer) throws(HTTPParseError) -> [QueryItem] {
        var items: [QueryItem] = []
        var start = 0
        while start < raw.count {
            var end = start
            while end < raw.count && raw[end] != UInt8(ascii: "&") { end += 1 }
            if end > start { items.append(try decodeQueryItem(UnsafeRawBufferPointer(rebasing: raw[start..<end]))) }
            start = end + 1
        }
        return items
    }

    private static func decodeQueryItem(_ raw: UnsafeRawBufferPointer) throws(HTTPParseError) -> QueryItem {
        for byte in raw where !ByteClass.isQueryChar(byte) {
            throw .target("\(ByteClass.describe(byte)) in the query")
        }
        let equals = raw.firstIndex(of: UInt8(ascii: "=")) ?? raw.count
        let name = try decodeQueryText(UnsafeRawBufferPointer(rebasing: raw[0..<equals]))
        let value = equals < raw.count ? try decodeQueryText(UnsafeRawBufferPointer(rebasing: raw[(equals + 1)...])) : ""
        return QueryItem(name: name, value: value)
    }

    private static func decodeQueryText(_ raw: UnsafeRawBufferPointer) throws(HTTPParseError) -> String {
        let decoded = try PercentDecoding.decode(raw, plusIsSpace: true, part: "query")
        if decoded.contains(0) { throw .target("an escape in the query decodes to NUL") }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw .target("the query is not valid UTF-8 after decoding")
        }
        return text
    }
}

/// Strict percent-decoding: `%` must be followed by two hex digits.
enum PercentDecoding {
    static func decode(_ raw: UnsafeRawBufferPointer, plusIsSpace: Bool, part: String) throws(HTTPParseError) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.count, ByteClass.isHexDigit(raw[index + 1]), ByteClass.isHexDigit(raw[index + 2])
                else { throw .target("a '%' in the \(part) is not followed by two hex digits") }
                decoded.append(ByteClass.hexValue(raw[index + 1]) << 4 | ByteClass.hexValue(raw[index + 2]))
                index += 3
            } else {
                decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? 0x20 : byte)
                index += 1
            }
        }
        return decoded
    }
}
