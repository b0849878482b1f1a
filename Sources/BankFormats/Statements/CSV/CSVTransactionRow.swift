import Core

extension CSVStatementParser {
    /// A row with a date and an amount: one statement line.
    mutating func readTransaction(date: CalendarDate) throws {
        try beginIfNeeded()
        var line = StatementLine(statementIndex: 0, amount: try signedAmount(), position: SourcePosition(line: reader.recordLine))
        line.bookingDate = date
        line.valueDate = try valueDate() ?? date
        line.memo = try text(.memo, limit: StatementLimits.memoBytesMax) ?? ""
        line.bankReference = try text(.reference, limit: StatementLimits.valueBytesMax)
        line.counterpartyName = try text(.counterpartyName, limit: StatementLimits.valueBytesMax)
        line.counterpartyAccount = try text(.counterpartyAccount, limit: StatementLimits.valueBytesMax)
        line.balanceAfter = try amount(.balance)
        try delivery.line(line)
    }

    /// The signed amount: the amount column, or credit minus debit (the debit column's sign is ignored).
    private func signedAmount() throws -> StatementAmount {
        if hasColumn(.amount) { return try amount(.amount)! }
        let debit = try amount(.debit)
        let credit = try amount(.credit)
        switch (debit.map { !$0.isZero } ?? false, credit.map { !$0.isZero } ?? false) {
        case (true, true):
            throw rowError(nil, "the row has both a debit (\(cellText(.debit))) and a credit (\(cellText(.credit)))")
        case (true, false): return debit!.magnitude.negated
        case (false, true): return credit!
        case (false, false): return (credit ?? debit)!
        }
    }

    private func amount(_ field: CSVFormatDescription.Field) throws -> StatementAmount? {
        do throws(CSVPatternError) { return try format.amountStyle.amount(cell(field), currency: format.currency) } catch {
            throw rowError(field, error.message)
        }
    }

    private func valueDate() throws -> CalendarDate? {
        let text = cell(.valueDate)
        guard !text.isEmpty else { return nil }
        for pattern in format.dateFormats {
            if let date = pattern.date(text) { return date }
        }
        throw rowError(.valueDate, "'\(cellText(.valueDate))' is not a date")
    }

    private func text(_ field: CSVFormatDescription.Field, limit: Int) throws -> String? {
        let bytes = cell(field)
        guard !bytes.isEmpty else { return nil }
        guard bytes.count <= limit else { throw rowError(field, "longer than \(limit) bytes") }
        guard let text = TextBytes.utf8(bytes) else {
            throw StatementParseError(.encoding, file: reader.file, line: reader.recordLine, field: headerNames[field], message: "is not valid UTF-8")
        }
        // A value that spanned lines inside quotes becomes one line.
        return bytes.contains(0x0A) || bytes.contains(0x0D) ? CSVLineText.singleLine(text) : text
    }

    func rowError(_ field: CSVFormatDescription.Field?, _ message: String) -> StatementParseError {
        StatementParseError(.syntax, file: reader.file, line: reader.recordLine, field: field.flatMap { headerNames[$0] }, message: message)
    }
}

enum CSVLineText {
    /// A memo that spanned lines inside quotes, as one line.
    static func singleLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces }.joined(separator: " ")
    }
}
