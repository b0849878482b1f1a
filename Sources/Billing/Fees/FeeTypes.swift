import Core
import Ledger
import Postgres

/// What a fee is, which decides the account it credits.
public enum FeeKind: String, Sendable, Codable, CaseIterable {
    /// Học phí: the school's income.
    case tuition
    /// Khoản thu hộ (health insurance, uniforms, supplies): collected for others and passed on, a liability.
    case agreedCollection = "agreed_collection"
    /// Khoản thu dịch vụ (meals, semi-boarding care, drinking water): a service the school provides, its revenue.
    case service

    /// The purpose of the account a fee of this kind credits: the one rule routing each item kind to its account
    /// (tuition → tuition revenue, service → service revenue, pass-through → the collections payable).
    public var accountPurpose: AccountPurpose {
        switch self {
        case .tuition: return .feeIncome
        case .service: return .serviceRevenue
        case .agreedCollection: return .collection
        }
    }
    var accountType: AccountType { ChartOfAccounts.requiredType(of: accountPurpose) }

    /// How the fee's own account is titled (`5311.BANTRU` "Thu dịch vụ - Tiền ăn bán trú").
    var accountTitlePrefix: String {
        switch self {
        case .tuition: return "Thu học phí - "
        case .service: return "Thu dịch vụ - "
        case .agreedCollection: return "Thu hộ - "
        }
    }
}

/// A fee the school bills.
public struct FeeType: Hashable, Sendable, Codable {
    public var id: Int64
    public var code: String
    public var name: String
    public var kind: FeeKind
    /// The ledger account each billed gross amount is credited to.
    public var accountID: Int64
    /// Opt-in (clubs, extra classes): billed only to pupils enrolled in it (`Enrolments`).
    public var requiresEnrolment: Bool = false
}

/// Which ledger account a new fee type credits.
public enum FeeAccountChoice: Hashable, Sendable {
    /// The school's first account of the kind's purpose (e.g. 5111 Thu học phí).
    case schoolDefault
    /// A new account of its own, coded `<default code>.<fee code>` (e.g. 3381.BANTRU).
    case own
    /// An existing account, which must have the kind's purpose.
    case existing(accountID: Int64)
}

/// Fee types of a school. Every function runs inside the caller's transaction.
public enum FeeTypes {
    public static let codeCharactersMax = 16

    public static func add(schoolID: Int64, code: String, name: String, kind: FeeKind, account: FeeAccountChoice = .own,
                           requiresEnrolment: Bool = false, on connection: PostgresConnection) throws(BillingError) -> FeeType {
        let code = code.uppercased()
        try check(code: code, name: name)
        return try BillingError.wrapping {
            let count = try connection.query("SELECT count(*) FROM fee_types WHERE school_id = \(schoolID)").singleRow()!.decode(column: 0, as: Int.self)
            guard count < BillingLimits.feeTypesPerSchoolMax else {
                throw BillingError.limitExceeded("a school has at most \(BillingLimits.feeTypesPerSchoolMax) fee types")
            }
            if try find(schoolID: schoolID, code: code, on: connection) != nil { throw BillingError.duplicate("fee type \(code)") }
            let accountID = try resolveAccount(schoolID: schoolID, code: code, name: name, kind: kind, choice: account, on: connection)
            let row = try connection.query("""
                INSERT INTO fee_types (school_id, code, name, kind, account_id, requires_enrolment)
                VALUES (\(schoolID), \(code), \(name), \(kind.rawValue), \(accountID), \(requiresEnrolment))
                RETURNING fee_type_id
                """).singleRow()!
            return FeeType(id: try row.decode(column: 0, as: Int64.self), code: code, name: name, kind: kind, accountID: accountID,
                           requiresEnrolment: requiresEnrolment)
        }
    }

    public static func list(schoolID: Int64, on connection: PostgresConnection) throws -> [FeeType] {
        try connection.query("""
            SELECT fee_type_id, code, name, kind, account_id, requires_enrolment FROM fee_types WHERE school_id = \(schoolID) ORDER BY code
            """).map(decode)
    }

    public static func find(schoolID: Int64, code: String, on connection: PostgresConnection) throws -> FeeType? {
        try connection.query("""
            SELECT fee_type_id, code, name, kind, account_id, requires_enrolment FROM fee_types WHERE school_id = \(schoolID) AND code = \(code.uppercased())
            """).first.map(decode)
    }

    public static func find(schoolID: Int64, id: Int64, on connection: PostgresConnection) throws -> FeeType? {
        try connection.query("""
            SELECT fee_type_id, code, name, kind, account_id, requires_enrolment FROM fee_types WHERE school_id = \(schoolID) AND fee_type_id = \(id)
            """).first.map(decode)
    }

    /// `isCode` as an anchored pattern for the API's document.
    public static let codePattern = "^[A-Z0-9][A-Z0-9_-]{0,15}$"

    /// A fee code (also a catalogue item's code): 1 to 16 upper-case letters, digits, `_` or `-`, not starting with `_` or `-`.
    public static func isCode(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        let allowed = bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        return (1...codeCharactersMax).contains(bytes.count) && allowed && bytes[0] != UInt8(ascii: "_") && bytes[0] != UInt8(ascii: "-")
    }

    static func check(code: String, name: String) throws(BillingError) {
        guard isCode(code) else {
            throw .invalidField(field: "code", problem: "'\(code)' must be 1 to \(codeCharactersMax) letters, digits, _ or -")
        }
        let trimmed = StudentRules.collapse(name)
        // The name's own length in Unicode scalars, as the API's document counts it.
        guard !trimmed.isEmpty, name.unicodeScalars.count <= BillingLimits.nameCharactersMax, !StudentRules.hasControl(name) else {
            throw .invalidField(field: "name", problem: "1 to \(BillingLimits.nameCharactersMax) characters")
        }
    }

    static func resolveAccount(schoolID: Int64, code: String, name: String, kind: FeeKind, choice: FeeAccountChoice,
                               on connection: PostgresConnection) throws -> Int64 {
        let purpose = kind.accountPurpose
        switch choice {
        case .existing(let accountID):
            let accounts = try LedgerQueries.accounts(schoolID: schoolID, on: connection)
            guard let account = accounts.first(where: { $0.accountID == accountID }) else { throw BillingError.ledger(.unknownAccount(accountID)) }
            guard account.purpose == purpose, account.isActive else {
                throw BillingError.accountMismatch("account \(account.code) is a \(account.purpose.rawValue) account; "
                                                   + "a \(kind.rawValue) fee credits an active \(purpose.rawValue) account")
            }
            return accountID
        case .schoolDefault, .own:
            guard let base = try LedgerQueries.account(schoolID: schoolID, purpose: purpose, on: connection) else {
                throw BillingError.accountMismatch("the school has no active \(purpose.rawValue) account")
            }
            if choice == .schoolDefault { return base.accountID }
            let title = kind.accountTitlePrefix + StudentRules.collapse(name)
            return try Schools.addAccount(schoolID: schoolID, code: base.code + "." + code, name: String(title.prefix(BillingLimits.accountNameCharactersMax)),
                                          type: kind.accountType, purpose: purpose, on: connection)
        }
    }

    static func decode(_ row: PostgresRow) throws -> FeeType {
        let (id, code, name, kind, account, optIn) = try row.decode((Int64, String, String, String, Int64, Bool).self)
        guard let feeKind = FeeKind(rawValue: kind) else { throw PostgresError(code: .decoding) }
        return FeeType(id: id, code: code, name: name, kind: feeKind, accountID: account, requiresEnrolment: optIn)
    }
}
