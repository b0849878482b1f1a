import Foundation

/// Normalisation of Vietnamese text for matching and for ASCII-only channels.
///
/// Bank memos arrive without diacritics, usually upper-cased, with dots, dashes,
/// underscores and slashes between words. Names and memos are compared only
/// after both went through `normalized(_:)`.
public enum VietnameseText {
    /// Upper-case ASCII letters and digits, words separated by single spaces.
    ///
    /// Unicode NFD, combining marks dropped, `đ/Đ → D`, upper-cased; every other
    /// character (`.`, `-`, `_`, `/`, punctuation, symbols, runs of white space) becomes one separator.
    public static func normalized(_ text: String) -> String {
        if let ascii = normalizedASCII(text) { return ascii }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var pendingSeparator = false
        for scalar in foldedScalars(text) {
            if isAsciiAlphanumeric(scalar) {
                if pendingSeparator && !output.isEmpty { output.append(" ") }
                pendingSeparator = false
                output.unicodeScalars.append(uppercased(scalar))
            } else {
                pendingSeparator = true
            }
        }
        return output
    }

    /// `normalized` of an all-ASCII text (most bank memos), straight from its bytes: NFD leaves ASCII
    /// as it is and it has no marks to drop, so Foundation's decomposition (5 % of the server's CPU per
    /// callback, in the matcher and the memo column) is skipped. nil when the text is not all ASCII.
    static func normalizedASCII(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var pendingSeparator = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if isAsciiAlphanumeric(Unicode.Scalar(byte)) {
                    if pendingSeparator && !output.isEmpty { output.append(UInt8(ascii: " ")) }
                    pendingSeparator = false
                    output.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte)
                } else {
                    pendingSeparator = true
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// ASCII text for channels that carry nothing else (VietQR memos, bank transfer
    /// descriptions): diacritics removed, case kept, characters outside printable ASCII dropped,
    /// white space runs collapsed.
    public static func asciiFolded(_ text: String) -> String {
        var output = ""
        var pendingSpace = false
        for scalar in foldedScalars(text) {
            if scalar.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            guard scalar.value >= 0x21 && scalar.value <= 0x7E else { continue }
            if pendingSpace && !output.isEmpty { output.append(" ") }
            pendingSpace = false
            output.unicodeScalars.append(scalar)
        }
        return output
    }

    /// Scalars after NFD with combining marks removed and `đ/Đ` mapped to `d/D`.
    /// The scalars `normalized` keeps a letter or digit of (ASCII ones, those whose canonical decomposition starts
    /// with one, and `đ`/`Đ`), as the body of a regular-expression class of `\uXXXX` ranges. Computed from
    /// `foldedScalars` itself over the Basic Multilingual Plane, where every such decomposition lies.
    public static let alphanumericClass: String = {
        var ranges: [ClosedRange<UInt32>] = []
        var lastStable = false
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value), foldedScalars(String(Character(scalar))).contains(where: isAsciiAlphanumeric) else {
                continue
            }
            // A scalar that composes to another (Kelvin sign → K) stands alone: some engines (Swift's) refuse it as a bound.
            let stable = String(Character(scalar)).precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual([scalar])
            if stable, lastStable, let last = ranges.last, last.upperBound + 1 == value {
                ranges[ranges.count - 1] = last.lowerBound...value
            } else {
                ranges.append(value...value)
            }
            lastStable = stable
        }
        func escaped(_ value: UInt32) -> String {
            let hex = String(value, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return ranges.map { $0.count == 1 ? escaped($0.lowerBound) : escaped($0.lowerBound) + "-" + escaped($0.upperBound) }.joined()
    }()

    static func foldedScalars(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0111: scalars.append("d")
            case 0x0110: scalars.append("D")
            default:
                if scalar.properties.generalCategory == .nonspacingMark { continue }
                scalars.append(scalar)
            }
        }
        return scalars
    }

    @inline(__always)
    static func isAsciiAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return false
        }
    }

    @inline(__always)
    static func uppercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value >= 0x61 && scalar.value <= 0x7A { return Unicode.Scalar(scalar.value - 0x20)! }
        return scalar
    }
}
