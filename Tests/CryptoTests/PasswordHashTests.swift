@testable import Crypto
import Testing

@Suite struct PasswordHashTests {
    /// PBKDF2-HMAC-SHA256, P = "password", S = "salt", c = 1 and c = 4096, dkLen = 32 (the published vectors).
    @Test func derivesThePublishedVectors() {
        #expect(Hex.encode(PasswordHash.derive(Array("password".utf8), salt: Array("salt".utf8), iterations: 1))
            == "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
        #expect(Hex.encode(PasswordHash.derive(Array("password".utf8), salt: Array("salt".utf8), iterations: 4096))
            == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
    }

    @Test func verifiesOnlyTheRightPassword() throws {
        let stored = try PasswordHash.make("đúng mật khẩu 2026", iterations: PasswordHash.iterationsMin)
        #expect(stored.hasPrefix("pbkdf2-sha256$100000$"))
        #expect(PasswordHash.verify("đúng mật khẩu 2026", stored: stored))
        #expect(!PasswordHash.verify("đúng mật khẩu 2027", stored: stored))
        #expect(!PasswordHash.verify("", stored: stored))
        let other = try PasswordHash.make("đúng mật khẩu 2026", iterations: PasswordHash.iterationsMin)
        #expect(other != stored, "each hash has its own salt")
    }

    @Test func refusesMalformedAndWeakenedHashes() throws {
        let stored = try PasswordHash.make("a password here", iterations: PasswordHash.iterationsMin)
        let weakened = stored.replacingOccurrences(of: "$100000$", with: "$1000$")
        #expect(!PasswordHash.verify("a password here", stored: weakened), "too few iterations is a tampered hash")
        #expect(!PasswordHash.verify("a password here", stored: "plain"))
        #expect(PasswordHash.iterations(of: stored) == 100_000)
    }
}
