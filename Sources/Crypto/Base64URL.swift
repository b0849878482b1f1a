import Foundation

/// Base64 with the URL-safe alphabet (RFC 4648 §5) and no padding: for tokens in URLs and headers.
public enum Base64URL {
    private static let alphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { raw in
            var text = [UInt8]()
            text.reserveCapacity((raw.count * 4 + 2) / 3)
            var index = 0
            while index + 3 <= raw.count {
                let group = UInt32(raw[index]) << 16 | UInt32(raw[index + 1]) << 8 | UInt32(raw[index + 2])
                appendCharacters(of: group, count: 4, to: &text)
                index += 3
            }
            let remaining = raw.count - index
            if remaining == 1 {
                appendCharacters(of: UInt32(raw[index]) << 16, count: 2, to: &text)
            } else if remaining == 2 {
                appendCharacters(of: UInt32(raw[index]) << 16 | UInt32(raw[index + 1]) << 8, count: 3, to: &text)
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// The bytes of canonical unpadded base64url: `=` padding, `+`, `/`, whitespace, an impossible
    /// length and non-zero leftover bits (a second spelling of the same bytes) are all refused.
    public static func decode(_ text: String) throws(CryptoError) -> [UInt8] {
        let characters = Array(text.utf8)
        guard characters.count % 4 != 1 else {
            throw CryptoError.invalidBase64URL("length \(characters.count) is impossible")
        }
        var sextets = [UInt32]()
        sextets.reserveCapacity(characters.count)
        for (offset, character) in characters.enumerated() {
            guard let sextet = value(of: character) else {
                throw CryptoError.invalidBase64URL("character at offset \(offset) is not in the base64url alphabet")
            }
            sextets.append(sextet)
        }
        return try assemble(sextets)
    }

    private static func assemble(_ sextets: [UInt32]) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(sextets.count * 3 / 4)
        var index = 0
        while index + 4 <= sextets.count {
            let group = sextets[index] << 18 | sextets[index + 1] << 12 | sextets[index + 2] << 6 | sextets[index + 3]
            bytes.append(UInt8(group >> 16 & 0xFF))
            bytes.append(UInt8(group >> 8 & 0xFF))
            bytes.append(UInt8(group & 0xFF))
            index += 4
        }
        let remaining = sextets.count - index
        if remaining == 2 {
            guard sextets[index + 1] & 0x0F == 0 else { throw CryptoError.invalidBase64URL("non-zero trailing bits") }
            bytes.append(UInt8((sextets[index] << 2 | sextets[index + 1] >> 4) & 0xFF))
        } else if remaining == 3 {
            guard sextets[index + 2] & 0x03 == 0 else { throw CryptoError.invalidBase64URL("non-zero trailing bits") }
            let group = sextets[index] << 12 | sextets[index + 1] << 6 | sextets[index + 2]
            bytes.append(UInt8(group >> 10 & 0xFF))
            bytes.append(UInt8(group >> 2 & 0xFF))
        }
        return bytes
    }

    private static func appendCharacters(of group: UInt32, count: Int, to text: inout [UInt8]) {
        for position in 0..<count {
            text.append(alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3F)])
        }
    }

    private static func value(of character: UInt8) -> UInt32? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(character - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(character - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(character - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
