import Core

/// An MT940 balance field (`:60F:`, `:62M:`, `:64:`, `:65:`): mark `C`/`D`, date `YYMMDD`,
/// currency, amount with a decimal comma, e.g. `C240102VND1500000,00`.
/// An amount longer than SWIFT's 15 characters is read exactly (within the money bounds) and reported
/// in `longAmount`, for the parser to tolerate.
struct MT940BalanceField {
    var amount: StatementAmount
    var date: CalendarDate
    /// The tolerance message when the amount is longer than 15 characters.
    var longAmount: String?

    static func parse(_ content: ArraySlice<UInt8>) throws(MT940FieldError) -> MT940BalanceField {
        let text = TextBytes.trimmed(content)
        guard text.count >= 12 else { throw .init("\(TextBytes.quoted(text)) is not mark, YYMMDD, currency and amount") }
        let start = text.startIndex
        let isCredit: Bool
        switch text[start] {
        case UInt8(ascii: "C"): isCredit = true
        case UInt8(ascii: "D"): isCredit = false
        default: throw .init("mark \(TextBytes.quoted(text.prefix(1))) is not C or D")
        }
        guard let date = TextBytes.dateYYMMDD(text[(start + 1)..<(start + 7)]) else {
            throw .init("date \(TextBytes.quoted(text[(start + 1)..<(start + 7)])) is not YYMMDD")
        }
        let currency = String(decoding: text[(start + 7)..<(start + 10)], as: UTF8.self)
        let amountText = text[(start + 10)...]
        guard amountText.filter({ $0 == UInt8(ascii: ",") }).count == 1, amountText.first.map(TextBytes.isDigit) == true else {
            throw .init("amount \(TextBytes.quoted(amountText)) is not digits with one decimal comma")
        }
        let limit = MT940StatementLineField.amountCharactersMax
        let longAmount = amountText.count > limit
            ? "amount \(TextBytes.quoted(amountText)) is longer than \(limit) characters; read exactly" : nil
        do {
            let amount = try StatementAmount(parsing: amountText, decimalSeparator: UInt8(ascii: ","), currency: currency)
            return MT940BalanceField(amount: isCredit ? amount : amount.negated, date: date, longAmount: longAmount)
        } catch {
            throw .init(error.description)
        }
    }
}
