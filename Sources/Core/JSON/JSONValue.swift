/// A parsed JSON value that keeps what a signature may depend on:
/// numbers as the exact text the sender wrote, object members in the sender's order.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number token exactly as written (`599000`, `-0.50`, `1e3`): never converted through `Double`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; the parser refuses duplicate keys, so a key names at most one member.
    case object([JSONMember])

    /// The member named `key` when `self` is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

public struct JSONMember: Equatable, Sendable {
    public let key: String
    public let value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Bounds on what the parser accepts, so a hostile body costs bounded memory and time.
public struct JSONLimits: Equatable, Sendable {
    public var bytesMax: Int
    public var depthMax: Int
    /// Every value counts, containers and scalars alike.
    public var valueCountMax: Int
    /// Decoded UTF-8 bytes of one string (keys included).
    public var stringBytesMax: Int
    public var numberBytesMax: Int

    public init(bytesMax: Int, depthMax: Int, valueCountMax: Int, stringBytesMax: Int, numberBytesMax: Int) {
        precondition(bytesMax > 0 && depthMax > 0 && valueCountMax > 0 && stringBytesMax > 0 && numberBytesMax > 0)
        self.bytesMax = bytesMax
        self.depthMax = depthMax
        self.valueCountMax = valueCountMax
        self.stringBytesMax = stringBytesMax
        self.numberBytesMax = numberBytesMax
    }
}

public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset in the input where the problem was found.
    public let offset: Int
    public let reason: Reason

    public enum Reason: Equatable, Sendable {
        case tooLarge(bytes: Int, limit: Int)
        case tooDeep(limit: Int)
        case tooManyValues(limit: Int)
        case stringTooLong(limit: Int)
        case numberTooLong(limit: Int)
        case unexpectedEnd
        case unexpectedByte(UInt8, expected: String)
        case invalidNumber
        case invalidEscape
        case loneSurrogate
        /// `\u0000`: refused because no text column downstream can store it.
        case nulCharacter
        case controlCharacter(UInt8)
        case invalidUTF8
        case duplicateKey(String)
        case trailingContent
    }

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "JSON at byte \(offset): \(reasonText)" }

    private var reasonText: String {
        switch reason {
        case .tooLarge(let bytes, let limit): return "\(bytes) bytes exceed the limit of \(limit)"
        case .tooDeep(let limit): return "nesting deeper than \(limit)"
        case .tooManyValues(let limit): return "more than \(limit) values"
        case .stringTooLong(let limit): return "string longer than \(limit) bytes"
        case .numberTooLong(let limit): return "number longer than \(limit) characters"
        case .unexpectedEnd: return "unexpected end of input"
        case .unexpectedByte(let byte, let expected): return "unexpected \(Self.show(byte)), expected \(expected)"
        case .invalidNumber: return "malformed number"
        case .invalidEscape: return "invalid escape sequence"
        case .loneSurrogate: return "unpaired UTF-16 surrogate in \\u escape"
        case .nulCharacter: return "NUL character (\\u0000) is not accepted"
        case .controlCharacter(let byte): return "unescaped control character \(Self.show(byte)) in string"
        case .invalidUTF8: return "string is not valid UTF-8"
        case .duplicateKey(let key): return "duplicate key \"\(key.prefix(64))\""
        case .trailingContent: return "content after the top-level value"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
    }
}
