import Core
import Foundation

/// Text handling of statement lines: the same normalisation as `VietnameseText.normalized`, with a
/// fast path for the pure-ASCII memos banks send almost always, and memos made safe for the ledger.
enum StatementText {
    /// Equal to `VietnameseText.normalized(text)`. ASCII needs no Unicode decomposition: letters and
    /// digits are kept upper-cased, everything else separates words.
    static func normalized(_ text: String) -> String {
        let utf8 = text.utf8
        let isASCII = utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 } } ?? utf8.allSatisfy { $0 < 0x80 }
        return isASCII ? asciiNormalized(utf8) : VietnameseText.normalized(text)
    }

    private static func asciiNormalized(_ bytes: String.UTF8View) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingSeparator = false
        for byte in bytes {
            let upper: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): upper = byte
            case UInt8(ascii: "a")...UInt8(ascii: "z"): upper = byte - 0x20
            default:
                pendingSeparator = true
                continue
            }
            if pendingSeparator && !output.isEmpty { output.append(UInt8(ascii: " ")) }
            pendingSeparator = false
            output.append(upper)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` with control characters (line breaks inside a CSV memo, tabs, NUL, which PostgreSQL
    /// text cannot hold) as spaces, cut to `characterMax` characters as PostgreSQL counts them
    /// (`length()` counts code points, not Swift's grapheme clusters): what a bank transaction's
    /// memo, a ledger description or an audit column may hold, whatever the sender wrote.
    static func sanitized(_ text: String, characterMax: Int) -> String {
        var contiguous = text
        let clean = contiguous.withUTF8 { bytes in bytes.count <= characterMax && bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F } }
        if clean { return text }
        var output = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < characterMax else { break }
            output.append(scalar.isControlCharacter ? " " : scalar)
            count += 1
        }
        return String(output)
    }

    /// Trimmed of spaces; nil when nothing is left.
    static func nonEmpty(_ text: String?) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `haystack` contains `needle` as bytes (normalised memos are ASCII).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        let first = needle[0]
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var index = 1
                while index < needle.count && haystack[start + index] == needle[index] { index += 1 }
                if index == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
