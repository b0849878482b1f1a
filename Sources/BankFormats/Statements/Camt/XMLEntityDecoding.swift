/// Character data decoding for the XML tokenizer: the five predefined entities and numeric
/// character references. Anything else after `&` is an error: without a DTD no other entity exists,
/// and none is ever expanded.
enum XMLEntityDecoding {
    /// The longest reference accepted between `&` and `;` (`#x10FFFF` is 8).
    static let referenceBytesMax = 10

    /// Appends `raw` to `output`, decoding references.
    /// - Returns: nil on success, else a message describing the bad reference.
    static func decode(_ raw: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> String? {
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte != UInt8(ascii: "&") {
                output.append(byte)
                index += 1
                continue
            }
            var end = index + 1
            while end < raw.count && raw[end] != UInt8(ascii: ";") && end - index <= referenceBytesMax { end += 1 }
            guard end < raw.count, raw[end] == UInt8(ascii: ";") else { return "'&' does not start a reference ending in ';'" }
            let name = UnsafeBufferPointer(rebasing: raw[(index + 1)..<end])
            guard let scalar = scalar(forReference: name) else {
                return "unknown or invalid reference '&\(String(decoding: name, as: UTF8.self));'"
            }
            appendUTF8(scalar, to: &output)
            index = end + 1
        }
        return nil
    }

    private static func scalar(forReference name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        switch String(decoding: name, as: UTF8.self) {
        case "lt": return 0x3C
        case "gt": return 0x3E
        case "amp": return 0x26
        case "quot": return 0x22
        case "apos": return 0x27
        default: break
        }
        guard name.count >= 2, name[0] == UInt8(ascii: "#") else { return nil }
        let isHex = name[1] == UInt8(ascii: "x")
        let digits = UnsafeBufferPointer(rebasing: name[(isHex ? 2 : 1)...])
        guard !digits.isEmpty, digits.count <= 7 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard let digitValue = hexValue(digit), isHex || digitValue < 10 else { return nil }
            value = value * (isHex ? 16 : 10) + digitValue
        }
        return isXMLCharacter(value) ? value : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// XML 1.0 `Char`: tab, LF, CR, and the ranges without surrogates and the two non-characters.
    static func isXMLCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    static func appendUTF8(_ value: UInt32, to output: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            output.append(UInt8(value))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | (value >> 6)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | (value >> 12)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        default:
            output.append(UInt8(0xF0 | (value >> 18)))
            output.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        }
    }
}
