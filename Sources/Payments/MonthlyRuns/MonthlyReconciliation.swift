import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// What a monthly run produced.
public struct MonthlyRunResult: Sendable {
    public let run: ReconciliationRun
    public let report: MonthlyReconciliationReport
    /// Why the month could not be closed when closing was asked and refused; empty otherwise.
    public let differences: [String]
}

/// The finance office's monthly job for one school:
///
/// 1. decide again, with the matcher, every incoming transaction still in suspense and apply what
///    has become certain (skipped for a month already closed: nothing may change in it);
/// 2. build the report from the ledger as it stood at the month end;
/// 3. when asked, close the month — only if every bank account's statement closing balance equals
///    its ledger balance (an account with activity and no statement does not agree);
/// 4. record the run with the report's canonical JSON and its SHA-256, closed or not.
///
/// A refused close still records the run; the caller gets `ReconciliationError.closeRefused`.
public struct MonthlyReconciliation: Sendable {
    public let pool: PostgresPool
    /// The name shown for a bank's BIN (the API and CLI pass VietQR's table).
    public let bankName: @Sendable (String) -> String

    public init(pool: PostgresPool, bankName: @escaping @Sendable (String) -> String = { "Ngân hàng \($0)" }) {
        self.pool = pool
        self.bankName = bankName
    }

    /// Runs the month. `generatedAt` stamps the report (and the run).
    public func run(schoolID: Int64, month: CalendarMonth, close: Bool, actor: Actor,
                    generatedAt: Date = Date()) throws(ReconciliationError) -> MonthlyRunResult {
        let result = try ReconciliationError.wrapping { () throws -> MonthlyRunResult in
            guard month.firstDay <= VietnamTime.date(of: generatedAt) else {
                throw ReconciliationError.invalidMonth("\(month.iso) has not started yet")
            }
            guard let school = try pool.withConnection({ try Schools.find(id: schoolID, on: $0) }) else {
                throw ReconciliationError.unknownSchool("\(schoolID)")
            }
            let alreadyClosed = school.closedThrough.map { month.lastDay <= $0 } ?? false
            let outcome = alreadyClosed ? AutomaticReapplication.Outcome(applied: 0, unchangedContext: nil)
                : try AutomaticReapplication.run(school: school, through: month.lastDay, pool: pool)
            return try pool.transaction(isolation: .readCommitted) { connection in
                try record(school: school, month: month, close: close, reapplication: outcome, actor: actor, generatedAt: generatedAt,
                           on: connection)
            }
        }
        if close && result.run.state != .closed {
            throw ReconciliationError.closeRefused(runID: result.run.id, differences: result.differences)
        }
        return result
    }

    /// Builds, closes when asked and allowed, and records, in the caller's transaction. When closing,
    /// the school's period lock is taken first, so no entry can enter the month while it is checked.
    func record(school: School, month: CalendarMonth, close: Bool, reapplication: AutomaticReapplication.Outcome, actor: Actor,
                generatedAt: Date, on connection: PostgresConnection) throws -> MonthlyRunResult {
        if close { try Periods.lock(schoolID: school.id, on: connection) }
        let closedThrough = try Periods.closedThrough(schoolID: school.id, on: connection)
        let runID = try connection.query("SELECT nextval('reconciliation_runs_run_id_seq')").singleRow()!.decode(column: 0, as: Int64.self)
        let parts = try MonthlyReportBuilder.parts(school: school, month: month, bankName: bankName, context: reapplication.unchangedContext,
                                                   on: connection)
        var state: MonthlyReconciliationState = parts.agrees ? .agrees : .differences
        if let closedThrough, month.lastDay <= closedThrough {
            state = .closed
        } else if close && parts.mayClose {
            try Periods.close(schoolID: school.id, month: month, actor: actor, on: connection)
            state = .closed
        }
        let report = try parts.report(runID: runID, generatedAt: generatedAt, state: state)
        let run = try ReconciliationRuns.insert(report, runID: runID, closeRequested: close, appliedCount: reapplication.applied,
                                                statementOnly: parts.statementOnly, actor: actor, on: connection)
        let differences = close && state != .closed ? parts.disagreements : []
        return MonthlyRunResult(run: run, report: report, differences: differences)
    }

    /// The report of a month as it stands, without applying, closing or recording anything.
    public func preview(schoolID: Int64, month: CalendarMonth, generatedAt: Date = Date()) throws(ReconciliationError) -> MonthlyReconciliationReport {
        try ReconciliationError.wrapping {
            try pool.transaction(isolation: .repeatableRead) { connection in
                guard let school = try Schools.find(id: schoolID, on: connection) else { throw ReconciliationError.unknownSchool("\(schoolID)") }
                let parts = try MonthlyReportBuilder.parts(school: school, month: month, bankName: bankName, on: connection)
                let closed = school.closedThrough.map { month.lastDay <= $0 } ?? false
                return try parts.report(runID: nil, generatedAt: generatedAt, state: closed ? .closed : parts.agrees ? .agrees : .differences)
            }
        }
    }
}
