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
        if let latin = normalizedLatin(text) { return latin }
        return normalizedByDecomposition(text)
    }

    /// `normalized` through Foundation's canonical decomposition: the definition the fast paths agree with.
    static func normalizedByDecomposition(_ text: String) -> String {
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

    /// `normalized` of a text whose every scalar is of `LatinFold`'s ranges (Vietnamese names and memos
    /// with diacritics, precomposed or with combining marks), one table look-up per scalar instead of
    /// Foundation's decomposition of the whole text (2 % of the server's CPU per callback, on the names of
    /// the pupils a batch reads). nil when a scalar lies outside the table or folds to more than one output.
    ///
    /// Folding scalar by scalar gives what decomposing the whole text gives: canonical decomposition maps
    /// each scalar on its own, and the canonical reordering that follows only moves combining marks among
    /// themselves, between the same two letters — and marks are dropped or become separators, never letters.
    static func normalizedLatin(_ text: String) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSeparator = false
        for scalar in text.unicodeScalars {
            switch LatinFold.of(scalar) {
            case LatinFold.dropped: continue
            case LatinFold.separator: pendingSeparator = true
            case LatinFold.unfolded: return nil
            case let byte:
                if pendingSeparator && !output.isEmpty { output.append(UInt8(ascii: " ")) }
                pendingSeparator = false
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// What `normalizedByDecomposition` makes of each scalar of the Latin blocks Vietnamese is written in
    /// (U+0000–U+036F: ASCII, Latin-1, Latin Extended-A and B, IPA, spacing modifiers, combining marks;
    /// U+1E00–U+1EFF: Latin Extended Additional, where the precomposed Vietnamese letters lie), computed
    /// once from `normalizedByDecomposition` itself, so the table cannot disagree with it.
    enum LatinFold {
        /// A combining mark: no output, and no word break either.
        static let dropped: UInt8 = 0
        /// Neither letter nor digit after folding: a word break.
        static let separator: UInt8 = 0xFF
        /// Outside the table, or folding to more than one letter: only the decomposition can say.
        static let unfolded: UInt8 = 0xFE
        static let firstBlockEnd: UInt32 = 0x0370
        static let secondBlock: ClosedRange<UInt32> = 0x1E00...0x1EFF

        /// Per scalar of the two blocks, in order: `dropped`, `separator`, `unfolded` or the upper-case ASCII letter or digit.
        static let table: [UInt8] = {
            var table: [UInt8] = []
            table.reserveCapacity(Int(firstBlockEnd) + secondBlock.count)
            for value in (0..<firstBlockEnd).map({ $0 }) + Array(secondBlock) { table.append(fold(Unicode.Scalar(value)!)) }
            return table
        }()

        static func fold(_ scalar: Unicode.Scalar) -> UInt8 {
            let folded = foldedScalars(String(scalar))
            if folded.isEmpty { return dropped }
            let kept = folded.filter(isAsciiAlphanumeric)
            if kept.isEmpty { return separator }
            guard folded.count == 1 else { return unfolded }
            return UInt8(uppercased(kept[0]).value)
        }

        @inline(__always)
        static func of(_ scalar: Unicode.Scalar) -> UInt8 {
            let value = scalar.value
            if value < firstBlockEnd { return table[Int(value)] }
            if secondBlock.contains(value) { return table[Int(firstBlockEnd + value - secondBlock.lowerBound)] }
            return unfolded
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
