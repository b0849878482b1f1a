import Core

/// Reads MT940 statements line by line and delivers them as they complete.
///
/// A field runs from its `:NN[a]:` tag to the next tag; lines in between continue it. SWIFT block
/// wrappers (`{1:...}{2:...}{4:`) and trailers (`-}`, `{5:...}`) are skipped; a trailer ends the
/// statement. A `:61:` line is held until the next field so that its `:86:` can join it.
///
/// Tolerated, each with a warning (refused with `strict`): text before a message's `:20:` (bank header
/// lines such as `ABNANL2A`, `940`, `:940:`), fields outside the standard (`:NS:`, unknown tags), and
/// what `MT940StatementLineField` and `MT940BalanceField` tolerate inside a field.
///
/// With `intraday`, the messages are MT942 interim reports: no opening or closing balance; the
/// floor limit `:34F:` (whose first three letters are the currency) opens the lines, and a message
/// ends at its trailer or the next `:20:`.
struct MT940Parser<Consumer: StatementConsumer> {
    private var reader: LineReader
    var delivery: StatementDelivery<Consumer>
    private var fieldTag = ""
    private var fieldBytes: [UInt8] = []
    private var fieldLine = 0
    private var statement: Statement?
    /// Copies of the open statement's index and currency, read for every line without touching `statement`
    /// (reading through the optional would copy the whole statement each time).
    private var isStatementOpen = false
    private var openIndex = 0
    private var openCurrency = ""
    private var statementsStarted = 0
    private var hasBegun = false
    private var phase = Phase.header
    private var pendingLine: StatementLine?
    private var pendingLineHasInformation = false
    /// `pendingLine != nil`, kept apart because testing the optional copies the line.
    private var hasPendingLine = false

    private enum Phase { case header, lines, closed }

    /// Fields of related message types that carry nothing for a statement.
    private static var ignoredTags: Set<String> { ["21", "13", "13D", "34F", "90D", "90C", "23"] }

    /// MT942 (see the type's comment).
    private let intraday: Bool

    init(input: ChunkedInput, consumer: Consumer, strict: Bool = false, intraday: Bool = false) {
        self.intraday = intraday
        reader = LineReader(input: input)
        delivery = StatementDelivery(consumer: consumer, file: input.file, strict: strict)
        fieldBytes.reserveCapacity(1024)
    }

    mutating func run() throws {
        while try reader.next() {
            try handle(reader.line[...])
        }
        try flushField()
        try endStatementIfOpen()
        guard statementsStarted > 0 else {
            throw StatementParseError(.structure, file: reader.file, line: reader.lineNumber,
                                      message: intraday ? "no MT942 message (no :20: field)" : "no MT940 statement (no :20: field)")
        }
    }

    private mutating func handle(_ physicalLine: ArraySlice<UInt8>) throws {
        var line = physicalLine
        if MT940Parser.isBlockHeader(line) {
            // Block headers; the text block's first field may follow `{4:` on the same line.
            try flushField()
            guard let blockStart = MT940Parser.textBlockStart(line) else { return }
            line = line[blockStart...]
        }
        if TextBytes.isBlank(line) { return }
        if line.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "}")]) || TextBytes.trimmed(line).elementsEqual([UInt8(ascii: "-")]) {
            try flushField()
            try endStatementIfOpen()
            return
        }
        if let (tag, contentStart) = MT940Parser.tag(of: line) {
            try flushField()
            fieldTag = tag
            fieldLine = reader.lineNumber
            fieldBytes.removeAll(keepingCapacity: true)
            fieldBytes.append(contentsOf: line[contentStart...])
            return
        }
        if fieldTag.isEmpty || MT940Parser.isClosingTag(fieldTag) {
            // Outside any message: a bank's header line before the next :20: (never inside a statement's fields).
            try flushField()
            try endStatementIfOpen()
            return try tolerateHeaderLine(line)
        }
        guard fieldBytes.count + 1 + line.count <= StatementLimits.mt940FieldBytesMax else {
            throw error(.limit, line: fieldLine, field: ":\(fieldTag):", "field longer than \(StatementLimits.mt940FieldBytesMax) bytes")
        }
        fieldBytes.append(0x0A)
        fieldBytes.append(contentsOf: line)
    }

    /// The balances that end a statement and never continue on a second line: text after one of them
    /// belongs to the next message's header (banks that write no `-` between messages).
    private static func isClosingTag(_ tag: String) -> Bool {
        tag == "62F" || tag == "62M" || tag == "64" || tag == "65"
    }

    private mutating func tolerateHeaderLine(_ line: ArraySlice<UInt8>) throws {
        guard !delivery.strict else {
            throw error(.syntax, line: reader.lineNumber, field: nil, "text \(TextBytes.quoted(line)) is outside any :NN: field"
                        + " (refused in strict mode: \(StatementTolerance.headerLine.rawValue))")
        }
        try delivery.tolerate(.headerLine, line: reader.lineNumber, field: nil,
                              "text \(TextBytes.quoted(line)) before the message's :20: field skipped (a bank header line)")
    }

    /// `{1:` to `{5:` at the start of a line: SWIFT block headers and trailers, not field text.
    private static func isBlockHeader(_ line: ArraySlice<UInt8>) -> Bool {
        let s = line.startIndex
        return line.count >= 3 && line[s] == UInt8(ascii: "{") && (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(line[s + 1])
            && line[s + 2] == UInt8(ascii: ":")
    }

    /// The index after `{4:` when the line opens the text block; nil for other blocks.
    private static func textBlockStart(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index + 2 < line.endIndex {
            if line[index] == UInt8(ascii: "{") && line[index + 1] == UInt8(ascii: "4") && line[index + 2] == UInt8(ascii: ":") {
                return index + 3
            }
            index += 1
        }
        return nil
    }

    /// `:NN:`, `:NNa:` or the non-standard `:NS:` at the start of a line: the tag and where its content starts.
    static func tag(of line: ArraySlice<UInt8>) -> (String, Int)? {
        let s = line.startIndex
        if line.count >= 4, line[s..<(s + 4)].elementsEqual(":NS:".utf8) { return ("NS", s + 4) }
        guard line.count >= 4, line[s] == UInt8(ascii: ":"), TextBytes.isDigit(line[s + 1]), TextBytes.isDigit(line[s + 2]) else {
            return nil
        }
        if line[s + 3] == UInt8(ascii: ":") { return (String(decoding: line[(s + 1)..<(s + 3)], as: UTF8.self), s + 4) }
        guard line.count >= 5, TextBytes.isUpper(line[s + 3]), line[s + 4] == UInt8(ascii: ":") else { return nil }
        return (String(decoding: line[(s + 1)..<(s + 4)], as: UTF8.self), s + 5)
    }

    private mutating func flushField() throws {
        guard !fieldTag.isEmpty else { return }
        let tag = fieldTag
        fieldTag = ""
        try process(tag: tag, content: fieldBytes[...])
    }

    private mutating func process(tag: String, content: ArraySlice<UInt8>) throws {
        if tag == "20" { return try startStatement(content) }
        guard isStatementOpen else {
            throw error(.structure, line: fieldLine, field: ":\(tag):", "comes before the statement's :20: field")
        }
        switch tag {
        case "25": statement!.account = try text(content, tag: tag)
        case "28C", "28": try readStatementNumber(content, tag: tag)
        case "60F", "60M": try readOpeningBalance(content, tag: tag)
        case "61": try readStatementLine(content)
        case "86": try readInformation(content)
        case "62F", "62M": try readClosingBalance(content, tag: tag)
        case "64", "65": try readOtherBalance(content, tag: tag)
        case "34F" where intraday: try readFloorLimit(content)
        default:
            guard MT940Parser.ignoredTags.contains(tag) else {
                return try delivery.tolerate(.nonStandardField, line: fieldLine, field: ":\(tag):",
                                             "is not a field of an MT940 statement; skipped")
            }
        }
    }

    private mutating func startStatement(_ content: ArraySlice<UInt8>) throws {
        try endStatementIfOpen()
        var next = Statement(index: statementsStarted, position: SourcePosition(line: fieldLine))
        next.statementID = try text(content, tag: "20")
        statementsStarted += 1
        statement = next
        isStatementOpen = true
        openIndex = next.index
        openCurrency = ""
        hasBegun = false
        phase = .header
    }

    private mutating func endStatementIfOpen() throws {
        guard let current = statement else { return }
        guard phase == .closed || intraday else {
            throw error(.structure, line: reader.lineNumber, field: ":62F:",
                        "statement \(current.statementID ?? "") from line \(current.position.line) ends without a closing balance")
        }
        try deliverPendingLine()
        try beginIfNeeded()
        try delivery.end(current)
        statement = nil
        isStatementOpen = false
    }

    private mutating func beginIfNeeded() throws {
        guard !hasBegun, isStatementOpen else { return }
        hasBegun = true
        try delivery.begin(statement!)
    }

    private mutating func deliverPendingLine() throws {
        guard hasPendingLine, let line = pendingLine.take() else { return }
        hasPendingLine = false
        try delivery.line(line)
    }

    /// MT942 `:34F:` (`VNDD0,`, `VND0,`): the message's currency; the lines follow.
    private mutating func readFloorLimit(_ content: ArraySlice<UInt8>) throws {
        let currency = String(decoding: content.prefix(3), as: UTF8.self)
        guard StatementAmount.isCurrencyCode(currency) else {
            throw error(.syntax, line: fieldLine, field: ":34F:", "'\(currency)' is not a currency code")
        }
        if phase == .header {
            statement!.currency = currency
            openCurrency = currency
            phase = .lines
        }
    }

    private mutating func readStatementNumber(_ content: ArraySlice<UInt8>, tag: String) throws {
        let value = try text(content, tag: tag)
        let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        statement!.number = String(parts[0])
        statement!.sequence = parts.count > 1 ? String(parts[1]) : nil
    }

    private mutating func readOpeningBalance(_ content: ArraySlice<UInt8>, tag: String) throws {
        guard phase == .header else {
            throw error(.structure, line: fieldLine, field: ":\(tag):", "a second opening balance in one statement")
        }
        let balance = try balance(content, tag: tag, kind: tag == "60F" ? .opening : .intermediateOpening)
        statement!.currency = balance.amount.currency
        openCurrency = balance.amount.currency
        statement!.balances.append(balance)
        phase = .lines
    }

    private mutating func readClosingBalance(_ content: ArraySlice<UInt8>, tag: String) throws {
        guard phase == .lines else {
            let reason = phase == .header ? "comes before the opening balance :60F:" : "a second closing balance in one statement"
            throw error(.structure, line: fieldLine, field: ":\(tag):", reason)
        }
        try deliverPendingLine()
        try beginIfNeeded()
        statement!.balances.append(try balance(content, tag: tag, kind: tag == "62F" ? .closing : .intermediateClosing))
        phase = .closed
    }

    private mutating func readOtherBalance(_ content: ArraySlice<UInt8>, tag: String) throws {
        guard phase != .header else {
            throw error(.structure, line: fieldLine, field: ":\(tag):", "comes before the opening balance :60F:")
        }
        statement!.balances.append(try balance(content, tag: tag, kind: tag == "64" ? .available : .forwardAvailable))
    }

    private mutating func balance(_ content: ArraySlice<UInt8>, tag: String, kind: StatementBalanceKind) throws -> StatementBalance {
        let parsed: MT940BalanceField
        do {
            parsed = try MT940BalanceField.parse(content)
        } catch {
            throw self.error(.syntax, line: fieldLine, field: ":\(tag):", error.message)
        }
        if let longAmount = parsed.longAmount {
            try delivery.tolerate(.longAmount, line: fieldLine, field: ":\(tag):", longAmount)
        }
        if !openCurrency.isEmpty, openCurrency != parsed.amount.currency {
            throw error(.structure, line: fieldLine, field: ":\(tag):", "is in \(parsed.amount.currency) but the statement is in \(openCurrency)")
        }
        return StatementBalance(kind: kind, code: tag, amount: parsed.amount, date: parsed.date, position: SourcePosition(line: fieldLine))
    }

    private mutating func readStatementLine(_ content: ArraySlice<UInt8>) throws {
        guard phase == .lines else {
            let reason = phase == .header ? "comes before the opening balance :60F:" : "comes after the closing balance :62F:"
            throw error(.structure, line: fieldLine, field: ":61:", reason)
        }
        try deliverPendingLine()
        try beginIfNeeded()
        let parsed: MT940StatementLineField
        do {
            parsed = try MT940StatementLineField.parse(content)
        } catch {
            throw self.error(.syntax, line: fieldLine, field: ":61:", error.message)
        }
        for tolerated in parsed.tolerances {
            try delivery.tolerate(tolerated.tolerance, line: fieldLine, field: ":61:", tolerated.message)
        }
        do {
            let amount = try StatementAmount(parsing: parsed.amountText, decimalSeparator: UInt8(ascii: ","), currency: openCurrency)
            // Built in place: the line is large, and each copy costs.
            pendingLine = StatementLine(statementIndex: openIndex, amount: parsed.isCredit ? amount : amount.negated,
                                        position: SourcePosition(line: fieldLine))
            hasPendingLine = true
            pendingLine!.valueDate = parsed.valueDate
            pendingLine!.bookingDate = parsed.bookingDate
            pendingLine!.isReversal = parsed.isReversal
            pendingLine!.fundsCode = parsed.fundsCode
            pendingLine!.transactionTypeCode = parsed.transactionType
            pendingLine!.customerReference = parsed.customerReference
            pendingLine!.bankReference = parsed.bankReference
            pendingLine!.supplementaryDetails = parsed.supplementaryDetails
            pendingLineHasInformation = false
        } catch {
            throw self.error(.syntax, line: fieldLine, field: ":61:", "amount: \(error)")
        }
    }

    private mutating func readInformation(_ content: ArraySlice<UInt8>) throws {
        guard hasPendingLine else { return } // information about the whole statement: nothing to keep
        guard !pendingLineHasInformation else {
            throw error(.structure, line: fieldLine, field: ":86:", "a second :86: for the :61: line above")
        }
        do {
            let information = try MT940InformationField.parse(content)
            pendingLine!.memo = information.memo
            pendingLine!.informationSubfields = information.subfields
            pendingLine!.counterpartyName = information.counterpartyName
            pendingLine!.counterpartyAccount = information.counterpartyAccount
            pendingLineHasInformation = true
        } catch {
            throw self.error(.syntax, line: fieldLine, field: ":86:", error.message)
        }
    }

    /// A single-line value: trimmed, UTF-8, at most `valueBytesMax`.
    private func text(_ content: ArraySlice<UInt8>, tag: String) throws -> String {
        let value = TextBytes.trimmed(content)
        guard !value.isEmpty else { throw error(.syntax, line: fieldLine, field: ":\(tag):", "is empty") }
        guard value.count <= StatementLimits.valueBytesMax, !value.contains(0x0A) else {
            throw error(.syntax, line: fieldLine, field: ":\(tag):", "must be one line of at most \(StatementLimits.valueBytesMax) bytes")
        }
        guard let text = TextBytes.utf8(value) else { throw error(.encoding, line: fieldLine, field: ":\(tag):", "is not UTF-8") }
        return text
    }

    private func error(_ kind: StatementParseError.Kind, line: Int, field: String?, _ message: String) -> StatementParseError {
        StatementParseError(kind, file: reader.file, line: line, field: field, message: message)
    }
}
