import Core

/// Money received but not applied to any invoice: it waits in the suspense queue for an accountant.
public struct UnappliedItem: Hashable, Sendable, Codable {
    public var transactionId: Int64
    public var bookingDate: CalendarDate
    public var amount: Money
    public var payerName: String?
    public var memo: String

    public init(transactionId: Int64, bookingDate: CalendarDate, amount: Money, payerName: String?, memo: String) {
        self.transactionId = transactionId
        self.bookingDate = bookingDate
        self.amount = amount
        self.payerName = payerName
        self.memo = memo
    }

    /// Days from the booking date to `asOf` (0 on the same day).
    public func ageDays(asOf: CalendarDate) -> Int { max(0, bookingDate.days(until: asOf)) }
}

/// A family's credit: money paid beyond what was owed, kept for later invoices.
public struct FamilyCredit: Hashable, Sendable, Codable {
    public var familyKey: String
    /// How the family is shown (e.g. the guardian's name).
    public var familyName: String
    public var balance: Money

    public init(familyKey: String, familyName: String, balance: Money) {
        self.familyKey = familyKey
        self.familyName = familyName
        self.balance = balance
    }
}

/// Payments that look like the same transfer sent more than once (`ReconciliationExceptions.likelyDuplicates`).
public struct DuplicatePayment: Hashable, Sendable, Codable {
    /// In booking order; the first is presumably the genuine payment.
    public var transactionIds: [Int64]
    public var payerName: String
    public var amount: Money
    /// The memo with bank references removed, as compared.
    public var memo: String
    public var firstBookingDate: CalendarDate
    public var lastBookingDate: CalendarDate

    public init(
        transactionIds: [Int64], payerName: String, amount: Money, memo: String,
        firstBookingDate: CalendarDate, lastBookingDate: CalendarDate
    ) {
        self.transactionIds = transactionIds
        self.payerName = payerName
        self.amount = amount
        self.memo = memo
        self.firstBookingDate = firstBookingDate
        self.lastBookingDate = lastBookingDate
    }

    /// The group as the matcher's exception check found it (payer and memo normalised).
    public init(_ group: DuplicateGroup) {
        self.init(
            transactionIds: group.transactionIds, payerName: group.fingerprint.payer, amount: group.fingerprint.amount,
            memo: group.fingerprint.memo, firstBookingDate: group.firstBookingDate, lastBookingDate: group.lastBookingDate)
    }
}

/// An incoming amount far from anything the school bills (`ReconciliationExceptions.amountsFarFromInvoices`).
public struct FarAmountPayment: Hashable, Sendable, Codable {
    public var transactionId: Int64
    public var bookingDate: CalendarDate
    public var amount: Money
    /// The closest amount the school bills; nil when it bills nothing.
    public var nearestBilledAmount: Money?
    public var memo: String

    public init(transactionId: Int64, bookingDate: CalendarDate, amount: Money, nearestBilledAmount: Money?, memo: String) {
        self.transactionId = transactionId
        self.bookingDate = bookingDate
        self.amount = amount
        self.nearestBilledAmount = nearestBilledAmount
        self.memo = memo
    }

    /// The exception as found, with the transaction it names (its booking date and memo).
    public init(_ far: FarAmount, transaction: MatchTransaction) {
        precondition(far.transactionId == transaction.id, "far amount and transaction differ")
        self.init(
            transactionId: far.transactionId, bookingDate: transaction.bookingDate, amount: far.amount,
            nearestBilledAmount: far.nearestBilledAmount, memo: transaction.memo)
    }
}

/// What the report lists beside the decisions: likely duplicates and amounts far from every invoice.
public struct ReportExceptions: Hashable, Sendable, Codable {
    public var likelyDuplicates: [DuplicatePayment]
    public var amountsFarFromInvoices: [FarAmountPayment]

    public init(likelyDuplicates: [DuplicatePayment], amountsFarFromInvoices: [FarAmountPayment]) {
        self.likelyDuplicates = likelyDuplicates
        self.amountsFarFromInvoices = amountsFarFromInvoices
    }

    public static let none = ReportExceptions(likelyDuplicates: [], amountsFarFromInvoices: [])
}

/// One month of the collection series drawn in the chart.
public struct MonthlyCollection: Hashable, Sendable, Codable {
    public var month: CalendarMonth
    public var invoiced: Money
    public var collected: Money

    public init(month: CalendarMonth, invoiced: Money, collected: Money) {
        self.month = month
        self.invoiced = invoiced
        self.collected = collected
    }

    public var collectionRate: BasisPoints? { BasisPoints.ratio(collected, of: invoiced) }
}
