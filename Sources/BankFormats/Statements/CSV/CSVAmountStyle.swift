/// How a bank writes amounts: thousands and decimal separators, and negatives.
///
/// `1.500.000`, `1.500.000,00` (dots for thousands) or `1,500,000.00` (commas); negatives with a
/// leading `-` or, when allowed, in parentheses `(150,000)`. Thousands groups must have three digits,
/// so `1.5` in a dots-for-thousands file is an error instead of fifteen.
public struct CSVAmountStyle: Sendable, Equatable {
    /// 0 when amounts have no grouping.
    public let thousandsSeparator: UInt8
    public let decimalSeparator: UInt8
    public let parenthesesNegative: Bool

    init(thousandsSeparator: String, decimalSeparator: String, parenthesesNegative: Bool) throws(CSVPatternError) {
        let allowed: Set<String> = ["", ".", ",", " ", "'"]
        guard allowed.contains(thousandsSeparator) else {
            throw CSVPatternError(message: "thousandsSeparator '\(thousandsSeparator)' must be one of '', '.', ',', ' ', \"'\"")
        }
        guard decimalSeparator == "." || decimalSeparator == "," else {
            throw CSVPatternError(message: "decimalSeparator '\(decimalSeparator)' must be '.' or ','")
        }
        guard thousandsSeparator != decimalSeparator else { throw CSVPatternError(message: "thousands and decimal separators must differ") }
        self.thousandsSeparator = thousandsSeparator.utf8.first ?? 0
        self.decimalSeparator = decimalSeparator.utf8.first!
        self.parenthesesNegative = parenthesesNegative
    }

    /// The amount in `cell` (already trimmed), nil when the cell is empty.
    func amount(_ cell: ArraySlice<UInt8>, currency: String) throws(CSVPatternError) -> StatementAmount? {
        guard !cell.isEmpty else { return nil }
        var text = cell
        var negative = false
        if parenthesesNegative, text.first == UInt8(ascii: "("), text.last == UInt8(ascii: ")") {
            negative = true
            text = TextBytes.trimmed(text.dropFirst().dropLast())
        }
        if let sign = text.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            guard !negative || sign == UInt8(ascii: "+") else { throw invalid(cell) }
            negative = negative || sign == UInt8(ascii: "-")
            text = text.dropFirst()
        }
        guard let (units, scale) = digits(text) else { throw invalid(cell) }
        do {
            let amount = try StatementAmount(minorUnits: units, scale: scale, currency: currency)
            return negative ? amount.negated : amount
        } catch {
            throw CSVPatternError(message: "\(TextBytes.quoted(cell)): \(error)")
        }
    }

    /// One pass over `[digits with thousands separators][decimal separator digits]`: the value and its scale,
    /// nil when the grouping is wrong (groups after the first must have three digits) or there are too many digits.
    private func digits(_ text: ArraySlice<UInt8>) -> (Int64, Int)? {
        var units: Int64 = 0
        var significant = 0, scale = 0, groupDigits = 0, groups = 0
        var inFraction = false, sawDigit = false
        for byte in text {
            if TextBytes.isDigit(byte) {
                sawDigit = true
                if inFraction { scale += 1 } else { groupDigits += 1 }
                if units > 0 || byte != 0x30 { significant += 1 }
                guard significant <= StatementAmount.digitsMax, scale <= StatementAmount.scaleMax else { return nil }
                units = units * 10 + Int64(byte - 0x30)
            } else if byte == thousandsSeparator && thousandsSeparator != 0 && !inFraction {
                guard groups == 0 ? (1...3).contains(groupDigits) : groupDigits == 3 else { return nil }
                groups += 1
                groupDigits = 0
            } else if byte == decimalSeparator && !inFraction {
                guard groups == 0 || groupDigits == 3 else { return nil }
                inFraction = true
            } else {
                return nil
            }
        }
        guard sawDigit, inFraction || groups == 0 || groupDigits == 3 else { return nil }
        return (units, scale)
    }

    private func invalid(_ cell: ArraySlice<UInt8>) -> CSVPatternError {
        let separator = thousandsSeparator == 0 ? "none" : "'\(Character(UnicodeScalar(thousandsSeparator)))'"
        return CSVPatternError(message: "\(TextBytes.quoted(cell)) is not an amount (thousands separator \(separator), decimal '\(Character(UnicodeScalar(decimalSeparator)))')")
    }
}
