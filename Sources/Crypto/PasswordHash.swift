import COpenSSL

/// Password hashes: PBKDF2-HMAC-SHA256 (OpenSSL's `PKCS5_PBKDF2_HMAC`) with a per-password random salt.
///
/// Stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url), so the work factor travels with each hash.
public enum PasswordHash {
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about 0.2 s of one core here, paid once per sign-in.
    public static let iterations = 210_000
    /// Fewer iterations than this are refused when verifying (a tampered or ancient hash).
    public static let iterationsMin = 100_000
    /// More than this would let a stored hash stall a worker (bounded work per sign-in).
    public static let iterationsMax = 5_000_000
    public static let saltBytes = 16
    public static let hashBytes = 32
    /// Longer passwords are refused before hashing: PBKDF2's cost grows with nothing but the iterations, but a bound keeps input sane.
    public static let passwordBytesMax = 256
    public static let passwordBytesMin = 10
    static let scheme = "pbkdf2-sha256"

    /// A new stored hash of `password` with a fresh salt.
    public static func make(_ password: String, iterations: Int = iterations) throws(CryptoError) -> String {
        let salt = try SecureRandom.bytes(count: saltBytes)
        let hash = derive(Array(password.utf8), salt: salt, iterations: iterations)
        return [scheme, String(iterations), Base64URL.encode(salt), Base64URL.encode(hash)].joined(separator: "$")
    }

    /// Whether `password` matches `stored`; false for a malformed stored hash. The final comparison is constant-time.
    public static func verify(_ password: String, stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme, let iterations = Int(parts[1]),
              (iterationsMin...iterationsMax).contains(iterations), password.utf8.count <= passwordBytesMax,
              let salt = try? Base64URL.decode(String(parts[2])), let expected = try? Base64URL.decode(String(parts[3])),
              expected.count == hashBytes else { return false }
        return ConstantTime.equal(derive(Array(password.utf8), salt: salt, iterations: iterations), expected)
    }

    /// The iteration count of a stored hash, nil when malformed (to re-hash hashes made with an older count).
    public static func iterations(of stored: String) -> Int? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme else { return nil }
        return Int(parts[1])
    }

    static func derive(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hashBytes)
        let status = password.withUnsafeBufferPointer { passwordBuffer in
            salt.withUnsafeBufferPointer { saltBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    // OpenSSL reads a NULL password of length 0 as the empty password.
                    let passwordPointer = UnsafeRawPointer(passwordBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                    return PKCS5_PBKDF2_HMAC(passwordPointer, Int32(password.count), saltBuffer.baseAddress, Int32(salt.count),
                                             Int32(iterations), EVP_sha256(), Int32(hashBytes), outputBuffer.baseAddress)
                }
            }
        }
        precondition(status == 1, "PKCS5_PBKDF2_HMAC failed")
        return output
    }
}
