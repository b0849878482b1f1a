import Core
import Postgres

/// Balance continuity: a statement's opening balance must equal the closing balance of the statement
/// before it for the same account — the latest one, imported earlier or earlier in this file, that
/// closes on or before the day this one starts. The same statement imported again (same reference,
/// balances and closing date) is not its own predecessor, so re-importing a file finds no gap.
enum StatementContinuity {
    /// A statement that may come before another.
    struct Predecessor {
        var statementID: Int64?
        var reference: String?
        var opening: Int64?
        var closing: Int64
        var closingDate: CalendarDate
        /// Position among candidates of the same closing date: later imports win.
        var order: Int
    }

    /// One finding per statement of the file, in file order.
    static func check(_ statements: [StatementRecord], schoolID: Int64, bankAccountID: Int64,
                      on connection: PostgresConnection) throws -> [ContinuityFinding] {
        var earlierInFile: [Predecessor] = []
        var findings: [ContinuityFinding] = []
        for statement in statements {
            findings.append(try finding(statement, earlierInFile: earlierInFile, schoolID: schoolID, bankAccountID: bankAccountID,
                                        on: connection))
            if let closing = statement.closing, let date = statement.closingDate {
                earlierInFile.append(Predecessor(statementID: nil, reference: statement.reference, opening: statement.opening,
                                                 closing: closing, closingDate: date, order: Int.max - statements.count + statement.index))
            }
        }
        return findings
    }

    static func finding(_ statement: StatementRecord, earlierInFile: [Predecessor], schoolID: Int64, bankAccountID: Int64,
                        on connection: PostgresConnection) throws -> ContinuityFinding {
        guard let opening = statement.opening, let start = statement.startDate else { return ContinuityFinding(status: .notCheckable) }
        var candidates = earlierInFile.filter { $0.closingDate <= start && !isSame($0, statement) }
        if let recorded = try latestRecorded(before: start, excluding: statement, schoolID: schoolID, bankAccountID: bankAccountID,
                                             on: connection) {
            candidates.append(recorded)
        }
        guard let previous = candidates.max(by: { ($0.closingDate, $0.order) < ($1.closingDate, $1.order) }) else {
            return ContinuityFinding(status: .first)
        }
        let difference = opening - previous.closing
        return ContinuityFinding(status: difference == 0 ? .continuous : .gap, previousStatementID: previous.statementID,
                                 previousReference: previous.reference, previousClosingBalance: previous.closing,
                                 previousClosingDate: previous.closingDate, difference: difference == 0 ? nil : difference)
    }

    static func isSame(_ candidate: Predecessor, _ statement: StatementRecord) -> Bool {
        candidate.reference == statement.reference && candidate.opening == statement.opening
            && candidate.closing == statement.closing && candidate.closingDate == statement.closingDate
    }

    /// The latest statement recorded for the account closing on or before `start`, other than this very statement.
    static func latestRecorded(before start: CalendarDate, excluding statement: StatementRecord, schoolID: Int64, bankAccountID: Int64,
                               on connection: PostgresConnection) throws -> Predecessor? {
        let row = try connection.query("""
            SELECT statement_id, reference, opening_balance, closing_balance, closing_date FROM bank_statements
            WHERE school_id = \(schoolID) AND bank_account_id = \(bankAccountID)
              AND closing_balance IS NOT NULL AND closing_date IS NOT NULL AND closing_date <= \(start)
              AND NOT (reference IS NOT DISTINCT FROM \(statement.reference) AND opening_balance IS NOT DISTINCT FROM \(statement.opening)
                       AND closing_balance IS NOT DISTINCT FROM \(statement.closing) AND closing_date IS NOT DISTINCT FROM \(statement.closingDate))
            ORDER BY closing_date DESC, statement_id DESC LIMIT 1
            """).singleRow()
        guard let row else { return nil }
        let (id, reference, opening, closing, date) = try row.decode((Int64, String?, Int64?, Int64, CalendarDate).self)
        return Predecessor(statementID: id, reference: reference, opening: opening, closing: closing, closingDate: date,
                           order: Int(clamping: id))
    }
}
