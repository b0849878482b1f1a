import Foundation

/// Runs `body` with a pointer that is never null, even for empty input:
/// some OpenSSL entry points treat a null pointer as "no key" rather than "empty key".
@inline(__always)
func withNonNullBytes<Result>(
    _ bytes: some ContiguousBytes,
    _ body: (UnsafePointer<UInt8>, Int) -> Result
) -> Result {
    bytes.withUnsafeBytes { raw in
        if let base = raw.baseAddress, raw.count > 0 {
            return body(base.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        var placeholder: UInt8 = 0
        return withUnsafePointer(to: &placeholder) { body($0, 0) }
    }
}
