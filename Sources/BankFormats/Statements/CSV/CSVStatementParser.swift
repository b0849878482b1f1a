import Core

/// Reads one bank's CSV export as one statement, driven by its format description.
///
/// The header row is the first of the first `headerSearchRowsMax` rows where every required column's
/// name appears (after `VietnameseText.normalized`: no diacritics, upper case). Rows before it may carry
/// the account number and opening balance by label. After it, a row whose date cell holds a date is a
/// transaction; a blank row is skipped; a row carrying a balance or account label is read as such; a row
/// starting with a footer prefix ends the table (later rows are only read for labels); any other row is an error.
struct CSVStatementParser<Consumer: StatementConsumer> {
    var reader: CSVRecordReader
    var delivery: StatementDelivery<Consumer>
    let format: CSVFormatDescription
    var columns: [CSVFormatDescription.Field: Int] = [:]
    /// `columns` by `Field.ordinal`, -1 where absent: looked up for every cell of every row.
    var columnIndexes = [Int](repeating: -1, count: CSVFormatDescription.Field.allCases.count)
    var headerNames: [CSVFormatDescription.Field: String] = [:]
    var statement: Statement
    var hasBegun = false
    private var footerReached = false

    init(input: ChunkedInput, format: CSVFormatDescription, consumer: Consumer) {
        reader = CSVRecordReader(input: input, delimiter: format.delimiter, quote: format.quote)
        delivery = StatementDelivery(consumer: consumer, file: input.file)
        self.format = format
        statement = Statement(index: 0, position: SourcePosition(line: 1))
        statement.currency = format.currency
    }

    mutating func run() throws {
        try findHeader()
        while try reader.next() {
            try readDataRow()
        }
        try beginIfNeeded()
        try delivery.end(statement)
    }

    // MARK: Header

    private mutating func findHeader() throws {
        for _ in 0..<StatementLimits.headerSearchRowsMax {
            guard try reader.next() else { break }
            let row = try rowText()
            if let found = CSVStatementParser.headerColumns(row, format: format) {
                columns = found
                for (field, index) in found { columnIndexes[field.ordinal] = index }
                for (field, index) in found { headerNames[field] = row.cells[index] }
                statement.position = SourcePosition(line: reader.recordLine)
                return
            }
            try readLabels(row)
        }
        let wanted = format.requiredColumns.map { format.columns[$0]!.first! }.joined(separator: ", ")
        throw StatementParseError(.format, file: reader.file,
                                  message: "no header row with the columns \(wanted) in the first \(StatementLimits.headerSearchRowsMax) rows (format \(format.id))")
    }

    /// The column of each described field when `row` holds every required one.
    static func headerColumns(_ row: CSVRowText, format: CSVFormatDescription) -> [CSVFormatDescription.Field: Int]? {
        var found: [CSVFormatDescription.Field: Int] = [:]
        for (field, names) in format.columns {
            if let index = row.normalized.firstIndex(where: { names.contains($0) }) { found[field] = index }
        }
        return format.requiredColumns.allSatisfy { found[$0] != nil } ? found : nil
    }

    private func rowText() throws -> CSVRowText {
        switch CSVRowText.read(reader) {
        case .success(let row): return row
        case .failure(let error):
            throw StatementParseError(.encoding, file: reader.file, line: reader.recordLine, field: "column \(error.column + 1)",
                                      message: "is not valid \(format.encoding == .utf8 ? "UTF-8" : "text")")
        }
    }

    // MARK: Labels

    /// Reads account and balance labels; true when the row was a label row.
    @discardableResult
    private mutating func readLabels(_ row: CSVRowText) throws -> Bool {
        if let (_, value) = row.value(forLabels: format.accountLabels) {
            let account = String(value.split(separator: " ").first ?? "")
            guard statement.account == nil || statement.account == account else {
                throw labelError("a second account number '\(account)' (first '\(statement.account!)')")
            }
            guard !hasBegun || statement.account == account else { throw labelError("the account number must come before the transactions") }
            statement.account = account
            return true
        }
        for (labels, kind) in [(format.openingBalanceLabels, StatementBalanceKind.opening), (format.closingBalanceLabels, .closing)] {
            guard let (label, value) = row.value(forLabels: labels) else { continue }
            guard !statement.balances.contains(where: { $0.kind == kind }) else { throw labelError("a second \(kind.rawValue) balance row '\(label)'") }
            let amount: StatementAmount?
            do { amount = try format.amountStyle.amount(Array(value.utf8)[...], currency: format.currency) } catch {
                throw labelError("'\(label)': \(error.message)")
            }
            statement.balances.append(StatementBalance(kind: kind, code: label, amount: amount!, date: nil,
                                                       position: SourcePosition(line: reader.recordLine)))
            return true
        }
        return false
    }

    private func labelError(_ message: String) -> StatementParseError {
        StatementParseError(.structure, file: reader.file, line: reader.recordLine, message: message)
    }

    // MARK: Data rows

    private mutating func readDataRow() throws {
        if !footerReached, let date = bookingDate() {
            if try hasAmount() { return try readTransaction(date: date) }
        }
        let row = try rowText()
        if row.isBlank { return }
        if try readLabels(row) || footerReached { return }
        if row.startsWithAny(format.footerPrefixes) {
            footerReached = true
            return
        }
        let cell = cellText(.bookingDate)
        let formats = format.dateFormats.map(\.text).joined(separator: " or ")
        throw StatementParseError(.syntax, file: reader.file, line: reader.recordLine, field: headerNames[.bookingDate],
                                  message: "'\(cell)' is not a date (\(formats)), and the row is not a label, blank or footer row")
    }

    private func bookingDate() -> CalendarDate? {
        let text = cell(.bookingDate)
        for pattern in format.dateFormats {
            if let date = pattern.date(text) { return date }
        }
        return nil
    }

    func cell(_ field: CSVFormatDescription.Field) -> ArraySlice<UInt8> {
        let index = columnIndexes[field.ordinal]
        guard index >= 0, index < reader.fieldCount else { return [] }
        return TextBytes.trimmed(reader.field(index))
    }

    func cellText(_ field: CSVFormatDescription.Field) -> String {
        String(decoding: cell(field), as: UTF8.self)
    }

    /// Whether the header row has `field`'s column: by `columnIndexes`, as it is asked for every row.
    func hasColumn(_ field: CSVFormatDescription.Field) -> Bool {
        columnIndexes[field.ordinal] >= 0
    }

    private func hasAmount() throws -> Bool {
        if hasColumn(.amount) { return !cell(.amount).isEmpty }
        return !cell(.debit).isEmpty || !cell(.credit).isEmpty
    }

    mutating func beginIfNeeded() throws {
        guard !hasBegun else { return }
        hasBegun = true
        try delivery.begin(statement)
    }
}
