/// The check an importer runs on every statement: opening + credits − debits = closing.
public enum StatementBalanceCheck {
    public enum Outcome: Hashable, Sendable {
        case balanced
        /// `closing − (opening + credits − debits)`: positive when the bank's closing balance is higher.
        case unbalanced(difference: StatementAmount)
        /// The statement lacks what the check needs, or its sums overflow.
        case notCheckable(reason: String)
    }

    public struct Result: Hashable, Sendable, CustomStringConvertible {
        public var statementIndex: Int
        public var statementID: String?
        /// opening + credits − debits, when computable.
        public var expectedClosing: StatementAmount?
        public var statedClosing: StatementAmount?
        public var outcome: Outcome

        public var isBalanced: Bool { outcome == .balanced }

        public var description: String {
            let name = "statement \(statementIndex + 1)" + (statementID.map { " (\($0))" } ?? "")
            switch outcome {
            case .balanced: return "\(name) balances"
            case .unbalanced(let difference):
                return "\(name) is off by \(difference): opening + credits − debits = \(expectedClosing!), closing balance \(statedClosing!)"
            case .notCheckable(let reason): return "\(name) cannot be checked: \(reason)"
            }
        }
    }

    /// Checks a complete statement (as passed to `statementEnded`): its totals count booked lines only.
    public static func check(_ statement: Statement) -> Result {
        var result = Result(statementIndex: statement.index, statementID: statement.statementID, outcome: .balanced)
        guard let opening = statement.openingBalance?.amount else {
            result.outcome = .notCheckable(reason: "no opening balance")
            return result
        }
        guard let closing = statement.closingBalance?.amount else {
            result.outcome = .notCheckable(reason: "no closing balance")
            return result
        }
        result.statedClosing = closing
        do {
            var expected = opening
            if let credits = statement.totals.credits { expected = try expected.adding(credits) }
            if let debits = statement.totals.debits { expected = try expected.subtracting(debits) }
            result.expectedClosing = expected
            let difference = try closing.subtracting(expected)
            if !difference.isZero { result.outcome = .unbalanced(difference: difference) }
        } catch {
            result.outcome = .notCheckable(reason: error.description)
        }
        return result
    }
}
