import Core

/// The five account types; each fixes which side is the account's normal balance.
public enum AccountType: String, Sendable, Codable, CaseIterable {
    case asset, liability, equity, income, expense

    /// Asset and expense accounts normally carry a debit (positive) balance; the others a credit.
    public var isDebitNormal: Bool { self == .asset || self == .expense }

    /// The balance as people read it: positive when on the normal side.
    public func normalBalance(_ signed: Money) -> Money { isDebitNormal ? signed : signed.negated }
}

/// What an account is for, so services find "the suspense account" without knowing its code.
public enum AccountPurpose: String, Sendable, Codable, CaseIterable {
    case bank, cash, receivable
    case feeIncome = "fee_income"
    case collection, suspense
    case familyCredit = "family_credit"
    case refundsPayable = "refunds_payable"
    case discounts
    case writeOff = "write_off"
    case bankFees = "bank_fees"
    case other
    /// What the state budget owes for a share it pays (BHYT's state part, tuition support).
    case budgetReceivable = "budget_receivable"
    /// The school's own revenue from service items it provides (meals, semi-boarding care, drinking water): 531.
    case serviceRevenue = "service_revenue"
    /// Payments received in advance, before the month they pay for is invoiced: 3383.
    case advances
    /// Money a payment gateway has taken from parents and not yet settled to the bank account: 113.
    case inTransit = "in_transit"
    /// Interest on the school's bank deposits: financial income, 515.
    case interestIncome = "interest_income"
    /// Money held for others that no other payable account covers (3388): what a school must pass on.
    case otherPayables = "other_payables"
}

/// Why an entry was made.
public enum EntryKind: String, Sendable, Codable, CaseIterable {
    case openingBalance = "opening_balance"
    case invoice
    case paymentReceived = "payment_received"
    case paymentApplied = "payment_applied"
    case cashReceipt = "cash_receipt"
    case creditApplied = "credit_applied"
    case refund
    case writeOff = "write_off"
    case discount
    case reclassification
    case bankFee = "bank_fee"
    case reversal
    case adjustment
}

/// Optional analysis dimensions of a posting: whose receivable, which invoice, which bank transaction.
public struct PostingDimensions: Hashable, Sendable, Codable {
    public var studentID: Int64?
    public var familyID: Int64?
    public var invoiceID: Int64?
    public var bankTransactionID: Int64?

    public init(studentID: Int64? = nil, familyID: Int64? = nil, invoiceID: Int64? = nil, bankTransactionID: Int64? = nil) {
        self.studentID = studentID
        self.familyID = familyID
        self.invoiceID = invoiceID
        self.bankTransactionID = bankTransactionID
    }

    public static let none = PostingDimensions()
}

/// The dimension kinds balances are kept for.
public enum Dimension: String, Sendable, Codable, CaseIterable {
    case student, family, invoice
    case bankTransaction = "bank_transaction"
}
