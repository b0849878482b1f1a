/// A strict RFC 8259 parser without recursion: an explicit stack holds the open containers.
///
/// Refused: duplicate keys, lone surrogates, `\u0000`, control characters in strings, invalid UTF-8,
/// a byte-order mark, leading zeros, `NaN`/`Infinity`, comments, trailing commas and anything after the value.
public struct StrictJSONParser {
    let bytes: [UInt8]
    let limits: JSONLimits
    var offset = 0
    private var valueCount = 0
    private var stack: [OpenContainer] = []

    /// A container being filled.
    private struct OpenContainer {
        let isObject: Bool
        var elements: [JSONValue] = []
        var members: [JSONMember] = []
        var keys: Set<String> = []
        var pendingKey = ""

        var value: JSONValue { isObject ? .object(members) : .array(elements) }
    }

    public static func parse(_ bytes: [UInt8], limits: JSONLimits) throws(JSONError) -> JSONValue {
        guard bytes.count <= limits.bytesMax else {
            throw JSONError(offset: 0, reason: .tooLarge(bytes: bytes.count, limit: limits.bytesMax))
        }
        var parser = StrictJSONParser(bytes: bytes, limits: limits)
        return try parser.run()
    }

    private init(bytes: [UInt8], limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private mutating func run() throws(JSONError) -> JSONValue {
        var completed: JSONValue? = try readValueStart()
        while true {
            guard let value = completed else {
                completed = try readValueStart()
                continue
            }
            guard !stack.isEmpty else {
                skipWhitespace()
                guard offset == bytes.count else { throw JSONError(offset: offset, reason: .trailingContent) }
                return value
            }
            let top = stack.count - 1
            if stack[top].isObject {
                stack[top].members.append(JSONMember(key: stack[top].pendingKey, value: value))
            } else {
                stack[top].elements.append(value)
            }
            completed = try readAfterElement()
        }
    }

    /// Reads the start of a value: a whole scalar (returned), or an opening bracket
    /// (pushed; returns the empty container if it closes at once, else `nil` = "now read an element").
    private mutating func readValueStart() throws(JSONError) -> JSONValue? {
        skipWhitespace()
        let byte = try peek(expected: "a value")
        try countValue()
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return try open(isObject: byte == UInt8(ascii: "{"))
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        default:
            throw JSONError(offset: offset, reason: .unexpectedByte(byte, expected: "a value"))
        }
    }

    private mutating func open(isObject: Bool) throws(JSONError) -> JSONValue? {
        guard stack.count < limits.depthMax else { throw JSONError(offset: offset, reason: .tooDeep(limit: limits.depthMax)) }
        offset += 1
        stack.append(OpenContainer(isObject: isObject))
        skipWhitespace()
        let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        if try peek(expected: isObject ? "a key or '}'" : "a value or ']'") == closer {
            offset += 1
            return stack.removeLast().value
        }
        if isObject { try readKey() }
        return nil
    }

    /// After an element: a comma (then `nil`: read the next element) or the closing bracket (the finished container).
    private mutating func readAfterElement() throws(JSONError) -> JSONValue? {
        skipWhitespace()
        let isObject = stack[stack.count - 1].isObject
        let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let expected = isObject ? "',' or '}'" : "',' or ']'"
        let byte = try peek(expected: expected)
        offset += 1
        if byte == closer { return stack.removeLast().value }
        guard byte == UInt8(ascii: ",") else {
            throw JSONError(offset: offset - 1, reason: .unexpectedByte(byte, expected: expected))
        }
        if isObject { try readKey() }
        return nil
    }

    /// Reads `"key" :` into the open object, refusing a key it already holds.
    private mutating func readKey() throws(JSONError) {
        skipWhitespace()
        let keyOffset = offset
        let byte = try peek(expected: "a key")
        guard byte == UInt8(ascii: "\"") else {
            throw JSONError(offset: offset, reason: .unexpectedByte(byte, expected: "a string key"))
        }
        let key = try readString()
        let top = stack.count - 1
        guard stack[top].keys.insert(key).inserted else {
            throw JSONError(offset: keyOffset, reason: .duplicateKey(key))
        }
        stack[top].pendingKey = key
        skipWhitespace()
        let colon = try peek(expected: "':'")
        guard colon == UInt8(ascii: ":") else {
            throw JSONError(offset: offset, reason: .unexpectedByte(colon, expected: "':'"))
        }
        offset += 1
    }

    private mutating func countValue() throws(JSONError) {
        valueCount += 1
        guard valueCount <= limits.valueCountMax else {
            throw JSONError(offset: offset, reason: .tooManyValues(limit: limits.valueCountMax))
        }
    }

    private mutating func readLiteral(_ word: String) throws(JSONError) {
        for byte in word.utf8 {
            guard offset < bytes.count else { throw JSONError(offset: offset, reason: .unexpectedEnd) }
            guard bytes[offset] == byte else {
                throw JSONError(offset: offset, reason: .unexpectedByte(bytes[offset], expected: "'\(word)'"))
            }
            offset += 1
        }
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    private func peek(expected: String) throws(JSONError) -> UInt8 {
        guard offset < bytes.count else { throw JSONError(offset: offset, reason: .unexpectedEnd) }
        return bytes[offset]
    }
}
