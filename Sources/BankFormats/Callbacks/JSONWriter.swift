import Core
/// How `JSONWriter` spells a value. Output is always compact: no whitespace between tokens.
public struct JSONWriteOptions: Equatable, Sendable {
    /// Sort object members by key, at every depth (code point order, which is UTF-8 byte order).
    public var sortKeys: Bool
    /// Write every non-ASCII character as `\uXXXX` (lower-case hex, UTF-16 surrogate pairs beyond U+FFFF).
    public var escapeNonASCII: Bool
    /// Write `/` as `\/` (PHP's `json_encode` default).
    public var escapeSlash: Bool

    public init(sortKeys: Bool, escapeNonASCII: Bool, escapeSlash: Bool) {
        self.sortKeys = sortKeys
        self.escapeNonASCII = escapeNonASCII
        self.escapeSlash = escapeSlash
    }

    /// Members in their order, UTF-8 as is: for reply bodies.
    public static let compact = JSONWriteOptions(sortKeys: false, escapeNonASCII: false, escapeSlash: false)
}

/// Writes a `JSONValue` without recursion; numbers come out exactly as they were parsed.
public enum JSONWriter {
    /// An object or array being written: its members (or elements) and the next one to write.
    private enum OpenContainer {
        case object([JSONMember], next: Int)
        case array([JSONValue], next: Int)
    }

    public static func write(_ value: JSONValue, options: JSONWriteOptions) -> [UInt8] {
        var output: [UInt8] = []
        // Replies and signed bodies are a few hundred bytes: one allocation instead of a doubling series.
        output.reserveCapacity(512)
        var stack: [OpenContainer] = []
        var pending: JSONValue? = value
        while true {
            if let current = pending {
                pending = nil
                if let container = writeScalarOrOpen(current, options: options, into: &output) {
                    stack.append(container)
                }
            }
            guard let top = stack.indices.last else { break }
            switch stack[top] {
            case .object(let members, let next) where next < members.count:
                if next > 0 { output.append(UInt8(ascii: ",")) }
                writeString(members[next].key, options: options, into: &output)
                output.append(UInt8(ascii: ":"))
                pending = members[next].value
                stack[top] = .object(members, next: next + 1)
            case .array(let elements, let next) where next < elements.count:
                if next > 0 { output.append(UInt8(ascii: ",")) }
                pending = elements[next]
                stack[top] = .array(elements, next: next + 1)
            case .object:
                output.append(UInt8(ascii: "}"))
                stack.removeLast()
            case .array:
                output.append(UInt8(ascii: "]"))
                stack.removeLast()
            }
        }
        return output
    }

    /// Writes a scalar, or the opening bracket of a container and returns it to be filled.
    private static func writeScalarOrOpen(
        _ value: JSONValue, options: JSONWriteOptions, into output: inout [UInt8]
    ) -> OpenContainer? {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): writeString(text, options: options, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            return .array(elements, next: 0)
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let ordered = options.sortKeys
                ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                : members
            return .object(ordered, next: 0)
        }
        return nil
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, options: JSONWriteOptions, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        if options.escapeNonASCII {
            for scalar in text.unicodeScalars {
                guard scalar.value >= 0x80 else { writeASCII(UInt8(scalar.value), options: options, into: &output); continue }
                for unit in String(scalar).utf16 { writeUnicodeEscape(unit, into: &output) }
            }
        } else if !text.utf8.contains(where: { needsEscape($0, options: options) }) {
            // Most texts need no escape: copied whole (byte by byte, it showed in the inquiries' profile).
            output.append(contentsOf: text.utf8)
        } else {
            // UTF-8 bytes of non-ASCII characters are all >= 0x80, so they are copied as they are, with no per-character String.
            for byte in text.utf8 {
                if byte >= 0x80 { output.append(byte) } else { writeASCII(byte, options: options, into: &output) }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// True for the ASCII bytes `writeASCII` does not copy as they are.
    private static func needsEscape(_ byte: UInt8, options: JSONWriteOptions) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || (byte == 0x2F && options.escapeSlash)
    }

    private static func writeASCII(_ byte: UInt8, options: JSONWriteOptions, into output: inout [UInt8]) {
        switch byte {
        case 0x22, 0x5C: output.append(0x5C); output.append(byte)
        case 0x08: output.append(0x5C); output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(0x5C); output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(0x5C); output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(0x5C); output.append(UInt8(ascii: "r"))
        case 0x09: output.append(0x5C); output.append(UInt8(ascii: "t"))
        case 0x2F where options.escapeSlash: output.append(0x5C); output.append(0x2F)
        case 0x00..<0x20: writeUnicodeEscape(UInt16(byte), into: &output)
        default: output.append(byte)
        }
    }

    private static func writeUnicodeEscape(_ unit: UInt16, into output: inout [UInt8]) {
        output.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int(unit >> UInt16(shift) & 0xF)])
        }
    }
}
