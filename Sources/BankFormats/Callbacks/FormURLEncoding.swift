/// `application/x-www-form-urlencoded` as browsers and Java's `URLEncoder` (UTF-8) write it:
/// letters, digits and a few punctuation marks as is, space as `+`, every other UTF-8 byte as `%XX` (upper-case hex).
public enum FormURLEncoding {
    /// The punctuation left unencoded by the WHATWG URL standard and Java's `URLEncoder`.
    /// (PHP's `urlencode` encodes `*` too; .NET's `WebUtility.UrlEncode` leaves `!()` as well.)
    public static let standardUnreservedPunctuation = "*-._"

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    public static func encode(_ text: String, unreservedPunctuation: String = standardUnreservedPunctuation) -> String {
        let unreserved = Set(unreservedPunctuation.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                output.append(byte)
            case UInt8(ascii: " "):
                output.append(UInt8(ascii: "+"))
            default:
                if unreserved.contains(byte) {
                    output.append(byte)
                } else {
                    output.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes one name or value: `+` is a space, `%XX` a byte (either case); a stray `%`,
    /// a bad hex digit or bytes that are not UTF-8 are refused.
    public static func decode(_ text: Substring) throws(FormDecodingError) -> String {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < input.count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) else {
                    throw FormDecodingError.badPercentEscape(offset: index)
                }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        guard let decoded = String(validating: output, as: UTF8.self) else { throw FormDecodingError.notUTF8 }
        return decoded
    }

    /// Splits a raw query (`a=1&b=x+y`, without the `?`) into decoded parameters, in order.
    /// A parameter without `=` has an empty value; empty pieces (`a=1&&b=2`) are refused.
    public static func parseQuery(_ query: String) throws(FormDecodingError) -> [QueryParameter] {
        guard query.utf8.count <= CallbackLimits.queryBytesMax else {
            throw FormDecodingError.tooLarge(bytes: query.utf8.count, limit: CallbackLimits.queryBytesMax)
        }
        guard !query.isEmpty else { return [] }
        let pieces = query.split(separator: "&", omittingEmptySubsequences: false)
        guard pieces.count <= CallbackLimits.queryParameterCountMax else {
            throw FormDecodingError.tooManyParameters(limit: CallbackLimits.queryParameterCountMax)
        }
        var parameters: [QueryParameter] = []
        for piece in pieces {
            guard !piece.isEmpty else { throw FormDecodingError.emptyParameter }
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            let value = parts.count > 1 ? try decode(parts[1]) : ""
            parameters.append(QueryParameter(name: name, value: value))
        }
        return parameters
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

public struct QueryParameter: Equatable, Sendable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public enum FormDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case tooManyParameters(limit: Int)
    case emptyParameter
    case badPercentEscape(offset: Int)
    case notUTF8

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): return "query of \(bytes) bytes exceeds the limit of \(limit)"
        case .tooManyParameters(let limit): return "more than \(limit) query parameters"
        case .emptyParameter: return "empty query parameter (\"&&\" or a leading/trailing \"&\")"
        case .badPercentEscape(let offset): return "bad percent escape at offset \(offset) of a query component"
        case .notUTF8: return "query component is not UTF-8 once decoded"
        }
    }
}
