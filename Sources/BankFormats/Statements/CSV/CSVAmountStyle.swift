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
        let decimalIndex = text.firstIndex(of: decimalSeparator)
        let integerPart = text[text.startIndex..<(decimalIndex ?? text.endIndex)]
        let fractionPart = decimalIndex.map { text[($0 + 1)...] } ?? []
        guard let integerDigits = groupedDigits(integerPart), fractionPart.allSatisfy(TextBytes.isDigit),
              !(integerDigits.isEmpty && fractionPart.isEmpty) else { throw invalid(cell) }
        var digits = integerDigits.isEmpty ? [UInt8(ascii: "0")] : integerDigits
        if !fractionPart.isEmpty {
            digits.append(UInt8(ascii: "."))
            digits.append(contentsOf: fractionPart)
        }
        do {
            let amount = try StatementAmount(parsing: digits, decimalSeparator: UInt8(ascii: "."), currency: currency)
            return negative ? amount.negated : amount
        } catch {
            throw CSVPatternError(message: "\(TextBytes.quoted(cell)): \(error)")
        }
    }

    /// The digits of an integer part with its thousands separators checked and removed.
    private func groupedDigits(_ part: ArraySlice<UInt8>) -> [UInt8]? {
        guard thousandsSeparator != 0, part.contains(thousandsSeparator) else {
            return part.allSatisfy(TextBytes.isDigit) ? Array(part) : nil
        }
        let groups = part.split(separator: thousandsSeparator, omittingEmptySubsequences: false)
        guard let first = groups.first, (1...3).contains(first.count) else { return nil }
        for group in groups {
            guard group.allSatisfy(TextBytes.isDigit), group.count == 3 || group.startIndex == first.startIndex else { return nil }
        }
        return Array(groups.joined())
    }

    private func invalid(_ cell: ArraySlice<UInt8>) -> CSVPatternError {
        let separator = thousandsSeparator == 0 ? "none" : "'\(Character(UnicodeScalar(thousandsSeparator)))'"
        return CSVPatternError(message: "\(TextBytes.quoted(cell)) is not an amount (thousands separator \(separator), decimal '\(Character(UnicodeScalar(decimalSeparator)))')")
    }
}
