import Core
import Ledger
import Postgres

/// Why a billing operation was refused. Every case names what is wrong in words an accountant can act on.
public enum BillingError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSchool(String)
    case unknownStudent(String)
    case unknownFeeType(String)
    case unknownInvoice(String)
    case unknownApplication(Int64)
    case unknownReceipt(Int64)
    /// A field of an input that does not fit its rule.
    case invalidField(field: String, problem: String)
    case duplicate(String)
    /// Preschool and general education bill tuition for at most 9 months per school year (`TuitionRegime.monthsCapBasis`).
    case billableMonthsCap(months: Int, max: Int, level: SchoolLevel, schoolYear: Int)
    /// Public schools charge no tuition from the 2025–26 school year (`TuitionRegime.freeTuitionBasis`).
    case tuitionFreeAtPublicSchool(schoolYear: Int)
    /// A schedule above the provincial catalogue's cap for the school's level and area class.
    case aboveCatalogueCap(fee: String, item: String, charged: Money, cap: Money, measure: String, resolution: String)
    /// A fee the catalogue in force does not list for the school, scheduled without `outside catalogue` and a reason.
    case outsideCatalogue(fee: String, resolution: String, why: String)
    /// A prepaid month for which none of the school's schedules bills the student: the school's records
    /// decide it, not the request's form.
    case noFeeScheduled(student: String, period: CalendarMonth)
    case accountMismatch(String)
    case invoiceNotVoidable(String)
    case invoiceNotPayable(String)
    case allocationExceedsOutstanding(invoice: String, amount: Money, outstanding: Money)
    case allocationInvalid(String)
    case alreadyUnapplied(applicationID: Int64)
    case idempotencyConflict(key: String)
    case noBankAccount(schoolCode: String)
    case limitExceeded(String)
    case ledger(LedgerError)
    case database(PostgresError)

    /// A stable machine code for the API.
    public var code: String {
        switch self {
        case .unknownSchool: return "unknown_school"
        case .unknownStudent: return "unknown_student"
        case .unknownFeeType: return "unknown_fee_type"
        case .unknownInvoice: return "unknown_invoice"
        case .unknownApplication: return "unknown_application"
        case .unknownReceipt: return "unknown_receipt"
        case .invalidField: return "invalid_field"
        case .duplicate: return "duplicate"
        case .billableMonthsCap: return "billable_months_cap"
        case .tuitionFreeAtPublicSchool: return "tuition_free_at_public_school"
        case .aboveCatalogueCap: return "above_catalogue_cap"
        case .outsideCatalogue: return "outside_catalogue"
        case .noFeeScheduled: return "no_fee_scheduled"
        case .accountMismatch: return "account_mismatch"
        case .invoiceNotVoidable: return "invoice_not_voidable"
        case .invoiceNotPayable: return "invoice_not_payable"
        case .allocationExceedsOutstanding: return "allocation_exceeds_outstanding"
        case .allocationInvalid: return "allocation_invalid"
        case .alreadyUnapplied: return "already_unapplied"
        case .idempotencyConflict: return "idempotency_conflict"
        case .noBankAccount: return "no_bank_account"
        case .limitExceeded: return "limit_exceeded"
        case .ledger(let error): return error.code
        case .database: return "database_error"
        }
    }

    public var description: String {
        switch self {
        case .unknownSchool(let what): return "no school \(what)"
        case .unknownStudent(let what): return "no student \(what) in this school"
        case .unknownFeeType(let what): return "no fee type \(what) in this school"
        case .unknownInvoice(let what): return "no invoice \(what) in this school"
        case .unknownApplication(let id): return "no payment application \(id) in this school"
        case .unknownReceipt(let id): return "no receipt \(id) in this school"
        case .invalidField(let field, let problem): return "\(field): \(problem)"
        case .duplicate(let what): return "\(what) already exists"
        case .billableMonthsCap(let months, let max, let level, let schoolYear):
            return "\(months) billable months in one school year is more than the \(max) allowed for \(level.rawValue) schools "
                + "(\(TuitionRegime.monthsCapBasis(schoolYear: schoolYear)))"
        case .tuitionFreeAtPublicSchool(let schoolYear):
            return "a public school bills no tuition for school year \(schoolYear)–\(schoolYear + 1): \(TuitionRegime.freeTuitionBasis)"
        case .aboveCatalogueCap(let fee, let item, let charged, let cap, let measure, let resolution):
            return "fee \(fee) (\(item)) charges \(charged) \(measure), above the cap of \(cap) set by resolution \(resolution) "
                + "for this school's level and area"
        case .outsideCatalogue(let fee, let resolution, let why):
            return "fee \(fee) \(why) in the catalogue of resolution \(resolution): set it with an explicit outside-catalogue reason, "
                + "which every finance report shows"
        case .noFeeScheduled(let student, let period): return "periods: no fee is scheduled for \(student) in \(period)"
        case .accountMismatch(let reason): return reason
        case .invoiceNotVoidable(let reason): return reason
        case .invoiceNotPayable(let reason): return reason
        case .allocationExceedsOutstanding(let invoice, let amount, let outstanding):
            return "allocation of \(amount) to invoice \(invoice) is more than its outstanding \(outstanding)"
        case .allocationInvalid(let reason): return reason
        case .alreadyUnapplied(let id): return "payment application \(id) was already unapplied"
        case .idempotencyConflict(let key): return "payment key '\(key)' was used before with a different request"
        case .noBankAccount(let school): return "school \(school) has no bank account to receive transfers"
        case .limitExceeded(let what): return what
        case .ledger(let error): return error.description
        case .database(let error): return error.description
        }
    }
}

extension BillingError {
    public static func == (lhs: BillingError, rhs: BillingError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }

    /// Wraps whatever a database-touching body threw into a billing error.
    static func wrap(_ error: any Error) -> BillingError {
        switch error {
        case let error as BillingError: return error
        case let error as LedgerError: return .ledger(error)
        case let error as PostgresError: return .database(error)
        case let error as MoneyError: return .limitExceeded(error.description)
        default: return .database(PostgresError(code: .unexpected, serverMessage: String(describing: error)))
        }
    }

    /// Runs `body`, turning any error it throws into a `BillingError`.
    static func wrapping<T>(_ body: () throws -> T) throws(BillingError) -> T {
        do { return try body() } catch { throw wrap(error) }
    }
}

/// Bounds of the billing module. Each is a named constant with its unit last.
public enum BillingLimits {
    /// Students of one school (an issuing run is one transaction over all of them).
    public static let studentsPerSchoolMax = 20_000
    /// Invoices written per ledger batch inside an issuing run (the ledger takes up to 10,000 entries).
    public static let invoicesPerBatchMax = 2_000
    /// Fee types of one school.
    public static let feeTypesPerSchoolMax = 100
    /// Lines of one invoice (one per fee type billed).
    public static let linesPerInvoiceMax = 100
    /// The largest monthly fee of one fee type for one student: one billion đồng.
    public static let monthlyAmountDongMax: Int64 = 1_000_000_000
    /// Allocations of one payment.
    public static let allocationsPerPaymentMax = 200
    /// Students paid by one payment (siblings).
    public static let studentsPerPaymentMax = 10
    /// Periods of one voluntary prepayment (a school year).
    public static let prepaidPeriodsMax = 12
    /// Rows returned by one invoice listing.
    public static let invoicesPerListingMax = 20_000
    /// Discounts per student.
    public static let discountsPerStudentMax = 50
    /// Length of a stated rule name and of an explanation.
    public static let ruleBytesMax = 64
    public static let explanationBytesMax = 1_000
    /// Length of a payment's idempotency key.
    public static let paymentKeyBytesMax = 150
    /// Length of a person's name (payer, guardian, student) and of a reason.
    public static let nameCharactersMax = 100
    public static let reasonCharactersMax = 200
    /// How much of a reason is quoted in a ledger entry's description (descriptions hold 500 bytes).
    public static let reasonInDescriptionCharactersMax = 100
    /// The joined discount reasons kept on an invoice line.
    public static let lineDiscountReasonCharactersMax = 500
    /// Receipts returned by one listing.
    public static let receiptsPerListingMax = 1_000
    /// The length of a ledger account name.
    public static let accountNameCharactersMax = 200
}

extension BillingError: PostgresErrorCarrying {
    public var underlyingPostgresError: PostgresError? {
        switch self {
        case .database(let error): return error
        case .ledger(let error): return error.underlyingPostgresError
        default: return nil
        }
    }
}
