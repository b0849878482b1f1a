/// Reads camt.053 (`.001.02` to `.001.08` and neighbours) with the streaming tokenizer and
/// delivers each statement and entry as its element closes. A camt.054 notification
/// (`BkToCstmrDbtCdtNtfctn`, same versions) has the same entries under `Ntfctn` and no balances:
/// each `Ntfctn` is delivered as a statement; `isNotification` tells which document was read.
///
/// Elements are recognised by local name, so any namespace (or none) is accepted. Leaf values
/// are dispatched by their path below the innermost open `Stmt`, `Bal`, `Ntry` or `TxDtls`.
struct Camt053Parser<Consumer: StatementConsumer> {
    private var tokenizer: XMLTokenizer
    var delivery: StatementDelivery<Consumer>
    /// Per open element: true while it has no child element.
    private var leafStack: [Bool] = []
    private var leafText: [UInt8] = []
    private var leafAttributes: [XMLAttribute] = []
    private var statement: Statement?
    /// `statement != nil`, kept apart because testing the optional copies the statement.
    private var isStatementOpen = false
    private var statementDepth = 0
    private var statementCount = 0
    private var hasBegun = false
    private var balance: CamtBalance?
    /// Depth of the open `Bal`, `Ntry`, `TxDtls` (0 when none is open): tested instead of the optionals, which would copy.
    private var balanceDepth = 0
    private var entry: CamtEntry?
    private var entryDepth = 0
    private var detail: CamtTransactionDetails?
    private var detailDepth = 0
    /// The document is a camt.054 notification (`BkToCstmrDbtCdtNtfctn/Ntfctn`), read like a statement without balances.
    private(set) var isNotification = false

    /// Repeatable elements: shown with their index in paths.
    static var indexedNames: Set<String> { ["Stmt", "Ntfctn", "Bal", "Ntry", "NtryDtls", "TxDtls", "Ustrd", "Strd"] }

    init(input: ChunkedInput, consumer: Consumer) {
        tokenizer = XMLTokenizer(input: input, indexedNames: Camt053Parser.indexedNames)
        delivery = StatementDelivery(consumer: consumer, file: input.file)
    }

    mutating func run() throws {
        loop: while true {
            switch try tokenizer.next() {
            case .startElement: try startElement()
            case .text: try appendText()
            case .endElement: try endElement()
            case .endOfDocument: break loop
            }
        }
        guard statementCount > 0 else {
            throw StatementParseError(.structure, file: tokenizer.file,
                                      message: isNotification ? "the document holds no Ntfctn" : "the document holds no Stmt")
        }
    }

    private mutating func appendText() throws {
        guard leafStack.last == true else { return } // text between child elements carries nothing
        guard leafText.count + tokenizer.text.count <= StatementLimits.valueBytesMax else {
            throw tokenizer.error(.limit, "element text longer than \(StatementLimits.valueBytesMax) bytes")
        }
        leafText.append(contentsOf: tokenizer.text)
    }

    private mutating func startElement() throws {
        let depth = tokenizer.depth
        let name = tokenizer.localName
        if !leafStack.isEmpty { leafStack[leafStack.count - 1] = false }
        leafStack.append(true)
        leafText.removeAll(keepingCapacity: true)
        leafAttributes = tokenizer.attributes
        switch depth {
        case 1:
            guard name == "Document" else { throw tokenizer.error(.format, "not a camt.053 document: the root element is <\(name)>") }
        case 2:
            guard name == "BkToCstmrStmt" || name == "BkToCstmrDbtCdtNtfctn" else {
                throw tokenizer.error(.format, "not a camt.053 statement nor a camt.054 notification: Document holds <\(name)>")
            }
            isNotification = name == "BkToCstmrDbtCdtNtfctn"
        case 3 where name == (isNotification ? "Ntfctn" : "Stmt"):
            try openStatement(depth: depth)
        default:
            try openNested(name, depth: depth)
        }
    }

    private mutating func openStatement(depth: Int) throws {
        statement = Statement(index: statementCount, position: position())
        isStatementOpen = true
        statementCount += 1
        statementDepth = depth
        hasBegun = false
    }

    private mutating func openNested(_ name: String, depth: Int) throws {
        guard isStatementOpen else { return }
        if depth == statementDepth + 1 && name == "Bal" {
            balance = CamtBalance(position: position())
            balanceDepth = depth
        } else if depth == statementDepth + 1 && name == "Ntry" {
            try beginIfNeeded()
            entry = CamtEntry(position: position())
            entryDepth = depth
        } else if entryDepth != 0 && depth == entryDepth + 2 && name == "TxDtls" && tokenizer.localName(atDepth: depth - 1) == "NtryDtls" {
            guard entry!.details.count < StatementLimits.transactionDetailsPerEntryMax else {
                throw tokenizer.error(.limit, "more than \(StatementLimits.transactionDetailsPerEntryMax) TxDtls in one entry")
            }
            detail = CamtTransactionDetails(position: position())
            detailDepth = depth
        }
    }

    private func position() -> SourcePosition {
        SourcePosition(line: tokenizer.eventLine, xmlPath: tokenizer.path())
    }

    private mutating func endElement() throws {
        let depth = tokenizer.depth
        if leafStack.removeLast() { try readLeaf(depth: depth) }
        if detailDepth != 0 && depth == detailDepth {
            entry!.details.append(detail.take()!)
            detailDepth = 0
        } else if entryDepth != 0 && depth == entryDepth {
            try closeEntry()
        } else if balanceDepth != 0 && depth == balanceDepth {
            try closeBalance()
        } else if isStatementOpen && depth == statementDepth {
            try beginIfNeeded()
            try delivery.end(statement!)
            statement = nil
            isStatementOpen = false
        }
    }

    private mutating func beginIfNeeded() throws {
        guard !hasBegun else { return }
        hasBegun = true
        try delivery.begin(statement!)
    }

    private mutating func closeEntry() throws {
        let closed = entry.take()!
        entryDepth = 0
        let lines: [StatementLine]
        do {
            lines = try closed.lines(statementIndex: statementCount - 1)
        } catch {
            throw tokenizer.error(.structure, "\(error.field): \(error.message)")
        }
        if statement!.currency == nil, let first = lines.first { statement!.currency = first.amount.currency }
        for line in lines { try delivery.line(line) }
    }

    private mutating func closeBalance() throws {
        let closed: StatementBalance
        do { closed = try balance.take()!.balance() } catch { throw tokenizer.error(.structure, error.message) }
        balanceDepth = 0
        if statement!.currency == nil { statement!.currency = closed.amount.currency }
        guard closed.amount.currency == statement!.currency else {
            throw tokenizer.error(.structure, "balance \(closed.code) is in \(closed.amount.currency), the statement in \(statement!.currency!)")
        }
        statement!.balances.append(closed)
    }

    /// Hands a leaf's value to the innermost open structure.
    private mutating func readLeaf(depth: Int) throws {
        let anchor: Int
        if detailDepth != 0 { anchor = detailDepth } else if entryDepth != 0 { anchor = entryDepth }
        else if balanceDepth != 0 { anchor = balanceDepth } else if isStatementOpen { anchor = statementDepth } else { return }
        guard depth > anchor else { return }
        var relative = tokenizer.localName(atDepth: anchor + 1)
        if depth > anchor + 1 {
            for level in (anchor + 2)...depth { relative += "/" + tokenizer.localName(atDepth: level) }
        }
        let value = String(decoding: TextBytes.trimmed(leafText[...]), as: UTF8.self)
        do throws(CamtValueError) {
            if detailDepth != 0 { try CamtLeafReader.read(relative, value, leafAttributes, into: &detail!) }
            else if entryDepth != 0 { try CamtLeafReader.read(relative, value, leafAttributes, into: &entry!) }
            else if balanceDepth != 0 { try CamtLeafReader.read(relative, value, leafAttributes, into: &balance!) }
            else { try readStatementLeaf(relative, value) }
        } catch {
            throw tokenizer.error(.syntax, error.message)
        }
    }

    private mutating func readStatementLeaf(_ relative: String, _ value: String) throws(CamtValueError) {
        let known = ["Id", "ElctrncSeqNb", "LglSeqNb", "Acct/Id/IBAN", "Acct/Id/Othr/Id", "Acct/Ccy"]
        guard known.contains(relative) else { return }
        guard !hasBegun else { throw CamtValueError("\(relative) must come before the first Ntry") }
        switch relative {
        case "Id": statement!.statementID = value
        case "ElctrncSeqNb": statement!.number = value
        case "LglSeqNb": statement!.sequence = value
        case "Acct/Ccy":
            guard StatementAmount.isCurrencyCode(value) else { throw CamtValueError("'\(value)' is not a currency code") }
            statement!.currency = value
        default: statement!.account = value
        }
    }
}
