import Core
import Postgres

/// Why the ledger refused a request. Business refusals (everything but `.database`) are remembered
/// against the idempotency key by `LedgerService`, so a retry fails the same way.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSchool(Int64)
    case unknownAccount(Int64)
    case inactiveAccount(Int64)
    case unknownEntry(Int64)
    case closedPeriod(effectiveDate: CalendarDate, closedThrough: CalendarDate?)
    case unbalanced(sum: Int64)
    case postingCount(Int)
    case zeroAmount(line: Int)
    case amountOutOfBounds(line: Int)
    case invalidText(field: String)
    case alreadyReversed(entryID: Int64, by: Int64)
    case idempotencyConflict(key: String)
    case periodNotClosable(String)
    case notPermitted(String)
    case duplicate(String)
    /// A refusal remembered from an earlier request with the same idempotency key: same code, same words.
    case rememberedFailure(code: String, detail: String)
    /// A database failure that is not a business refusal (connection lost, ...): never remembered.
    case database(PostgresError)

    /// A stable machine code, stored with remembered failures and used by the API.
    public var code: String {
        switch self {
        case .unknownSchool: return "unknown_school"
        case .unknownAccount: return "unknown_account"
        case .inactiveAccount: return "inactive_account"
        case .unknownEntry: return "unknown_entry"
        case .closedPeriod: return "closed_period"
        case .unbalanced: return "unbalanced_entry"
        case .postingCount: return "posting_count"
        case .zeroAmount: return "zero_amount"
        case .amountOutOfBounds: return "amount_out_of_bounds"
        case .invalidText: return "invalid_text"
        case .alreadyReversed: return "already_reversed"
        case .idempotencyConflict: return "idempotency_conflict"
        case .periodNotClosable: return "period_not_closable"
        case .notPermitted: return "not_permitted"
        case .duplicate: return "duplicate"
        case .rememberedFailure(let code, _): return code
        case .database: return "database_error"
        }
    }

    public var description: String {
        switch self {
        case .unknownSchool(let id): return "school \(id) does not exist"
        case .unknownAccount(let id): return "account \(id) does not exist in this school"
        case .inactiveAccount(let id): return "account \(id) is inactive"
        case .unknownEntry(let id): return "entry \(id) does not exist in this school"
        case .closedPeriod(let date, let closed):
            return "effective date \(date) falls in a closed period" + (closed.map { " (closed through \($0))" } ?? "")
        case .unbalanced(let sum): return "postings must sum to zero; they sum to \(sum)"
        case .postingCount(let count): return "an entry needs 2 to \(LedgerLimits.postingsPerEntryMax) postings, not \(count)"
        case .zeroAmount(let line): return "posting \(line) has a zero amount"
        case .amountOutOfBounds(let line): return "posting \(line) amount is beyond ±\(Money.absoluteDongMax) đồng"
        case .invalidText(let field): return "\(field) is empty, too long or contains control characters"
        case .alreadyReversed(let entry, let by): return "entry \(entry) was already reversed by entry \(by)"
        case .idempotencyConflict(let key): return "idempotency key '\(key)' was used before with a different request"
        case .periodNotClosable(let reason): return reason
        case .notPermitted(let reason): return reason
        case .duplicate(let what): return "\(what) already exists"
        case .rememberedFailure(_, let detail): return detail
        case .database(let error): return error.description
        }
    }

    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }

    var isRemembered: Bool {
        if case .database = self { return false }
        if case .idempotencyConflict = self { return false }
        return true
    }
}

public enum LedgerLimits {
    public static let postingsPerEntryMax = 1_000
    public static let descriptionBytesMax = 500
    public static let idempotencyKeyBytesMax = 200
    public static let entriesPerBatchMax = 10_000
}

/// Maps the custom SQLSTATEs raised by the ledger's triggers (migrations/0001_ledger.sql) to refusals.
extension LedgerError {
    static func from(_ error: PostgresError, effectiveDate: CalendarDate?) -> LedgerError {
        switch error.sqlState?.rawValue {
        case "TU001": return .closedPeriod(effectiveDate: effectiveDate ?? VietnamTime.today, closedThrough: nil)
        case "TU002": return .unbalanced(sum: 0)
        default: return .database(error)
        }
    }
}

extension LedgerError: PostgresErrorCarrying {
    public var underlyingPostgresError: PostgresError? {
        if case .database(let error) = self { return error }
        return nil
    }
}
