import COpenSSL
import Foundation

/// SHA-256 (FIPS 180-4) computed by OpenSSL.
public enum SHA256Digest {
    public static let byteCount = 32

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let succeeded = withNonNullBytes(bytes) { pointer, count in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(pointer, count, output.baseAddress, &length, FetchedDigests.sha256, nil) == 1
            }
        }
        precondition(succeeded && length == UInt32(byteCount), "EVP_Digest(SHA-256) failed")
        return digest
    }
}

/// SHA-256 over input that arrives in pieces (a body read in chunks, a file).
///
/// Not `Sendable`: one hasher belongs to one task. `finalize()` may be called once.
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finalized = false

    public init() {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        precondition(EVP_DigestInit_ex(context, FetchedDigests.sha256, nil) == 1, "EVP_DigestInit_ex(SHA-256) failed")
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: some ContiguousBytes) {
        precondition(!finalized, "SHA256Hasher used after finalize()")
        let succeeded = withNonNullBytes(bytes) { pointer, count in
            EVP_DigestUpdate(context, pointer, count) == 1
        }
        precondition(succeeded, "EVP_DigestUpdate failed")
    }

    /// The digest of everything passed to `update`.
    public func finalize() -> [UInt8] {
        precondition(!finalized, "SHA256Hasher finalized twice")
        finalized = true
        var digest = [UInt8](repeating: 0, count: SHA256Digest.byteCount)
        var length: UInt32 = 0
        let succeeded = digest.withUnsafeMutableBufferPointer { output in
            EVP_DigestFinal_ex(context, output.baseAddress, &length) == 1
        }
        precondition(succeeded && length == UInt32(SHA256Digest.byteCount), "EVP_DigestFinal_ex failed")
        return digest
    }
}
