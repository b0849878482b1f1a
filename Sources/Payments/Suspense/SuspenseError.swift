import Billing
import Core
import Ledger
import Postgres

/// Why a suspense-queue operation was refused; each case says what to change.
public enum SuspenseError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTransaction(Int64)
    case unknownApplication(Int64)
    case unknownAccount(String)
    /// The account chosen for money that is not tuition has a purpose with its own flow (bank, suspense, ...).
    case accountNotAllowed(code: String, purpose: String)
    case invalidField(field: String, problem: String)
    /// Nothing of the transaction is left in suspense.
    case nothingInSuspense(transactionID: Int64)
    case exceedsRemaining(transactionID: Int64, requested: Money, remaining: Money)
    case wrongDirection(transactionID: Int64, expected: BankDirection)
    /// The transaction already has a refund or not-tuition decision; reverse it first.
    case alreadyDisposed(transactionID: Int64, disposition: String)
    case noDisposition(transactionID: Int64)
    /// A refund due was already paid (partly): reverse the payment first.
    case refundAlreadyPaid(transactionID: Int64)
    /// The refund paid would be more than is owed to the sender.
    case refundExceedsPayable(amount: Money, payable: Money)
    case billing(BillingError)
    case ledger(LedgerError)
    case database(PostgresError)

    public var code: String {
        switch self {
        case .unknownTransaction: return "transaction_not_found"
        case .unknownApplication: return "application_not_found"
        case .unknownAccount: return "account_not_found"
        case .accountNotAllowed: return "account_not_allowed"
        case .invalidField: return "invalid_field"
        case .nothingInSuspense: return "nothing_in_suspense"
        case .exceedsRemaining: return "exceeds_remaining"
        case .wrongDirection: return "wrong_direction"
        case .alreadyDisposed: return "already_disposed"
        case .noDisposition: return "no_disposition"
        case .refundAlreadyPaid: return "refund_already_paid"
        case .refundExceedsPayable: return "refund_exceeds_payable"
        case .billing(let error): return error.code
        case .ledger(let error): return error.code
        case .database: return "database_error"
        }
    }

    public var description: String {
        switch self {
        case .unknownTransaction(let id): return "no bank transaction \(id) in this school"
        case .unknownApplication(let id): return "no payment application \(id) of this bank transaction"
        case .unknownAccount(let what): return "no active account \(what) in this school"
        case .accountNotAllowed(let code, let purpose):
            return "account \(code) (\(purpose)) cannot take money that is not tuition; choose an account of purpose other, interest_income, other_payables or collection"
        case .invalidField(let field, let problem): return "\(field): \(problem)"
        case .nothingInSuspense(let id): return "nothing of bank transaction \(id) is left in suspense"
        case .exceedsRemaining(let id, let requested, let remaining):
            return "\(requested) is more than the \(remaining) of bank transaction \(id) left in suspense"
        case .wrongDirection(let id, let expected):
            return "bank transaction \(id) is not money \(expected == .incoming ? "in" : "out")"
        case .alreadyDisposed(let id, let disposition):
            return "bank transaction \(id) is already marked \(disposition); reverse that first"
        case .noDisposition(let id): return "bank transaction \(id) has no refund or not-tuition decision to reverse"
        case .refundAlreadyPaid(let id): return "the refund of bank transaction \(id) was paid; reverse the refund payment first"
        case .refundExceedsPayable(let amount, let payable): return "the refund of \(amount) is more than the \(payable) owed to the sender"
        case .billing(let error): return error.description
        case .ledger(let error): return error.description
        case .database(let error): return error.description
        }
    }

    public static func == (lhs: SuspenseError, rhs: SuspenseError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }

    /// Wraps whatever a database-touching body threw.
    static func wrap(_ error: any Error) -> SuspenseError {
        switch error {
        case let error as SuspenseError: return error
        case let error as BillingError: return .billing(error)
        case let error as LedgerError: return .ledger(error)
        case let error as PostgresError: return .database(error)
        case let error as MoneyError: return .invalidField(field: "amount", problem: error.description)
        default: return .database(PostgresError(code: .unexpected, serverMessage: String(describing: error)))
        }
    }

    static func wrapping<T>(_ body: () throws -> T) throws(SuspenseError) -> T {
        do { return try body() } catch { throw wrap(error) }
    }
}

extension SuspenseError: PostgresErrorCarrying {
    public var underlyingPostgresError: PostgresError? {
        switch self {
        case .database(let error): return error
        case .ledger(let error): return error.underlyingPostgresError
        case .billing(let error): return error.underlyingPostgresError
        default: return nil
        }
    }
}
