import Core
import Crypto
import Foundation
import Ledger
import Postgres
import Reconciliation

/// A recorded monthly run: what was asked, what it found, and the report byte for byte.
public struct ReconciliationRun: Hashable, Sendable, Codable {
    public var id: Int64
    public var schoolID: Int64
    public var month: CalendarMonth
    public var state: MonthlyReconciliationState
    public var closeRequested: Bool
    /// The month is closed (by this run or before it).
    public var closed: Bool
    /// Unapplied transactions this run applied because they had become certain.
    public var appliedCount: Int
    /// Statement lines of the month that never came as a callback: count and signed total.
    public var statementOnlyCount: Int
    public var statementOnlyTotal: Money
    /// Lowercase hex SHA-256 of `reportJSON`'s UTF-8 bytes.
    public var reportSHA256: String
    /// `MonthlyReportJSON.render` of the report, exactly as hashed.
    public var reportJSON: String
    public var runBy: String
    public var runByRole: String
    public var runAt: Date
}

/// Storing and reading runs. The database checks the stored hash against the stored text (a CHECK
/// constraint) and refuses any change to a recorded run.
public enum ReconciliationRuns {
    /// Runs listed at once (newest first).
    public static let listedMax = 200

    static func insert(_ report: MonthlyReconciliationReport, runID: Int64, closeRequested: Bool, appliedCount: Int,
                       statementOnly: (count: Int, total: Money), actor: Actor, on connection: PostgresConnection) throws -> ReconciliationRun {
        let bytes = MonthlyReportJSON.canonicalBytes(report)
        let text = String(decoding: bytes, as: UTF8.self)
        let digest = SHA256Digest.hash(bytes)
        try connection.query("""
            INSERT INTO reconciliation_runs (school_id, run_id, month, state, close_requested, closed, applied_count, statement_only_count,
                                             statement_only_total, report_json, report_sha256, run_by, run_by_role, run_at)
            VALUES (\(report.school.id), \(runID), \(report.month), \(report.state.rawValue), \(closeRequested), \(report.state == .closed),
                    \(appliedCount), \(statementOnly.count), \(statementOnly.total), \(text), \(digest), \(String(actor.name.prefix(200))),
                    \(actor.role.rawValue), \(report.generatedAt))
            """)
        return ReconciliationRun(id: runID, schoolID: report.school.id, month: report.month, state: report.state,
                                 closeRequested: closeRequested, closed: report.state == .closed, appliedCount: appliedCount,
                                 statementOnlyCount: statementOnly.count, statementOnlyTotal: statementOnly.total,
                                 reportSHA256: Hex.encode(digest), reportJSON: text, runBy: String(actor.name.prefix(200)),
                                 runByRole: actor.role.rawValue, runAt: report.generatedAt)
    }

    public static func find(schoolID: Int64, runID: Int64, on connection: PostgresConnection) throws -> ReconciliationRun? {
        try connection.query("\(unescaped: selectSQL) WHERE school_id = \(schoolID) AND run_id = \(runID)").first.map(decode)
    }

    /// The school's runs, newest first, optionally of one month.
    public static func list(schoolID: Int64, month: CalendarMonth?, on connection: PostgresConnection) throws -> [ReconciliationRun] {
        try connection.query("""
            \(unescaped: selectSQL) WHERE school_id = \(schoolID) AND (\(month)::date IS NULL OR month = \(month)::date)
            ORDER BY run_id DESC LIMIT \(listedMax)
            """).map(decode)
    }

    /// The stored report read back into its model, after checking its bytes against the stored hash
    /// and that rendering the model again gives the same bytes.
    /// The state of the latest run of `month` of each of these schools that has one.
    static func latestStates(month: CalendarMonth, schoolIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: String] {
        var states: [Int64: String] = [:]
        for row in try connection.query("""
            SELECT DISTINCT ON (school_id) school_id, state FROM reconciliation_runs
            WHERE month = \(month) AND school_id = ANY(\(PostgresInt64Array(schoolIDs)))
            ORDER BY school_id, run_id DESC
            """) {
            let (school, state) = try row.decode((Int64, String).self)
            states[school] = state
        }
        return states
    }

    public static func report(of run: ReconciliationRun) throws(ReconciliationError) -> MonthlyReconciliationReport {
        let bytes = Array(run.reportJSON.utf8)
        guard Hex.encode(SHA256Digest.hash(bytes)) == run.reportSHA256 else {
            throw .storedReportCorrupt(runID: run.id, problem: "its SHA-256 differs from the one recorded")
        }
        let report: MonthlyReconciliationReport
        do {
            report = try StoredReportDecoding.decode(bytes)
        } catch {
            throw .storedReportCorrupt(runID: run.id, problem: "\(error)")
        }
        guard MonthlyReportJSON.canonicalBytes(report) == bytes else {
            throw .storedReportCorrupt(runID: run.id, problem: "it does not render back to the same bytes")
        }
        return report
    }

    static let selectSQL = """
        SELECT run_id, school_id, month, state, close_requested, closed, applied_count, statement_only_count, statement_only_total,
               encode(report_sha256, 'hex'), report_json, run_by, run_by_role, run_at
        FROM reconciliation_runs
        """

    static func decode(_ row: PostgresRow) throws -> ReconciliationRun {
        let (id, school, month, state, requested, closed, applied, onlyCount, onlyTotal, sha, json, by, role, at) =
            try row.decode((Int64, Int64, CalendarMonth, String, Bool, Bool, Int, Int, Money, String, String, String, String, Date).self)
        guard let runState = MonthlyReconciliationState(rawValue: state) else { throw PostgresError(code: .decoding) }
        return ReconciliationRun(id: id, schoolID: school, month: month, state: runState, closeRequested: requested, closed: closed,
                                 appliedCount: applied, statementOnlyCount: onlyCount, statementOnlyTotal: onlyTotal, reportSHA256: sha,
                                 reportJSON: json, runBy: by, runByRole: role, runAt: at)
    }
}
