import Core

/// The payloads a school publishes: one per invoice (dynamic) and one per student (static).
extension VietQRPayload {
    /// The dynamic code for paying what is still owed on an invoice.
    ///
    /// - Parameters:
    ///   - outstanding: the amount owed in đồng; must be positive.
    ///   - invoiceCode: the invoice's payment code; it starts the memo so reconciliation finds the invoice.
    ///   - note: optional text after the code (e.g. the student's name), shortened by `memo(code:note:)`.
    public static func invoice(
        bankBIN: String, accountNumber: String, service: VietQRService,
        outstanding: Money, invoiceCode: PaymentCode, note: String?
    ) throws(VietQRPartsError) -> VietQRPayload {
        guard invoiceCode.kind == .invoice else {
            throw .paymentCodeKindMismatch(code: invoiceCode.text, expected: .invoice)
        }
        return try VietQRPayload(
            bankBIN: bankBIN, accountNumber: accountNumber, service: service,
            amount: outstanding, memo: memo(code: invoiceCode, note: note))
    }

    /// The static code printed once for a student: no amount, the memo is the student's standing code.
    public static func student(
        bankBIN: String, accountNumber: String, service: VietQRService,
        standingCode: PaymentCode, note: String?
    ) throws(VietQRPartsError) -> VietQRPayload {
        guard standingCode.kind == .student else {
            throw .paymentCodeKindMismatch(code: standingCode.text, expected: .student)
        }
        return try VietQRPayload(
            bankBIN: bankBIN, accountNumber: accountNumber, service: service,
            amount: nil, memo: memo(code: standingCode, note: note))
    }

    /// The memo: the payment code, then the note's whole words while the memo stays within 25 characters.
    ///
    /// The note is folded to ASCII (`VietnameseText.asciiFolded`), and every character other than an ASCII
    /// letter or digit becomes a space, because bank apps and statements mangle punctuation. Words are
    /// appended in order; the first word that would pass 25 characters ends the memo, so a word is never cut.
    /// The code itself (at most `PaymentCode.lengthMax` = 10 characters) always fits and is never shortened.
    public static func memo(code: PaymentCode, note: String?) -> String {
        var memo = code.text
        precondition(memo.utf8.count <= VietQRLimits.memoCharactersMax)
        guard let note else { return memo }
        for word in noteWords(note) {
            guard memo.utf8.count + 1 + word.utf8.count <= VietQRLimits.memoCharactersMax else { break }
            memo += " " + word
        }
        return memo
    }

    /// The note's words, ASCII letters and digits only.
    static func noteWords(_ note: String) -> [Substring] {
        let folded = VietnameseText.asciiFolded(note)
        let cleaned = String(folded.unicodeScalars.map { isLetterOrDigit($0) ? Character($0) : " " })
        return cleaned.split(separator: " ")
    }

    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return false
        }
    }
}
