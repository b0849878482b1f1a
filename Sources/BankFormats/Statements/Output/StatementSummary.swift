/// Counts and sums of a parsed file, and the balance check of each statement.
///
/// A consumer on its own (for `tuition parse --summary`) and a part of `StatementJSONWriter`.
public struct StatementSummary: StatementConsumer, Sendable {
    public let format: String
    public private(set) var statementCount = 0
    public private(set) var lineCount = 0
    public private(set) var unbookedLineCount = 0
    /// Sums of booked credit lines per currency.
    public private(set) var credits: [String: StatementAmount] = [:]
    /// Sums of booked debit lines per currency, as positive magnitudes.
    public private(set) var debits: [String: StatementAmount] = [:]
    /// The balance check of each statement, in file order.
    public private(set) var balanceChecks: [StatementBalanceCheck.Result] = []
    /// Every tolerance of the parse, counted.
    public private(set) var warningCount = 0
    /// The first `StatementLimits.warningsListedMax` of them, in file order.
    public private(set) var warnings: [StatementWarning] = []

    /// - Parameter format: the format's name for the output (`StatementFormat.name`).
    public init(format: String) {
        self.format = format
    }

    public mutating func statementBegan(_ statement: Statement) throws {}

    public mutating func statementLine(_ line: StatementLine) throws {}

    public mutating func statementWarning(_ warning: StatementWarning) throws {
        warningCount += 1
        if warnings.count < StatementLimits.warningsListedMax { warnings.append(warning) }
    }

    public mutating func statementEnded(_ statement: Statement) throws {
        statementCount += 1
        lineCount += statement.totals.lineCount
        unbookedLineCount += statement.totals.unbookedLineCount
        if let sum = statement.totals.credits { try StatementSummary.add(sum, to: &credits) }
        if let sum = statement.totals.debits { try StatementSummary.add(sum, to: &debits) }
        balanceChecks.append(StatementBalanceCheck.check(statement))
    }

    private static func add(_ amount: StatementAmount, to sums: inout [String: StatementAmount]) throws(StatementAmountError) {
        sums[amount.currency] = try sums[amount.currency].map { sum throws(StatementAmountError) in try sum.adding(amount) } ?? amount
    }

    public var unbalancedStatementCount: Int {
        balanceChecks.filter { if case .unbalanced = $0.outcome { return true } else { return false } }.count
    }

    public var uncheckableStatementCount: Int {
        balanceChecks.filter { if case .notCheckable = $0.outcome { return true } else { return false } }.count
    }

    /// One line of JSON, keys in a fixed order, amounts as exact decimal strings:
    /// `{"format":"mt940","statements":2,"lines":5,"unbookedLines":0,"credits":{"VND":"3000000"},...}`.
    public var jsonLine: String {
        JSONText.object([
            ("format", JSONText.quoted(format)),
            ("statements", String(statementCount)),
            ("lines", String(lineCount)),
            ("unbookedLines", String(unbookedLineCount)),
            ("credits", StatementSummary.sumsJSON(credits)),
            ("debits", StatementSummary.sumsJSON(debits)),
            ("unbalancedStatements", String(unbalancedStatementCount)),
            ("uncheckableStatements", String(uncheckableStatementCount)),
            ("warnings", String(warningCount)),
        ])
    }

    static func sumsJSON(_ sums: [String: StatementAmount]) -> String {
        JSONText.object(sums.keys.sorted().map { ($0, JSONText.quoted(sums[$0]!.decimalText)) })
    }
}
