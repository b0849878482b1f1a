/// A `multipart/form-data` body (RFC 7578) as the browser's file-upload form sends it: strict and bounded.
///
/// Only what an HTML form produces is accepted: a boundary from the `Content-Type` header, parts separated by
/// CRLF `--boundary`, each with a `Content-Disposition: form-data; name="…"` header (and `filename="…"` for a
/// file) and optionally a `Content-Type`. Anything else — no boundary, a part without a name, too many parts or
/// headers, a missing closing delimiter — is an error naming what is wrong, never a guess.
public struct MultipartFormData: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        /// Set for a file input (possibly empty when the browser sent no file).
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]
    }

    /// Parts accepted at most (a console form has a handful of fields and one file).
    public static let partsMax = 16
    /// Header lines per part at most (browsers send one or two).
    public static let headersPerPartMax = 8
    /// Bytes of one part's header block at most.
    public static let headerBytesMax = 1_024
    /// RFC 2046: a boundary is 1 to 70 characters.
    public static let boundaryBytesMax = 70

    public private(set) var parts: [Part]

    /// The first part named `name`.
    public subscript(name: String) -> Part? { parts.first { $0.name == name } }

    /// The text of the first non-file part named `name`, when it is UTF-8.
    public func text(_ name: String) -> String? {
        guard let part = self[name], part.filename == nil else { return nil }
        return String(validating: part.body, as: UTF8.self)
    }

    /// The boundary of a `multipart/form-data` content type; nil for any other type or a malformed boundary.
    public static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = contentType.split(separator: ";").map { $0.trimmingSpaces() }
        guard let first = pieces.first, first.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "="), piece[..<equals].trimmingSpaces().lowercased() == "boundary" else { continue }
            var value = piece[piece.index(after: equals)...].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard (1...boundaryBytesMax).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") })
            else { return nil }
            return value
        }
        return nil
    }

    /// Parses `body` sent with `contentType`.
    public init(body: [UInt8], contentType: String?) throws(MultipartError) {
        guard let boundary = Self.boundary(contentType: contentType) else { throw .notMultipart }
        let delimiter = Array("--\(boundary)".utf8)
        guard body.starts(with: delimiter) else { throw .missingFirstBoundary }
        let separator = Array("\r\n--\(boundary)".utf8)
        var parts: [Part] = []
        var cursor = delimiter.count
        while true {
            // After a delimiter: "--" closes the body, CRLF starts a part.
            if body[cursor...].starts(with: [0x2D, 0x2D]) { break }
            guard body[cursor...].starts(with: [0x0D, 0x0A]) else { throw .malformedDelimiter }
            cursor += 2
            guard parts.count < Self.partsMax else { throw .tooManyParts(max: Self.partsMax) }
            guard let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: cursor, limit: Self.headerBytesMax + 4) else {
                throw .malformedPartHeaders(part: parts.count + 1)
            }
            var part = try Self.headers(Array(body[cursor..<headerEnd]), index: parts.count + 1)
            let contentStart = headerEnd + 4
            guard let contentEnd = Self.find(separator, in: body, from: contentStart, limit: nil) else { throw .missingClosingBoundary }
            part.body = Array(body[contentStart..<contentEnd])
            parts.append(part)
            cursor = contentEnd + separator.count
        }
        self.parts = parts
    }

    static func headers(_ block: [UInt8], index: Int) throws(MultipartError) -> Part {
        guard let text = String(validating: block, as: UTF8.self) else { throw .malformedPartHeaders(part: index) }
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard lines.count <= headersPerPartMax else { throw .malformedPartHeaders(part: index) }
        var name: String?
        var filename: String?
        var contentType: String?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedPartHeaders(part: index) }
            let field = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            switch field {
            case "content-disposition":
                let parameters = try dispositionParameters(value, index: index)
                name = parameters["name"]
                filename = parameters["filename"]
            case "content-type": contentType = value
            default: continue // Content-Transfer-Encoding and the like: RFC 7578 says to ignore them.
            }
        }
        guard let name, !name.isEmpty else { throw .unnamedPart(part: index) }
        return Part(name: name, filename: filename, contentType: contentType, body: [])
    }

    /// `form-data; name="x"; filename="y.csv"`: the quoted parameters (browsers escape `"` as `%22`).
    static func dispositionParameters(_ value: String, index: Int) throws(MultipartError) -> [String: String] {
        var rest = Substring(value)
        guard let semicolon = rest.firstIndex(of: ";"), rest[..<semicolon].trimmingSpaces().lowercased() == "form-data" else {
            throw .malformedPartHeaders(part: index)
        }
        rest = rest[rest.index(after: semicolon)...]
        var parameters: [String: String] = [:]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingSpaces().lowercased()
            rest = rest[rest.index(after: equals)...]
            let parsedValue: Substring
            if rest.first == "\"" {
                let afterQuote = rest.index(after: rest.startIndex)
                guard let close = rest[afterQuote...].firstIndex(of: "\"") else { throw .malformedPartHeaders(part: index) }
                parsedValue = rest[afterQuote..<close]
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                parsedValue = rest[..<end]
                rest = rest[end...]
            }
            if parameters[key] == nil { parameters[key] = String(parsedValue) }
        }
        return parameters
    }

    /// The first index of `needle` in `haystack` at or after `start`, looking at most `limit` bytes ahead.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, limit: Int?) -> Int? {
        let end = min(haystack.count, limit.map { start + $0 } ?? haystack.count) - needle.count
        guard start <= end, let first = needle.first else { return nil }
        var index = start
        while index <= end {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// Why a `multipart/form-data` body was refused.
public enum MultipartError: Error, Equatable, Sendable, CustomStringConvertible {
    case notMultipart
    case missingFirstBoundary
    case malformedDelimiter
    case malformedPartHeaders(part: Int)
    case unnamedPart(part: Int)
    case tooManyParts(max: Int)
    case missingClosingBoundary

    public var description: String {
        switch self {
        case .notMultipart: return "the form was not sent as multipart/form-data with a boundary"
        case .missingFirstBoundary: return "the body does not start with the boundary"
        case .malformedDelimiter: return "a boundary is followed by neither a new part nor the end"
        case .malformedPartHeaders(let part): return "part \(part) has malformed or too many headers"
        case .unnamedPart(let part): return "part \(part) has no form-data name"
        case .tooManyParts(let max): return "the form has more than \(max) parts"
        case .missingClosingBoundary: return "the body ends before its closing boundary"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
