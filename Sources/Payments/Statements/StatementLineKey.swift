import Core
import Crypto

/// The duplicate key of a statement line, unique per school and bank account (`statement_lines`).
///
/// - With the bank's reference (camt `AcctSvcrRef`, MT940 `//` reference, the CSV transaction
///   number): `r:<reference>`, plus `/<n>` for the n-th `TxDtls` of a split camt entry. The same
///   reference with another date or amount is a conflict, never a new line.
/// - Without one: a fingerprint `f:<booking date>:<signed amount>:<SHA-256 of the normalised memo>`
///   plus `#<occurrence>`, the n-th identical line of that day in the file (added in SQL, see
///   `StatementStaging`), so two genuine identical payments on one day are both kept and a file
///   imported again, or one that overlaps it by whole days, adds nothing.
enum StatementLineKey {
    static let referencePrefix = "r:"
    static let hashedReferencePrefix = "rh:"
    static let fingerprintPrefix = "f:"

    /// The key without the occurrence index (which only fingerprints get).
    static func base(reference: String?, detailIndex: Int?, bookedOn: CalendarDate, amount: Int64, normalizedMemo: String) -> String {
        if let reference {
            let detail = detailIndex.map { "/\($0)" } ?? ""
            if reference.utf8.count <= StatementImportLimits.referenceKeyBytesMax {
                return referencePrefix + reference + detail
            }
            return hashedReferencePrefix + Hex.encode(SHA256Digest.hash(Array(reference.utf8))) + detail
        }
        let memoHash = Hex.encode(SHA256Digest.hash(Array(normalizedMemo.utf8)))
        return fingerprintPrefix + bookedOn.iso + ":" + String(amount) + ":" + memoHash
    }

    static func isFingerprint(_ base: String) -> Bool { base.hasPrefix(fingerprintPrefix) }
}
