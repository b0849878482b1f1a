import Billing
import Core
import Ledger
import Postgres
import Reconciliation

/// Why a reconciliation run or report could not be made as asked.
public enum ReconciliationError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSchool(String)
    case unknownRun(Int64)
    case invalidMonth(String)
    /// `--close` was asked but some bank account does not agree with its statement. The run (with
    /// its report) was recorded all the same, as `runID`; `differences` say what disagrees.
    case closeRefused(runID: Int64, differences: [String])
    /// The stored report no longer matches its hash, or cannot be read back: the record was tampered with.
    case storedReportCorrupt(runID: Int64, problem: String)
    /// A school's figures cannot be put in a report (a bound of `ReportLimits`).
    case report(ReportError)
    case ledger(LedgerError)
    case database(PostgresError)

    public var code: String {
        switch self {
        case .unknownSchool: return "school_not_found"
        case .unknownRun: return "run_not_found"
        case .invalidMonth: return "invalid_month"
        case .closeRefused: return "period_not_closable"
        case .storedReportCorrupt: return "stored_report_corrupt"
        case .report: return "report_invalid"
        case .ledger(let error): return error.code
        case .database: return "database_error"
        }
    }

    public var description: String {
        switch self {
        case .unknownSchool(let what): return "no school \(what)"
        case .unknownRun(let id): return "no reconciliation run \(id) of this school"
        case .invalidMonth(let problem): return problem
        case .closeRefused(let runID, let differences):
            return "the month cannot be closed: \(differences.joined(separator: "; ")) (run \(runID) recorded)"
        case .storedReportCorrupt(let runID, let problem): return "the stored report of run \(runID) is not intact: \(problem)"
        case .report(let error): return "the report cannot be built: \(error)"
        case .ledger(let error): return error.description
        case .database(let error): return error.description
        }
    }

    public static func == (lhs: ReconciliationError, rhs: ReconciliationError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }

    static func wrap(_ error: any Error) -> ReconciliationError {
        switch error {
        case let error as ReconciliationError: return error
        case let error as ReportError: return .report(error)
        case let error as LedgerError: return .ledger(error)
        case let error as PostgresError: return .database(error)
        case let error as BillingError:
            if let inner = error.underlyingPostgresError { return .database(inner) }
            return .database(PostgresError(code: .unexpected, serverMessage: error.description))
        default: return .database(PostgresError(code: .unexpected, serverMessage: String(describing: error)))
        }
    }

    static func wrapping<T>(_ body: () throws -> T) throws(ReconciliationError) -> T {
        do { return try body() } catch { throw wrap(error) }
    }
}

extension ReconciliationError: PostgresErrorCarrying {
    public var underlyingPostgresError: PostgresError? {
        switch self {
        case .database(let error): return error
        case .ledger(let error): return error.underlyingPostgresError
        default: return nil
        }
    }
}
