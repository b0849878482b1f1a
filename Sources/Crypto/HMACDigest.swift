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

    /// The hash's block size in bytes: the HMAC key is padded to it.
    fileprivate var blockByteCount: Int {
        switch self {
        case .sha256: return 64
        case .sha512: return 128
        }
    }

    fileprivate var messageDigest: OpaquePointer {
        switch self {
        case .sha256: return FetchedDigests.sha256
        case .sha512: return FetchedDigests.sha512
        }
    }
}

/// Hash implementations fetched from OpenSSL's default provider once per process. `EVP_sha256()` and
/// OpenSSL's one-shot `HMAC()` look the implementation up by name on every use, under a lock shared by
/// every thread: about 1.2 µs per HMAC, and more when two event loops verify signatures at once, against
/// ~0.4 µs computed here from a fetched digest (docs/collection.md §7, sixteenth round).
enum FetchedDigests {
    private static let sha256Digest = FetchedDigest("SHA256")
    private static let sha512Digest = FetchedDigest("SHA512")
    static var sha256: OpaquePointer { sha256Digest.pointer }
    static var sha512: OpaquePointer { sha512Digest.pointer }
}

/// One fetched `EVP_MD`. `@unchecked Sendable`: OpenSSL's fetched algorithm objects are immutable once
/// fetched and meant to be shared by threads; this one is never freed.
final class FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ name: String) {
        guard let digest = EVP_MD_fetch(nil, name, nil) else { preconditionFailure("OpenSSL has no \(name)") }
        pointer = digest
    }
}

/// HMAC (RFC 2104) in one call: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)), on OpenSSL's hash fetched once
/// (`FetchedDigests`).
public enum HMACDigest {
    /// Keys beyond this size are refused as a programmer error: secrets are short.
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
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        // A key longer than the block is replaced by its hash (RFC 2104 §2); a shorter one is padded with zeros.
        var block = withNonNullBytes(key) { pointer, count -> [UInt8] in
            precondition(count <= keyBytesMax, "HMAC key of \(count) bytes exceeds keyBytesMax")
            return count > algorithm.blockByteCount
                ? digest(algorithm, context, [UnsafeRawBufferPointer(start: pointer, count: count)])
                : Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
        block += [UInt8](repeating: 0, count: algorithm.blockByteCount - block.count)
        let inner = block.map { $0 ^ 0x36 }, outer = block.map { $0 ^ 0x5c }
        let innerDigest = withNonNullBytes(message) { pointer, count in
            inner.withUnsafeBytes { pad in digest(algorithm, context, [pad, UnsafeRawBufferPointer(start: pointer, count: count)]) }
        }
        return outer.withUnsafeBytes { pad in
            innerDigest.withUnsafeBytes { digest(algorithm, context, [pad, $0]) }
        }
    }

    /// The hash of `pieces` one after another, computed in `context` (reset by the init).
    private static func digest(_ algorithm: HMACAlgorithm, _ context: OpaquePointer, _ pieces: [UnsafeRawBufferPointer]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        var succeeded = EVP_DigestInit_ex(context, algorithm.messageDigest, nil) == 1
        for piece in pieces where succeeded && piece.count > 0 {
            succeeded = EVP_DigestUpdate(context, piece.baseAddress, piece.count) == 1
        }
        succeeded = succeeded && output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) == 1 }
        precondition(succeeded && Int(length) == algorithm.byteCount, "SHA-\(algorithm.byteCount * 8) failed")
        return output
    }
}
