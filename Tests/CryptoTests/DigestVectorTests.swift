import Testing
@testable import Crypto

/// Known-answer tests: NIST SHA-256 examples and the RFC 4231 HMAC test cases.
@Suite struct DigestVectorTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func repeated(_ byte: UInt8, _ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }

    @Test func sha256MatchesNISTExamples() {
        #expect(Hex.encode(SHA256Digest.hash(Self.bytes("abc")))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256Digest.hash([UInt8]()))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256Digest.hash(Self.bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let long = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(Hex.encode(SHA256Digest.hash(Self.bytes(long)))
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func streamingSHA256OfAMillionAs() {
        let hasher = SHA256Hasher()
        let chunk = Self.repeated(UInt8(ascii: "a"), 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingEqualsOneShotAtEverySplit() {
        let message = Self.bytes("The quick brown fox jumps over the lazy dog, then pays tuition.")
        let expected = SHA256Digest.hash(message)
        for split in 0...message.count {
            let hasher = SHA256Hasher()
            hasher.update(Array(message[..<split]))
            hasher.update([UInt8]())
            hasher.update(Array(message[split...]))
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    struct RFC4231Case: Sendable {
        let number: Int
        let key: [UInt8]
        let data: [UInt8]
        let sha256: String
        let sha512: String
        /// Test case 5 publishes only the first 128 bits of each MAC.
        var truncated: Bool { number == 5 }
    }

    static let rfc4231: [RFC4231Case] = [
        RFC4231Case(number: 1, key: repeated(0x0b, 20), data: bytes("Hi There"),
                    sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                    sha512: "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                        + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
        RFC4231Case(number: 2, key: bytes("Jefe"), data: bytes("what do ya want for nothing?"),
                    sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                    sha512: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                        + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
        RFC4231Case(number: 3, key: repeated(0xaa, 20), data: repeated(0xdd, 50),
                    sha256: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                    sha512: "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
                        + "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"),
        RFC4231Case(number: 4, key: Array(1...25), data: repeated(0xcd, 50),
                    sha256: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                    sha512: "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
                        + "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"),
        RFC4231Case(number: 5, key: repeated(0x0c, 20), data: bytes("Test With Truncation"),
                    sha256: "a3b6167473100ee06e0c796c2955552b",
                    sha512: "415fad6271580a531d4179bc891d87a6"),
        RFC4231Case(number: 6, key: repeated(0xaa, 131), data: bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
                    sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                    sha512: "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                        + "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
        RFC4231Case(number: 7, key: repeated(0xaa, 131),
                    data: bytes("This is a test using a larger than block-size key and a larger than block-size data."
                        + " The key needs to be hashed before being used by the HMAC algorithm."),
                    sha256: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                    sha512: "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
                        + "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"),
    ]

    @Test(arguments: rfc4231)
    func hmacMatchesRFC4231(_ vector: RFC4231Case) {
        var sha256 = Hex.encode(HMACDigest.sha256(key: vector.key, message: vector.data))
        var sha512 = Hex.encode(HMACDigest.sha512(key: vector.key, message: vector.data))
        #expect(sha256.count == 64 && sha512.count == 128)
        if vector.truncated {
            sha256 = String(sha256.prefix(32))
            sha512 = String(sha512.prefix(32))
        }
        #expect(sha256 == vector.sha256, "test case \(vector.number), SHA-256")
        #expect(sha512 == vector.sha512, "test case \(vector.number), SHA-512")
        #expect(HMACDigest.compute(.sha512, key: vector.key, message: vector.data)
            == HMACDigest.sha512(key: vector.key, message: vector.data))
    }

    @Test func hmacWithEmptyKeyAndMessage() {
        // Checked with `openssl mac -digest SHA256 -macopt hexkey: HMAC < /dev/null`.
        #expect(Hex.encode(HMACDigest.sha256(key: [UInt8](), message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(HMACDigest.sha256(key: [UInt8](), message: Self.bytes("a"))
            != HMACDigest.sha256(key: [UInt8](), message: [UInt8]()))
    }
}
