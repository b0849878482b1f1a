import COpenSSL
import Foundation

/// The hash functions an HMAC may use here.
public enum HMACAlgorithm: String, Sendable, CaseIterable {
    case sha256
    case sha512

    /// The length of the MAC in bytes.
    public var byteCount: Int {
        switch self {
        case .sha256: return 32
        case .sha512: return 64
        }
    }

    fileprivate var messageDigest: OpaquePointer {
        switch self {
        case .sha256: return EVP_sha256()
        case .sha512: return EVP_sha512()
        }
    }
}

/// HMAC (RFC 2104) in one call, through OpenSSL's one-shot `HMAC()`.
public enum HMACDigest {
    /// Keys beyond this size are refused as a programmer error: secrets are short, and `HMAC()` takes an `int` length.
    public static let keyBytesMax = 1 << 20

    public static func sha256(key: some ContiguousBytes, message: some ContiguousBytes) -> [UInt8] {
        compute(.sha256, key: key, message: message)
    }

    public static func sha512(key: some ContiguousBytes, message: some ContiguousBytes) -> [UInt8] {
        compute(.sha512, key: key, message: message)
    }

    public static func compute(
        _ algorithm: HMACAlgorithm, key: some ContiguousBytes, message: some ContiguousBytes
    ) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let succeeded = withNonNullBytes(key) { keyPointer, keyCount in
            precondition(keyCount <= keyBytesMax, "HMAC key of \(keyCount) bytes exceeds keyBytesMax")
            return withNonNullBytes(message) { messagePointer, messageCount in
                mac.withUnsafeMutableBufferPointer { output in
                    HMAC(algorithm.messageDigest, keyPointer, Int32(keyCount),
                         messagePointer, messageCount, output.baseAddress, &length) != nil
                }
            }
        }
        precondition(succeeded && Int(length) == algorithm.byteCount, "HMAC(\(algorithm.rawValue)) failed")
        return mac
    }
}
