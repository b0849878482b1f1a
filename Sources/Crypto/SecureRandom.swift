import COpenSSL

/// Bytes from OpenSSL's cryptographically secure generator.
public enum SecureRandom {
    /// The most bytes one call hands out: tokens and keys are short.
    public static let byteCountMax = 1 << 16

    public static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0 && count <= byteCountMax, "SecureRandom.bytes(count: \(count)) out of range")
        var bytes = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return bytes }
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            RAND_bytes(buffer.baseAddress, Int32(count))
        }
        guard status == 1 else { throw CryptoError.randomUnavailable }
        return bytes
    }

    /// A random token of `byteCount` bytes written as unpadded base64url (URL- and header-safe).
    public static func token(byteCount: Int) throws(CryptoError) -> String {
        Base64URL.encode(try bytes(count: byteCount))
    }
}
