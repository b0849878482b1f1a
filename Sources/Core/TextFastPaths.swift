import Foundation

/// Foundation text routines with a byte-level answer for the common case (ASCII at the edges, ASCII
/// names): the same result, without `CharacterSet` lookups or Unicode case mapping for every call.
/// Each falls back to Foundation's own routine whenever the fast answer could differ
/// (`TextFastPathTests` compares both on varied input, Vietnamese with combining marks included).
public enum TextFastPaths {
    /// `text.trimmingCharacters(in: .whitespaces)`. `.whitespaces` holds U+0009 and the space
    /// separators (Zs); the only ASCII ones are tab and space. When the first and the last scalar are
    /// ASCII and neither of those, trimming removes nothing and `text` is the answer (a header value
    /// of a signed callback, every time: trimming it through Foundation was 1.6 % of the server's CPU).
    public static func trimmedOfWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return text }
        if isASCIIKeptByTrimming(first) && isASCIIKeptByTrimming(last) { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    @inline(__always)
    static func isASCIIKeptByTrimming(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 && scalar != " " && scalar != "\t"
    }

    /// `a.lowercased() == b.lowercased()`, compared byte by byte when both are ASCII (header names
    /// always are: HTTP field names are tokens); Unicode case mapping only otherwise.
    public static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        let answer: Bool? = a.withUTF8 { x in
            b.withUTF8 { y -> Bool? in
                guard x.count == y.count else {
                    // Lengths differ: unequal unless case mapping changes a length (non-ASCII only).
                    return x.allSatisfy { $0 < 0x80 } && y.allSatisfy { $0 < 0x80 } ? false : nil
                }
                for (p, q) in zip(x, y) {
                    guard p < 0x80, q < 0x80 else { return nil }
                    if p != q && asciiLower(p) != asciiLower(q) { return false }
                }
                return true
            }
        }
        return answer ?? (a.lowercased() == b.lowercased())
    }

    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}

extension TextFastPaths {
    /// `text.lowercased()`, byte by byte when `text` is ASCII (a header name); Unicode case mapping otherwise.
    public static func lowercased(_ text: String) -> String {
        var text = text
        let lowered: String?? = text.withUTF8 { bytes in
            var upper = 0
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if byte >= 0x41 && byte <= 0x5A { upper += 1 }
            }
            guard upper > 0 else { return .some(nil) }
            return String(unsafeUninitializedCapacity: bytes.count) { output in
                for (index, byte) in bytes.enumerated() { output[index] = asciiLower(byte) }
                return bytes.count
            }
        }
        switch lowered {
        case .none: return text.lowercased()
        case .some(.none): return text
        case .some(.some(let lowered)): return lowered
        }
    }
}
