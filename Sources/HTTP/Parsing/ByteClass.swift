/// Character classes of RFC 9110, RFC 9112 and RFC 3986 as a 256-entry table.
enum ByteClass {
    private static let token: UInt8 = 1 << 0
    private static let fieldValue: UInt8 = 1 << 1
    private static let pathChar: UInt8 = 1 << 2
    private static let queryChar: UInt8 = 1 << 3
    private static let hostChar: UInt8 = 1 << 4
    private static let hexDigit: UInt8 = 1 << 5

    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        func mark(_ characters: String, _ flag: UInt8) {
            for byte in characters.utf8 { table[Int(byte)] |= flag }
        }
        let alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        let digit = "0123456789"
        let unreserved = alpha + digit + "-._~"
        let subDelims = "!$&'()*+,;="
        mark(alpha + digit + "!#$%&'*+-.^_`|~", token)
        mark(unreserved + subDelims + ":@/%", pathChar)
        mark(unreserved + subDelims + ":@/%?", queryChar)
        mark(unreserved + subDelims + ":[]%", hostChar)
        mark(digit + "abcdefABCDEF", hexDigit)
        for byte in 0x21...0xFF where byte != 0x7F { table[byte] |= fieldValue }
        table[0x20] |= fieldValue
        table[0x09] |= fieldValue
        return table
    }()

    @inline(__always) static func isToken(_ byte: UInt8) -> Bool { table[Int(byte)] & token != 0 }
    @inline(__always) static func isFieldValue(_ byte: UInt8) -> Bool { table[Int(byte)] & fieldValue != 0 }
    @inline(__always) static func isPathChar(_ byte: UInt8) -> Bool { table[Int(byte)] & pathChar != 0 }
    @inline(__always) static func isQueryChar(_ byte: UInt8) -> Bool { table[Int(byte)] & queryChar != 0 }
    @inline(__always) static func isHostChar(_ byte: UInt8) -> Bool { table[Int(byte)] & hostChar != 0 }
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool { table[Int(byte)] & hexDigit != 0 }
    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    @inline(__always) static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: preconditionFailure("not a hex digit")
        }
    }

    /// Whether `bytes` equals the lower-case ASCII `lowercase`, ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for index in 0..<bytes.count where lowercased(bytes[index]) != expected[index] {
            return false
        }
        return true
    }

    /// Describes a byte that broke a rule, without echoing client data.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x00: "NUL"
        case 0x0D: "bare CR"
        case 0x0A: "bare LF"
        case 0x09: "tab"
        case 0x20: "space"
        case 0x01..<0x20, 0x7F: "control character"
        case 0x80...: "non-ASCII byte"
        default: "character '\(Character(Unicode.Scalar(byte)))'"
        }
    }
}
