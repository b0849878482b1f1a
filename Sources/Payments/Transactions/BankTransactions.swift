import Core
import Foundation
import Ledger
import Postgres

/// Where a bank transaction was first seen.
public enum BankTransactionOrigin: Hashable, Sendable, Codable {
    case callback(provider: String, transactionID: String)
    case statement
}

public enum BankDirection: String, Hashable, Sendable, Codable {
    case incoming = "in"
    case outgoing = "out"
}

/// Money the bank reports moving on one of the school's accounts.
public struct NewBankTransaction: Hashable, Sendable {
    public var schoolID: Int64
    public var bankAccountID: Int64
    public var origin: BankTransactionOrigin
    public var direction: BankDirection
    /// Always positive; the direction says which way.
    public var amount: Money
    public var bookedOn: CalendarDate
    public var occurredAt: Date?
    public var memo: String
    public var payerName: String?
    public var payerAccount: String?
    public var payerBank: String?
    public var virtualAccount: String?
    public var bankReference: String?

    public init(schoolID: Int64, bankAccountID: Int64, origin: BankTransactionOrigin, direction: BankDirection, amount: Money,
                bookedOn: CalendarDate, occurredAt: Date? = nil, memo: String, payerName: String? = nil, payerAccount: String? = nil,
                payerBank: String? = nil, virtualAccount: String? = nil, bankReference: String? = nil) {
        self.schoolID = schoolID
        self.bankAccountID = bankAccountID
        self.origin = origin
        self.direction = direction
        self.amount = amount
        self.bookedOn = bookedOn
        self.occurredAt = occurredAt
        self.memo = memo
        self.payerName = payerName
        self.payerAccount = payerAccount
        self.payerBank = payerBank
        self.virtualAccount = virtualAccount
        self.bankReference = bankReference
    }
}

/// A bank transaction as stored.
public struct BankTransaction: Hashable, Sendable, Codable {
    public var id: Int64
    public var schoolID: Int64
    public var bankAccountID: Int64
    public var origin: String
    public var provider: String?
    public var providerTransactionID: String?
    public var direction: BankDirection
    public var amount: Money
    public var bookedOn: CalendarDate
    public var memo: String
    public var payerName: String?
    public var virtualAccount: String?
    public var bankReference: String?
    public var isConfirmed: Bool
    public var disposition: String?
    public var entryID: Int64?
}

/// Reading bank transactions, and what recording them shares (`IncomingBatch` records and books
/// them: Dr bank / Cr suspense for money in, Dr suspense / Cr bank for money out, exactly once per
/// provider transaction).
public enum BankTransactions {
    public static let memoBytesMax = 2_000

    /// `date`, or the day after `closedThrough` when `date` falls in a closed period: money learned
    /// about late is booked when it is learned, never into a closed month.
    public static func openDate(_ date: CalendarDate, closedThrough: CalendarDate?) -> CalendarDate {
        guard let closedThrough, date <= closedThrough else { return date }
        return closedThrough.adding(days: 1)
    }

    /// Memo characters quoted in a booking entry's description (PostgreSQL characters).
    static let descriptionMemoCharactersMax = 300
    /// The rest of the description: "Paid out 1.000.000.000.000.000 ₫ by bank: " is well within it.
    static let descriptionOverheadCharactersMax = 100

    static func description(_ transaction: NewBankTransaction) -> String {
        let way = transaction.direction == .incoming ? "Received" : "Paid out"
        let memo = transaction.memo.isEmpty ? "" : ": " + StatementText.sanitized(transaction.memo, characterMax: descriptionMemoCharactersMax)
        return "\(way) \(MoneyFormat.vietnamese(transaction.amount)) by bank\(memo)"
    }

    public static func find(schoolID: Int64, id: Int64, on connection: PostgresConnection) throws -> BankTransaction? {
        try connection.query("""
            SELECT \(unescaped: columns) FROM bank_transactions WHERE school_id = \(schoolID) AND bank_transaction_id = \(id)
            """).first.map(decode)
    }

    /// The school's transactions of `ids`, in id order (unknown ids are left out).
    public static func find(schoolID: Int64, ids: [Int64], on connection: PostgresConnection) throws -> [BankTransaction] {
        try connection.query("""
            SELECT \(unescaped: columns) FROM bank_transactions
            WHERE school_id = \(schoolID) AND bank_transaction_id = ANY(\(PostgresInt64Array(ids)))
            ORDER BY bank_transaction_id
            """).map(decode)
    }

    static let columns = """
        bank_transaction_id, school_id, bank_account_id, origin, provider, provider_transaction_id, direction, amount, booked_on,
        memo, payer_name, virtual_account, bank_reference, status = 'confirmed', disposition, entry_id
        """

    static func decode(_ row: PostgresRow) throws -> BankTransaction {
        let (id, school, account, origin, provider, providerID, direction, amount, booked, memo, payer, virtual, reference, confirmed, disposition, entry) =
            try row.decode((Int64, Int64, Int64, String, String?, String?, String, Money, CalendarDate, String, String?, String?, String?, Bool, String?, Int64?).self)
        return BankTransaction(id: id, schoolID: school, bankAccountID: account, origin: origin, provider: provider, providerTransactionID: providerID,
                               direction: BankDirection(rawValue: direction) ?? .incoming, amount: amount, bookedOn: booked, memo: memo,
                               payerName: payer, virtualAccount: virtual, bankReference: reference, isConfirmed: confirmed,
                               disposition: disposition, entryID: entry)
    }
}
