import Billing
import Core
import HTTP
import Ledger
import Postgres

/// The API's problem codes, in one place. Every error a handler throws becomes one of these
/// (or `HTTPError.internalError`, which says nothing about its cause).
public enum APIError {
    public static let realm = "tuition"
    public static let unauthorized = BearerCredentials.required(realm: realm)
    public static func forbidden(_ detail: String) -> HTTPError {
        HTTPError(status: .forbidden, code: "forbidden", detail: detail)
    }
    public static func notFound(_ code: String, _ detail: String? = nil) -> HTTPError {
        HTTPError(status: .notFound, code: code, detail: detail)
    }
    public static func invalidParameter(_ name: String, _ problem: String) -> HTTPError {
        HTTPError(status: .badRequest, code: "invalid_parameter", detail: "\(name): \(problem)")
    }
    public static func validation(_ detail: String) -> HTTPError {
        HTTPError(status: .unprocessableContent, code: "validation_failed", detail: detail)
    }
    public static func conflict(_ code: String, _ detail: String) -> HTTPError {
        HTTPError(status: .conflict, code: code, detail: detail)
    }
    public static let databaseUnavailable = HTTPError(status: .serviceUnavailable, code: "database_unavailable",
                                                      detail: "the database is unreachable; retry later",
                                                      headers: ["Retry-After": "5"])

    /// Maps domain and database errors to problems. Unknown errors are rethrown unchanged: the
    /// server turns them into a 500 that names nothing internal, and logs them.
    static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as HTTPError: return error
        case let error as any HTTPResponseError: return error
        case let error as LedgerError: return translate(error)
        case let error as BillingError: return translate(error)
        case let error as RosterImportError: return translate(error)
        case let error as SchoolValidationError: return validation(error.description)
        case let error as PostgresError:
            if error.isConnectionBroken || error.code == .poolTimeout || error.code == .poolClosed { return databaseUnavailable }
            return error
        default: return error
        }
    }

    static func translate(_ error: LedgerError) -> any Error {
        switch error {
        case .unknownSchool: return notFound("school_not_found")
        case .unknownAccount, .inactiveAccount, .unknownEntry: return notFound(error.code, error.description)
        case .closedPeriod, .alreadyReversed, .idempotencyConflict, .duplicate, .periodNotClosable:
            return conflict(error.code, error.description)
        case .notPermitted: return HTTPError(status: .forbidden, code: error.code, detail: error.description)
        case .rememberedFailure(let code, let detail): return HTTPError(status: .unprocessableContent, code: code, detail: detail)
        case .database(let inner): return translate(inner)
        default: return HTTPError(status: .unprocessableContent, code: error.code, detail: error.description)
        }
    }

    /// Unknown records are 404 (paths name them), refused input 422, states that forbid the operation 409.
    static func translate(_ error: BillingError) -> any Error {
        let detail = error.description
        switch error {
        case .unknownSchool: return notFound("school_not_found")
        case .unknownStudent: return notFound("student_not_found", detail)
        case .unknownFeeType: return notFound("fee_type_not_found", detail)
        case .unknownInvoice: return notFound("invoice_not_found", detail)
        case .unknownApplication: return notFound("application_not_found", detail)
        case .unknownReceipt: return notFound("receipt_not_found", detail)
        // The school's records decide these (its ownership, its level, the catalogue, the months already billed): a
        // well-formed body the document allows, refused for the state it meets.
        case .duplicate, .invoiceNotVoidable, .invoiceNotPayable, .allocationExceedsOutstanding, .alreadyUnapplied,
             .idempotencyConflict, .noBankAccount, .billableMonthsCap, .tuitionFreeAtPublicSchool, .aboveCatalogueCap, .outsideCatalogue,
             .noFeeScheduled:
            return conflict(error.code, detail)
        case .invalidField, .accountMismatch, .allocationInvalid, .limitExceeded:
            return HTTPError(status: .unprocessableContent, code: error.code, detail: detail)
        case .ledger(let inner): return translate(inner)
        case .database(let inner): return translate(inner)
        }
    }

    /// A roster file that cannot be read; bad rows are answered with every problem by the import route itself.
    static func translate(_ error: RosterImportError) -> any Error {
        switch error {
        case .fileTooLarge: return HTTPError(status: .contentTooLarge, code: "roster_too_large", detail: error.description)
        case .invalidRows: return HTTPError(status: .unprocessableContent, code: "roster_rows_invalid", detail: error.description)
        case .conflictingRows: return HTTPError(status: .conflict, code: "roster_rows_conflict", detail: error.description)
        case .notUTF8, .utf16, .empty, .malformedCSV, .missingColumns, .duplicateColumn, .tooManyRows:
            return HTTPError(status: .unprocessableContent, code: "roster_invalid", detail: error.description)
        }
    }
}
