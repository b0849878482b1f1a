import Testing
@testable import Crypto

@Suite struct EncodingTests {
    @Test func hexRoundTripsEveryByte() throws {
        let all = (0...255).map { UInt8($0) }
        let text = Hex.encode(all)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(try Hex.decode(text) == all)
        #expect(Hex.encode([UInt8]()) == "")
        #expect(try Hex.decode("") == [])
    }

    @Test func hexDecodingIsStrict() throws {
        #expect(throws: CryptoError.invalidHex("odd number of digits (3)")) { try Hex.decode("abc") }          // odd length
        #expect(throws: CryptoError.invalidHex("character at offset 0 is not a lower-case hex digit")) { try Hex.decode("AB") }           // upper case under .lower
        #expect(throws: CryptoError.invalidHex("character at offset 1 is not a lower-case hex digit")) { try Hex.decode("0g") }
        #expect(throws: CryptoError.invalidHex("character at offset 0 is not a lower-case hex digit")) { try Hex.decode(" 0a ") }
        #expect(throws: CryptoError.invalidHex("character at offset 1 is not a lower-case hex digit")) { try Hex.decode("0x0a") }
        #expect(throws: CryptoError.invalidHex("character at offset 0 is not a lower-case hex digit")) { try Hex.decode("é") }  // two UTF-8 bytes
        #expect(try Hex.decode("ABcd", letterCase: .either) == [0xab, 0xcd])
        #expect(throws: CryptoError.invalidHex("character at offset 1 is not a hex digit")) { try Hex.decode("AG", letterCase: .either) }
    }

    @Test func base64URLMatchesRFC4648() throws {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
            ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
        }
        // The two characters where base64url differs from base64 (`+/` become `-_`).
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(try Base64URL.decode("-_8") == [0xfb, 0xff])
    }

    @Test func base64URLRoundTripsRandomLengths() throws {
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(try Base64URL.decode(text) == bytes)
        }
    }

    @Test func base64URLDecodingIsStrict() {
        #expect(throws: CryptoError.invalidBase64URL("character at offset 2 is not in the base64url alphabet")) { try Base64URL.decode("Zg==") }    // padding
        #expect(throws: CryptoError.invalidBase64URL("length 1 is impossible")) { try Base64URL.decode("Z") }       // impossible length
        #expect(throws: CryptoError.invalidBase64URL("character at offset 0 is not in the base64url alphabet")) { try Base64URL.decode("+/8") }     // standard alphabet
        #expect(throws: CryptoError.invalidBase64URL("non-zero trailing bits")) { try Base64URL.decode("Zh") }      // non-zero trailing bits
        #expect(throws: CryptoError.invalidBase64URL("non-zero trailing bits")) { try Base64URL.decode("Zm9") }     // non-zero trailing bits
        #expect(throws: CryptoError.invalidBase64URL("character at offset 2 is not in the base64url alphabet")) { try Base64URL.decode("Zm 9") }  // whitespace
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equal([0, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!ConstantTime.equal([UInt8](), [0] as [UInt8]))
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
    }

    @Test func secureRandomBytesDifferAndTokensAreBase64URL() throws {
        let first = try SecureRandom.bytes(count: 32)
        let second = try SecureRandom.bytes(count: 32)
        #expect(first.count == 32 && second.count == 32)
        #expect(first != second)  // a 2^-256 chance of a false failure
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
        let token = try SecureRandom.token(byteCount: 24)
        #expect(token.count == 32)
        #expect(try Base64URL.decode(token).count == 24)
    }
}
