/// Whether the account a statement names is the school's bank account the import is for.
///
/// Statements write the account in several ways: `0011001234567`, `VCBVVNVX/0011001234567`
/// (MT940 `:25:` with the bank's BIC), `0011 0012 34567`, `0011001234567VND`. The comparison takes
/// the part after the last `/`, keeps letters and digits upper-cased, drops a trailing `VND`, and
/// requires the result to equal the account number exactly.
enum StatementAccountMatch {
    static func matches(statementAccount: String, accountNumber: String) -> Bool {
        let wanted = canonical(accountNumber)
        guard !wanted.isEmpty else { return false }
        let lastPart = statementAccount.split(separator: "/").last.map(String.init) ?? statementAccount
        let found = canonical(lastPart)
        return found == wanted || (found.hasSuffix("VND") && String(found.dropLast(3)) == wanted)
    }

    /// Letters and digits only, upper-cased.
    static func canonical(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }))
            .uppercased()
    }
}
