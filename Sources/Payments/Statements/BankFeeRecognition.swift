/// Bank charges recognised from the bank's own transaction type, booked straight to the bank
/// fees expense instead of waiting in suspense for the accountant.
///
/// Only codes that mean "charges" by standard are trusted: the SWIFT MT940 `:61:` types `NCHG`,
/// `FCHG` (charges and other expenses), `NCOM`, `FCOM` (commission), and the ISO 20022 `BkTxCd`
/// sub-families `CHRG` (charges), `FEES` and `COMM` (commission) in camt.053. A bank's proprietary
/// code (`<Prtry>`) and memo words ("phí") are not: such lines go to suspense like any debit.
enum BankFeeRecognition {
    static let mt940Types: Set<String> = ["NCHG", "FCHG", "NCOM", "FCOM"]
    static let isoSubFamilies: Set<String> = ["CHRG", "FEES", "COMM"]

    /// True when `typeCode` (as the parsers deliver it: `NCHG`, or `ACMT/MDOP/CHRG`) names a charge.
    static func isFee(typeCode: String?) -> Bool {
        guard let code = typeCode?.uppercased(), !code.isEmpty else { return false }
        if mt940Types.contains(code) { return true }
        let parts = code.split(separator: "/", omittingEmptySubsequences: false)
        // Domain/family/sub-family from an ISO code; a proprietary code has no slashes.
        guard parts.count == 3, let subFamily = parts.last else { return false }
        return isoSubFamilies.contains(String(subFamily))
    }
}
