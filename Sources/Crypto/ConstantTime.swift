import COpenSSL
import Foundation

/// Comparisons whose duration does not depend on where two secrets differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    ///
    /// The time depends only on the lengths, which are public here (MAC lengths are fixed by the algorithm);
    /// a length mismatch answers `false` without reading the bytes.
    public static func equal(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                guard left.count > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress else {
                    return true
                }
                return CRYPTO_memcmp(leftBase, rightBase, left.count) == 0
            }
        }
    }
}
