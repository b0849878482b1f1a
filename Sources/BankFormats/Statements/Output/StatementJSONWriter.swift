/// Writes a parsed file as JSON while it is parsed, so output memory stays bounded.
///
/// The document is `{"format":…,"statements":[…],"warnings":[…],"summary":{…}}`. Each statement object holds its
/// identification, then `"lines"` (one line object per text line), then `"balances"`, `"totals"` and
/// `"balanceCheck"`. Keys always appear, in a fixed order, `null` when absent; amounts are exact
/// decimal strings (`"-1500000"`, `"1234.56"`) beside their currency; dates are `YYYY-MM-DD`.
///
/// Call `finish()` after a successful parse. After a failed parse the output is incomplete and must be discarded.
public final class StatementJSONWriter: StatementConsumer {
    private let output: (String) throws -> Void
    private var buffer = ""
    private var summary: StatementSummary
    private var statementsWritten = 0
    private var linesInStatement = 0

    /// Output is handed over in pieces of about this size.
    public static let flushBytes = 64 * 1024

    /// - Parameters:
    ///   - format: the format's name (`StatementFormat.name`), written first.
    ///   - output: receives the text in order; may throw to stop the parse.
    public init(format: String, output: @escaping (String) throws -> Void) {
        self.output = output
        summary = StatementSummary(format: format)
        buffer = "{\n  \"format\": " + JSONText.quoted(format) + ",\n  \"statements\": ["
    }

    public func statementBegan(_ statement: Statement) throws {
        buffer += statementsWritten == 0 ? "\n" : ",\n"
        statementsWritten += 1
        linesInStatement = 0
        buffer += "    {\n"
        buffer += "      \"index\": \(statement.index),\n"
        buffer += "      \"account\": \(JSONText.quotedOrNull(statement.account)),\n"
        buffer += "      \"statementId\": \(JSONText.quotedOrNull(statement.statementID)),\n"
        buffer += "      \"number\": \(JSONText.quotedOrNull(statement.number)),\n"
        buffer += "      \"sequence\": \(JSONText.quotedOrNull(statement.sequence)),\n"
        buffer += "      \"currency\": \(JSONText.quotedOrNull(statement.currency)),\n"
        buffer += "      \"position\": \(StatementJSONWriter.position(statement.position)),\n"
        buffer += "      \"lines\": ["
        try summary.statementBegan(statement)
        try flushIfFull()
    }

    public func statementLine(_ line: StatementLine) throws {
        buffer += linesInStatement == 0 ? "\n        " : ",\n        "
        linesInStatement += 1
        buffer += StatementJSONWriter.line(line)
        try summary.statementLine(line)
        try flushIfFull()
    }

    public func statementWarning(_ warning: StatementWarning) throws {
        try summary.statementWarning(warning)
    }

    public func statementEnded(_ statement: Statement) throws {
        try summary.statementEnded(statement)
        buffer += linesInStatement == 0 ? "],\n" : "\n      ],\n"
        buffer += "      \"balances\": ["
        buffer += statement.balances.map { "\n        " + StatementJSONWriter.balance($0) }.joined(separator: ",")
        buffer += statement.balances.isEmpty ? "],\n" : "\n      ],\n"
        buffer += "      \"totals\": \(StatementJSONWriter.totals(statement.totals)),\n"
        buffer += "      \"balanceCheck\": \(StatementJSONWriter.balanceCheck(summary.balanceChecks.last!))\n"
        buffer += "    }"
        try flushIfFull()
    }

    /// Closes the document with the summary and hands over the rest of the text.
    public func finish() throws {
        buffer += statementsWritten == 0 ? "],\n" : "\n  ],\n"
        buffer += "  \"warnings\": [" + summary.warnings.map { "\n    " + StatementJSONWriter.warning($0) }.joined(separator: ",")
        buffer += summary.warnings.isEmpty ? "],\n" : "\n  ],\n"
        buffer += "  \"summary\": " + summary.jsonLine + "\n}\n"
        try output(buffer)
        buffer = ""
    }

    private func flushIfFull() throws {
        guard buffer.utf8.count >= StatementJSONWriter.flushBytes else { return }
        try output(buffer)
        buffer = ""
    }

    static func line(_ line: StatementLine) -> String {
        JSONText.object([
            ("bookingDate", JSONText.quotedOrNull(line.bookingDate?.iso)),
            ("valueDate", JSONText.quotedOrNull(line.valueDate?.iso)),
            ("amount", JSONText.quoted(line.amount.decimalText)),
            ("currency", JSONText.quoted(line.amount.currency)),
            ("isReversal", line.isReversal ? "true" : "false"),
            ("bankReference", JSONText.quotedOrNull(line.bankReference)),
            ("customerReference", JSONText.quotedOrNull(line.customerReference)),
            ("transactionId", JSONText.quotedOrNull(line.transactionID)),
            ("entryReference", JSONText.quotedOrNull(line.entryReference)),
            ("detailIndex", line.detailIndex.map(String.init) ?? "null"),
            ("memo", JSONText.quoted(line.memo)),
            ("counterpartyName", JSONText.quotedOrNull(line.counterpartyName)),
            ("counterpartyAccount", JSONText.quotedOrNull(line.counterpartyAccount)),
            ("transactionTypeCode", JSONText.quotedOrNull(line.transactionTypeCode)),
            ("fundsCode", JSONText.quotedOrNull(line.fundsCode)),
            ("status", JSONText.quotedOrNull(line.status)),
            ("supplementaryDetails", JSONText.quotedOrNull(line.supplementaryDetails)),
            ("informationSubfields", "[" + line.informationSubfields.map {
                JSONText.object([("code", JSONText.quoted($0.code)), ("value", JSONText.quoted($0.value))])
            }.joined(separator: ",") + "]"),
            ("balanceAfter", JSONText.quotedOrNull(line.balanceAfter?.decimalText)),
            ("position", position(line.position)),
        ])
    }

    static func warning(_ warning: StatementWarning) -> String {
        JSONText.object([
            ("tolerance", JSONText.quoted(warning.tolerance.rawValue)),
            ("line", String(warning.line)),
            ("field", JSONText.quotedOrNull(warning.field)),
            ("message", JSONText.quoted(warning.message)),
        ])
    }

    static func balance(_ balance: StatementBalance) -> String {
        JSONText.object([
            ("kind", JSONText.quoted(balance.kind.rawValue)),
            ("code", JSONText.quoted(balance.code)),
            ("date", JSONText.quotedOrNull(balance.date?.iso)),
            ("amount", JSONText.quoted(balance.amount.decimalText)),
            ("currency", JSONText.quoted(balance.amount.currency)),
            ("position", position(balance.position)),
        ])
    }

    static func totals(_ totals: StatementTotals) -> String {
        JSONText.object([
            ("lineCount", String(totals.lineCount)),
            ("unbookedLineCount", String(totals.unbookedLineCount)),
            ("credits", JSONText.quotedOrNull(totals.credits?.decimalText)),
            ("debits", JSONText.quotedOrNull(totals.debits?.decimalText)),
        ])
    }

    static func balanceCheck(_ result: StatementBalanceCheck.Result) -> String {
        switch result.outcome {
        case .balanced:
            return JSONText.object([("result", "\"balanced\""), ("difference", "\"0\""), ("reason", "null")])
        case .unbalanced(let difference):
            return JSONText.object([("result", "\"unbalanced\""), ("difference", JSONText.quoted(difference.decimalText)), ("reason", "null")])
        case .notCheckable(let reason):
            return JSONText.object([("result", "\"notCheckable\""), ("difference", "null"), ("reason", JSONText.quoted(reason))])
        }
    }

    static func position(_ position: SourcePosition) -> String {
        JSONText.object([("line", String(position.line)), ("xmlPath", JSONText.quotedOrNull(position.xmlPath))])
    }
}
