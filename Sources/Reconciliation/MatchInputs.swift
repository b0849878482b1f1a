import Core

/// A student as the matcher sees one: how money can name them.
public struct MatchStudent: Hashable, Sendable, Codable {
    public var id: Int64
    /// The standing payment code (student kind) printed on every notice.
    public var paymentCode: String
    /// The full name as given, with diacritics.
    public var fullName: String
    /// `VietnameseText.normalized(fullName)`.
    public var normalizedName: String
    public var className: String
    /// Siblings share it; nil when the student has no family record.
    public var familyKey: String?
    /// The guardian's name as given (often the payer of the transfer).
    public var guardianName: String?
    /// `VietnameseText.normalized(guardianName)`, nil when empty.
    public var normalizedGuardianName: String?
    /// The bank's virtual sub-account issued for this student, if any.
    public var virtualAccount: String?
    public var isActive: Bool

    public init(
        id: Int64, paymentCode: String, fullName: String, className: String, familyKey: String? = nil,
        guardianName: String? = nil, virtualAccount: String? = nil, isActive: Bool = true
    ) {
        self.id = id
        self.paymentCode = paymentCode
        self.fullName = fullName
        self.normalizedName = VietnameseText.normalized(fullName)
        self.className = className
        self.familyKey = familyKey
        self.guardianName = guardianName
        self.normalizedGuardianName = guardianName.map(VietnameseText.normalized).flatMap { $0.isEmpty ? nil : $0 }
        self.virtualAccount = virtualAccount
        self.isActive = isActive
    }
}

/// An invoice that may still receive money.
public struct MatchInvoice: Hashable, Sendable, Codable {
    public var id: Int64
    public var studentId: Int64
    /// The invoice's own payment code (invoice kind).
    public var paymentCode: String
    public var period: CalendarMonth
    public var dueDate: CalendarDate
    public var total: Money
    /// What is still owed: 0 < outstanding ≤ total for an open invoice. A settled invoice may be passed
    /// with outstanding 0 so that a late duplicate naming its code is still recognised (it goes to credit).
    public var outstanding: Money

    public init(
        id: Int64, studentId: Int64, paymentCode: String, period: CalendarMonth, dueDate: CalendarDate,
        total: Money, outstanding: Money
    ) {
        self.id = id
        self.studentId = studentId
        self.paymentCode = paymentCode
        self.period = period
        self.dueDate = dueDate
        self.total = total
        self.outstanding = outstanding
    }
}

/// Money that arrived on the school's account: a bank callback or a statement line.
public struct MatchTransaction: Hashable, Sendable, Codable {
    public var id: Int64
    /// Positive for incoming money; anything else is decided `notIncoming`.
    public var amount: Money
    public var bookingDate: CalendarDate
    /// The memo as the bank delivered it.
    public var memo: String
    /// The counter-account holder's name, when the bank gives it.
    public var payerName: String?
    /// The virtual sub-account the money was sent to, when the bank gives it.
    public var virtualAccount: String?

    public init(
        id: Int64, amount: Money, bookingDate: CalendarDate, memo: String, payerName: String? = nil,
        virtualAccount: String? = nil
    ) {
        self.id = id
        self.amount = amount
        self.bookingDate = bookingDate
        self.memo = memo
        self.payerName = payerName
        self.virtualAccount = virtualAccount
    }
}

/// Why a school's roster cannot be indexed; each case names the offending record.
public enum MatchInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidPrefix(String)
    case duplicateStudentId(Int64)
    case duplicateInvoiceId(Int64)
    case invalidStudentCode(studentId: Int64, code: String)
    case invalidInvoiceCode(invoiceId: Int64, code: String)
    case duplicatePaymentCode(String)
    case duplicateVirtualAccount(String)
    case invoiceOfUnknownStudent(invoiceId: Int64, studentId: Int64)
    case invalidInvoiceAmounts(invoiceId: Int64)
    case tooManyRecords(Int)

    public var description: String {
        switch self {
        case .invalidPrefix(let prefix): return "payment code prefix '\(prefix)' is not 1 to 3 letters of the code alphabet"
        case .duplicateStudentId(let id): return "student \(id) appears twice"
        case .duplicateInvoiceId(let id): return "invoice \(id) appears twice"
        case .invalidStudentCode(let id, let code):
            return "student \(id): payment code '\(code)' is not a valid student code under the school's prefix"
        case .invalidInvoiceCode(let id, let code):
            return "invoice \(id): payment code '\(code)' is not a valid invoice code under the school's prefix"
        case .duplicatePaymentCode(let code): return "payment code '\(code)' is held by two records"
        case .duplicateVirtualAccount(let account): return "virtual account '\(account)' is held by two students"
        case .invoiceOfUnknownStudent(let invoiceId, let studentId):
            return "invoice \(invoiceId) belongs to student \(studentId), who is not in the roster"
        case .invalidInvoiceAmounts(let id): return "invoice \(id): total must be positive and 0 ≤ outstanding ≤ total"
        case .tooManyRecords(let count): return "\(count) records exceed the per-school limit of \(MatchContext.recordsMax)"
        }
    }
}
