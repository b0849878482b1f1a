/// Receives a statement file as it is read: statements and their lines, in file order.
///
/// For each statement: `statementBegan` (identification and the balances that precede the lines),
/// then `statementLine` for each line, then `statementEnded` with the complete statement
/// (all balances and the totals of its lines).
///
/// If the parse throws, everything received so far must be discarded: a file with any error
/// imports nothing. A consumer may throw to stop the parse; its error is passed through unchanged.
public protocol StatementConsumer {
    mutating func statementBegan(_ statement: Statement) throws
    mutating func statementLine(_ line: StatementLine) throws
    mutating func statementEnded(_ statement: Statement) throws
    /// Something the parser tolerated (never with `strict`, which refuses the file instead), in file order.
    mutating func statementWarning(_ warning: StatementWarning) throws
}

extension StatementConsumer {
    /// Consumers that only count or discard need not look at tolerances.
    public mutating func statementWarning(_ warning: StatementWarning) throws {}
}

/// Sits between a parser and the consumer: enforces the per-file counts, checks that lines
/// agree with their statement's currency, and adds up each statement's totals.
struct StatementDelivery<Consumer: StatementConsumer> {
    var consumer: Consumer
    let file: String
    /// Refuse the file at the first tolerance instead of warning (`--strict`).
    let strict: Bool
    private(set) var statementCount = 0
    private(set) var lineCount = 0
    /// The open statement's index, currency and running totals (kept apart so a line does not copy the statement).
    private var openIndex: Int?
    private var openCurrency: String?
    private var openTotals = StatementTotals()

    init(consumer: Consumer, file: String, strict: Bool = false) {
        self.consumer = consumer
        self.file = file
        self.strict = strict
    }

    /// Passes a tolerance to the consumer as a warning, or with `strict` refuses the file with it.
    mutating func tolerate(_ tolerance: StatementTolerance, line: Int, field: String?, _ message: String) throws {
        guard !strict else {
            throw StatementParseError(tolerance.strictKind, file: file, line: line, field: field,
                                      message: message + " (refused in strict mode: \(tolerance.rawValue))")
        }
        try consumer.statementWarning(StatementWarning(tolerance, line: line, field: field, message: message))
    }

    mutating func begin(_ statement: Statement) throws {
        precondition(openIndex == nil, "a statement began before the previous one ended")
        precondition(statement.index == statementCount, "statements are numbered in file order")
        guard statementCount < StatementLimits.statementsPerFileMax else {
            throw StatementParseError(.limit, file: file, line: statement.position.line, xmlPath: statement.position.xmlPath,
                                      message: "more than \(StatementLimits.statementsPerFileMax) statements in one file")
        }
        statementCount += 1
        openIndex = statement.index
        openCurrency = statement.currency
        openTotals = StatementTotals()
        try consumer.statementBegan(statement)
    }

    mutating func line(_ line: StatementLine) throws {
        guard let index = openIndex else { preconditionFailure("a line arrived outside a statement") }
        precondition(line.statementIndex == index, "a line names another statement")
        guard lineCount < StatementLimits.statementLinesPerFileMax else {
            throw error(line, "more than \(StatementLimits.statementLinesPerFileMax) statement lines in one file")
        }
        if let currency = openCurrency, currency != line.amount.currency {
            throw error(line, "the line is in \(line.amount.currency) but the statement is in \(currency)")
        }
        // A statement that named no currency before its first line takes that line's.
        if openCurrency == nil { openCurrency = line.amount.currency }
        lineCount += 1
        do {
            try StatementDelivery.add(line, to: &openTotals)
        } catch {
            throw self.error(line, "the statement's totals overflow: \(error)")
        }
        try consumer.statementLine(line)
    }

    /// Ends the open statement; `statement` carries what the parser learnt since it began.
    mutating func end(_ statement: Statement) throws {
        guard let index = openIndex else { preconditionFailure("a statement ended that never began") }
        precondition(index == statement.index, "a different statement ended")
        var complete = statement
        complete.totals = openTotals
        openIndex = nil
        try consumer.statementEnded(complete)
    }

    static func add(_ line: StatementLine, to totals: inout StatementTotals) throws(StatementAmountError) {
        totals.lineCount += 1
        guard line.isBooked else {
            totals.unbookedLineCount += 1
            return
        }
        if line.amount.isPositive {
            totals.credits = try totals.credits.map { sum throws(StatementAmountError) in try sum.adding(line.amount) } ?? line.amount
        } else if line.amount.isNegative {
            let magnitude = line.amount.magnitude
            totals.debits = try totals.debits.map { sum throws(StatementAmountError) in try sum.adding(magnitude) } ?? magnitude
        }
    }

    private func error(_ line: StatementLine, _ message: String) -> StatementParseError {
        StatementParseError(.structure, file: file, line: line.position.line, xmlPath: line.position.xmlPath, message: message)
    }
}
