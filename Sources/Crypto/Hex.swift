import Foundation

/// Hexadecimal text for bytes: lower-case on output, strict on input.
public enum Hex {
    /// Which letter case `decode` accepts.
    public enum LetterCase: String, CaseIterable, Sendable {
        /// Only `0-9a-f`, what this module writes.
        case lower
        /// `0-9a-f` and `0-9A-F` (mixed too): for senders that write upper-case hex MACs.
        case either
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex, two digits per byte.
    public static func encode(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { raw in
            // Written into the String's own storage: no intermediate array (an audit row's body is encoded per callback).
            String(unsafeUninitializedCapacity: raw.count * 2) { text in
                for (index, byte) in raw.enumerated() {
                    text[2 * index] = digits[Int(byte >> 4)]
                    text[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
                return raw.count * 2
            }
        }
    }

    /// The bytes of an even-length hex text; anything else (odd length, a non-hex character,
    /// an upper-case letter under `.lower`, whitespace, a `0x` prefix) is refused.
    public static func decode(_ text: String, letterCase: LetterCase = .lower) throws(CryptoError) -> [UInt8] {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else {
            throw CryptoError.invalidHex("odd number of digits (\(characters.count))")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = value(of: characters[index], letterCase),
                  let low = value(of: characters[index + 1], letterCase) else {
                let offset = value(of: characters[index], letterCase) == nil ? index : index + 1
                throw CryptoError.invalidHex("character at offset \(offset) is not a \(letterCase == .lower ? "lower-case " : "")hex digit")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(of character: UInt8, _ letterCase: LetterCase) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where letterCase == .either:
            return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
