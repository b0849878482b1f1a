extension StrictJSONParser {
    /// Reads `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns it verbatim.
    mutating func readNumber() throws(JSONError) -> String {
        let start = offset
        if byte(at: offset) == UInt8(ascii: "-") { offset += 1 }
        if byte(at: offset) == UInt8(ascii: "0") {
            offset += 1
            if isDigit(byte(at: offset)) { throw JSONError(offset: offset, reason: .invalidNumber) }
        } else {
            try readDigits()
        }
        if byte(at: offset) == UInt8(ascii: ".") {
            offset += 1
            try readDigits()
        }
        if byte(at: offset) == UInt8(ascii: "e") || byte(at: offset) == UInt8(ascii: "E") {
            offset += 1
            if byte(at: offset) == UInt8(ascii: "+") || byte(at: offset) == UInt8(ascii: "-") { offset += 1 }
            try readDigits()
        }
        guard offset - start <= limits.numberBytesMax else {
            throw JSONError(offset: start, reason: .numberTooLong(limit: limits.numberBytesMax))
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func readDigits() throws(JSONError) {
        guard isDigit(byte(at: offset)) else { throw JSONError(offset: offset, reason: .invalidNumber) }
        while isDigit(byte(at: offset)) { offset += 1 }
    }

    /// Reads a string starting at its opening quote; escapes are decoded, the result must be valid UTF-8.
    mutating func readString() throws(JSONError) -> String {
        let start = offset
        offset += 1
        // A string without escapes (nearly every one) becomes a String straight from the input's bytes.
        var plainEnd = offset
        while plainEnd < bytes.count, plainEnd - offset <= limits.stringBytesMax, bytes[plainEnd] >= 0x20,
              bytes[plainEnd] != UInt8(ascii: "\""), bytes[plainEnd] != UInt8(ascii: "\\") {
            plainEnd += 1
        }
        if plainEnd < bytes.count, plainEnd - offset <= limits.stringBytesMax, bytes[plainEnd] == UInt8(ascii: "\"") {
            guard let text = String(validating: bytes[offset..<plainEnd], as: UTF8.self) else {
                throw JSONError(offset: start, reason: .invalidUTF8)
            }
            offset = plainEnd + 1
            return text
        }
        var decoded: [UInt8] = []
        while true {
            // A run of plain bytes (the whole of most strings) is copied at once, not a byte per append.
            let run = offset
            while offset < bytes.count, bytes[offset] >= 0x20, bytes[offset] != UInt8(ascii: "\""), bytes[offset] != UInt8(ascii: "\\") {
                offset += 1
            }
            if offset > run {
                decoded.append(contentsOf: bytes[run..<offset])
                guard decoded.count <= limits.stringBytesMax else {
                    throw JSONError(offset: start, reason: .stringTooLong(limit: limits.stringBytesMax))
                }
            }
            guard offset < bytes.count else { throw JSONError(offset: offset, reason: .unexpectedEnd) }
            let current = bytes[offset]
            switch current {
            case UInt8(ascii: "\""):
                offset += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw JSONError(offset: start, reason: .invalidUTF8)
                }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &decoded)
            case 0x00..<0x20:
                throw JSONError(offset: offset, reason: .controlCharacter(current))
            default:
                decoded.append(current)
                offset += 1
            }
            guard decoded.count <= limits.stringBytesMax else {
                throw JSONError(offset: start, reason: .stringTooLong(limit: limits.stringBytesMax))
            }
        }
    }

    private mutating func readEscape(into decoded: inout [UInt8]) throws(JSONError) {
        let escapeOffset = offset
        offset += 1
        guard offset < bytes.count else { throw JSONError(offset: offset, reason: .unexpectedEnd) }
        let letter = bytes[offset]
        offset += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(letter)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try readUnicodeEscape(escapeOffset: escapeOffset)
            decoded.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw JSONError(offset: escapeOffset, reason: .invalidEscape)
        }
    }

    /// After `\u`: four hex digits, and for a high surrogate a following `\uDC00`–`\uDFFF`.
    private mutating func readUnicodeEscape(escapeOffset: Int) throws(JSONError) -> Unicode.Scalar {
        let unit = try readHexQuad()
        switch unit {
        case 0:
            throw JSONError(offset: escapeOffset, reason: .nulCharacter)
        case 0xD800...0xDBFF:
            guard byte(at: offset) == UInt8(ascii: "\\"), byte(at: offset + 1) == UInt8(ascii: "u") else {
                throw JSONError(offset: escapeOffset, reason: .loneSurrogate)
            }
            offset += 2
            let low = try readHexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(offset: escapeOffset, reason: .loneSurrogate) }
            let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw JSONError(offset: escapeOffset, reason: .invalidEscape) }
            return scalar
        case 0xDC00...0xDFFF:
            throw JSONError(offset: escapeOffset, reason: .loneSurrogate)
        default:
            guard let scalar = Unicode.Scalar(unit) else { throw JSONError(offset: escapeOffset, reason: .invalidEscape) }
            return scalar
        }
    }

    private mutating func readHexQuad() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw JSONError(offset: offset, reason: .unexpectedEnd) }
            let digit = bytes[offset]
            let nibble: UInt32
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt32(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt32(digit - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = UInt32(digit - UInt8(ascii: "A")) + 10
            default: throw JSONError(offset: offset, reason: .invalidEscape)
            }
            value = value << 4 | nibble
            offset += 1
        }
        return value
    }

    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
