import Core

/// Small byte-level helpers shared by the parsers: character classes, trimming, checked text.
enum TextBytes {
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || isUpper(byte) || (byte >= 0x61 && byte <= 0x7A)
    }
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// `bytes` without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lower = bytes.startIndex
        var upper = bytes.endIndex
        while lower < upper && isSpace(bytes[lower]) { lower += 1 }
        while upper > lower && isSpace(bytes[upper - 1]) { upper -= 1 }
        return bytes[lower..<upper]
    }

    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        for byte in bytes where !isSpace(byte) { return false }
        return true
    }

    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer where byte >= 0x80 { return false }
            return true
        }
    }


    /// Decodes UTF-8, refusing malformed bytes; the reason is for an error message.
    static func utf8(_ bytes: ArraySlice<UInt8>) -> String? {
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `YYMMDD` as a date, years 00–79 in this century and 80–99 in the last.
    static func dateYYMMDD(_ bytes: ArraySlice<UInt8>) -> CalendarDate? {
        guard bytes.count == 6, let yy = ASCIIDigits.value(bytes.prefix(2)),
              let mm = ASCIIDigits.value(bytes.dropFirst(2).prefix(2)), let dd = ASCIIDigits.value(bytes.suffix(2)) else { return nil }
        return try? CalendarDate(year: yy < 80 ? 2000 + yy : 1900 + yy, month: mm, day: dd)
    }

    /// Text of a byte slice for an error message: decoded leniently, shortened.
    static func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        let shown = bytes.prefix(80)
        let text = String(decoding: shown, as: UTF8.self)
        return "'" + text + (bytes.count > shown.count ? "…" : "") + "'"
    }
}
