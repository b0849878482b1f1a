import Core
import Postgres

/// An account with its current balance.
public struct AccountBalance: Hashable, Sendable, Codable {
    public var accountID: Int64
    public var code: String
    public var name: String
    public var type: AccountType
    public var purpose: AccountPurpose
    public var isActive: Bool
    /// The signed balance (debits positive); nil when the account has no postings at all.
    public var balance: Money?
    public var postingCount: Int64

    /// The balance on the account's normal side (a bank account's money, a liability's debt).
    public var normalBalance: Money? { balance.map(type.normalBalance) }
}

/// A journal entry as recorded (`LedgerQueries.entry`).
public struct RecordedEntry: Hashable, Sendable {
    public let entryID: Int64
    public let kind: EntryKind
    public let description: String
    public let references: EntryReferences
    public let postings: [PostingRequest]
}

/// Read-only questions to the ledger. Current balances sum the maintained balance shards of an
/// account (at most 16 rows: O(1)); balances at a date sum postings through the (account,
/// effective date) index. "No postings" is nil, never zero.
public enum LedgerQueries {
    /// The effective date of a journal entry of the school.
    public static func entryDate(schoolID: Int64, entryID: Int64, on connection: PostgresConnection) throws -> CalendarDate {
        guard let row = try connection.query("""
            SELECT effective_date FROM journal_entries WHERE school_id = \(schoolID) AND entry_id = \(entryID)
            """).singleRow() else { throw LedgerError.unknownEntry(entryID) }
        return try row.decode(column: 0, as: CalendarDate.self)
    }

    /// A recorded journal entry as it was requested: its kind, description, references and postings (in line order).
    public static func entry(schoolID: Int64, entryID: Int64, on connection: PostgresConnection) throws -> RecordedEntry {
        guard let row = try connection.query("""
            SELECT kind, description, invoice_id, bank_transaction_id, reverses_entry_id FROM journal_entries
            WHERE school_id = \(schoolID) AND entry_id = \(entryID)
            """).singleRow() else { throw LedgerError.unknownEntry(entryID) }
        let (kind, description, invoiceID, bankTransactionID, reverses) = try row.decode((String, String, Int64?, Int64?, Int64?).self)
        guard let entryKind = EntryKind(rawValue: kind) else { throw LedgerError.unknownEntry(entryID) }
        let postings = try connection.query("""
            SELECT account_id, amount, student_id, family_id, invoice_id, bank_transaction_id FROM postings
            WHERE school_id = \(schoolID) AND entry_id = \(entryID) ORDER BY line
            """).map { row in
            let (account, amount, student, family, invoice, transaction) = try row.decode((Int64, Int64, Int64?, Int64?, Int64?, Int64?).self)
            return PostingRequest(accountID: account, amount: Money(dong: amount),
                                  dimensions: PostingDimensions(studentID: student, familyID: family, invoiceID: invoice, bankTransactionID: transaction))
        }
        return RecordedEntry(entryID: entryID, kind: entryKind, description: description,
                             references: EntryReferences(invoiceID: invoiceID, bankTransactionID: bankTransactionID, reversesEntryID: reverses),
                             postings: postings)
    }

    public static func accounts(schoolID: Int64, on connection: PostgresConnection) throws -> [AccountBalance] {
        try connection.query("""
            SELECT a.account_id, a.code, a.name, a.type, a.purpose, a.is_active, \(unescaped: summedShards)
            FROM accounts a WHERE a.school_id = \(schoolID) ORDER BY a.code
            """).map(decodeAccount)
    }

    /// The account of `purpose` (the first by code when there are several, e.g. bank accounts).
    public static func account(schoolID: Int64, purpose: AccountPurpose, on connection: PostgresConnection) throws -> AccountBalance? {
        try connection.query("""
            SELECT a.account_id, a.code, a.name, a.type, a.purpose, a.is_active, \(unescaped: summedShards)
            FROM accounts a WHERE a.school_id = \(schoolID) AND a.purpose = \(purpose.rawValue) AND a.is_active ORDER BY a.code LIMIT 1
            """).first.map(decodeAccount)
    }

    /// The non-zero balances of `dimension` on an account, by dimension id; only `id`'s when it is given.
    public static func nonZeroBalances(schoolID: Int64, accountID: Int64, dimension: Dimension, id: Int64? = nil,
                                       on connection: PostgresConnection) throws -> [Int64: Money] {
        let rows = if let id {
            try connection.query("""
                SELECT dimension_id, balance FROM dimension_balances
                WHERE school_id = \(schoolID) AND account_id = \(accountID) AND dimension = \(dimension.rawValue) AND dimension_id = \(id)
                  AND balance <> 0
                """)
        } else {
            try connection.query("""
                SELECT dimension_id, balance FROM dimension_balances
                WHERE school_id = \(schoolID) AND account_id = \(accountID) AND dimension = \(dimension.rawValue) AND balance <> 0
                """)
        }
        var balances: [Int64: Money] = [:]
        for row in rows {
            let (id, balance) = try row.decode((Int64, Money).self)
            balances[id] = balance
        }
        return balances
    }

    /// The active account with `code`, or nil.
    public static func account(schoolID: Int64, code: String, on connection: PostgresConnection) throws -> AccountBalance? {
        try connection.query("""
            SELECT a.account_id, a.code, a.name, a.type, a.purpose, a.is_active, \(unescaped: summedShards)
            FROM accounts a WHERE a.school_id = \(schoolID) AND a.code = \(code) AND a.is_active
            """).first.map(decodeAccount)
    }

    /// The ids of the accounts of `purposes` (for each, the first active one by code, as `account`
    /// picks it) in one query, without their balances: what posting code needs.
    public static func accountIDs(schoolID: Int64, purposes: [AccountPurpose], on connection: PostgresConnection) throws -> [AccountPurpose: Int64] {
        try sendAccountIDs(schoolID: schoolID, purposes: purposes, on: connection).get()
    }

    /// `accountIDs` sent now and read later (`PostgresConnection.send`).
    public static func sendAccountIDs(schoolID: Int64, purposes: [AccountPurpose],
                                      on connection: PostgresConnection) throws -> PostgresPending<[AccountPurpose: Int64]> {
        try connection.send("""
            SELECT DISTINCT ON (purpose) purpose, account_id FROM accounts
            WHERE school_id = \(schoolID) AND purpose = ANY(\(PostgresTextArray(purposes.map(\.rawValue)))) AND is_active
            ORDER BY purpose, code
            """) { rows in
            var ids: [AccountPurpose: Int64] = [:]
            for row in rows {
                let (purpose, id) = try row.decode((String, Int64).self)
                if let purpose = AccountPurpose(rawValue: purpose) { ids[purpose] = id }
            }
            return ids
        }
    }

    /// The current signed balance; nil when the account has no postings.
    public static func balance(schoolID: Int64, accountID: Int64, on connection: PostgresConnection) throws -> Money? {
        guard let row = try connection.query("""
            SELECT \(unescaped: summedShards) FROM accounts a WHERE a.school_id = \(schoolID) AND a.account_id = \(accountID)
            """).singleRow() else { throw LedgerError.unknownAccount(accountID) }
        let (balance, count) = try row.decode((Money, Int64).self)
        return count == 0 ? nil : balance
    }

    /// The signed balance of postings effective on or before `date`; nil when there are none.
    public static func balance(schoolID: Int64, accountID: Int64, asOf date: CalendarDate, on connection: PostgresConnection) throws -> Money? {
        let row = try connection.query("""
            SELECT coalesce(sum(amount), 0)::int8, count(*) FROM postings
            WHERE school_id = \(schoolID) AND account_id = \(accountID) AND effective_date <= \(date)
            """).singleRow()!
        let (balance, count) = try row.decode((Money, Int64).self)
        return count == 0 ? nil : balance
    }

    /// The current balance of one dimension value within an account (an invoice's receivable, a family's credit).
    public static func balance(schoolID: Int64, accountID: Int64, dimension: Dimension, id: Int64,
                               on connection: PostgresConnection) throws -> Money? {
        guard let row = try connection.query("""
            SELECT balance, posting_count FROM dimension_balances
            WHERE school_id = \(schoolID) AND account_id = \(accountID) AND dimension = \(dimension.rawValue) AND dimension_id = \(id)
            """).singleRow() else { return nil }
        let (balance, count) = try row.decode((Money, Int64).self)
        return count == 0 ? nil : balance
    }

    /// The balance and posting count of account `a`, summed over its shards.
    static let summedShards = """
        coalesce((SELECT sum(b.balance) FROM account_balances b WHERE b.school_id = a.school_id AND b.account_id = a.account_id), 0)::int8,
        coalesce((SELECT sum(b.posting_count) FROM account_balances b WHERE b.school_id = a.school_id AND b.account_id = a.account_id), 0)::int8
        """

    static func decodeAccount(_ row: PostgresRow) throws -> AccountBalance {
        let (id, code, name, type, purpose, active, balance, count) = try row.decode((Int64, String, String, String, String, Bool, Money, Int64).self)
        guard let accountType = AccountType(rawValue: type), let accountPurpose = AccountPurpose(rawValue: purpose) else {
            throw PostgresError(code: .decoding)
        }
        return AccountBalance(accountID: id, code: code, name: name, type: accountType, purpose: accountPurpose, isActive: active,
                              balance: count == 0 ? nil : balance, postingCount: count)
    }
}
