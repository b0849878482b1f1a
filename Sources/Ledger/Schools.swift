import Core
import Postgres

/// A school as recorded.
public struct School: Hashable, Sendable, Codable {
    public var id: Int64
    public var code: String
    public var name: String
    public var district: String
    public var level: SchoolLevel
    public var ownership: SchoolOwnership
    public var areaClass: AreaClass
    public var paymentCodePrefix: String
    /// The last day of the latest closed month, if any.
    public var closedThrough: CalendarDate?
}

/// A school's account at a bank.
public struct SchoolBankAccount: Hashable, Sendable, Codable {
    public var id: Int64
    public var bankBIN: String
    public var accountNumber: String
    public var holderName: String
    /// The ledger account money at this bank is booked in.
    public var accountID: Int64
}

/// What it takes to open a school in the system.
public struct NewSchool: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var district: String
    public var level: SchoolLevel
    public var ownership: SchoolOwnership
    public var areaClass: AreaClass
    public var paymentCodePrefix: String
    public var bankAccounts: [NewBankAccount]

    public init(code: String, name: String, district: String, level: SchoolLevel, ownership: SchoolOwnership = .public,
                areaClass: AreaClass = .rural, paymentCodePrefix: String, bankAccounts: [NewBankAccount]) {
        self.code = code
        self.name = name
        self.district = district
        self.level = level
        self.ownership = ownership
        self.areaClass = areaClass
        self.paymentCodePrefix = paymentCodePrefix
        self.bankAccounts = bankAccounts
    }
}

public struct NewBankAccount: Hashable, Sendable, Codable {
    public var bankBIN: String
    public var accountNumber: String
    public var holderName: String

    public init(bankBIN: String, accountNumber: String, holderName: String) {
        self.bankBIN = bankBIN
        self.accountNumber = accountNumber
        self.holderName = holderName
    }
}

/// Schools and their default chart of accounts.
public enum Schools {
    public static let bankAccountsPerSchoolMax = 10

    /// The default chart, by purpose: code, Vietnamese name, type. Codes are editable afterwards.
    static let defaultChart: [(code: String, name: String, type: AccountType, purpose: AccountPurpose)] = [
        ("1111", "Tiền mặt", .asset, .cash),
        ("1388", "Phải thu học phí và các khoản thu", .asset, .receivable),
        ("1381", "Phải thu ngân sách nhà nước (phần nhà nước đóng)", .asset, .budgetReceivable),
        ("3381", "Các khoản thu hộ, thu thỏa thuận", .liability, .collection),
        ("3382", "Phải trả hoàn tiền cho phụ huynh", .liability, .refundsPayable),
        ("3388", "Tiền nhận chưa xác định", .liability, .suspense),
        ("3389", "Tiền thừa, trả trước của phụ huynh", .liability, .familyCredit),
        ("5111", "Thu học phí", .income, .feeIncome),
        ("6111", "Miễn, giảm học phí", .expense, .discounts),
        ("6112", "Xóa nợ khó thu", .expense, .writeOff),
        ("6421", "Phí dịch vụ ngân hàng", .expense, .bankFees),
        // Money on the school's account that is not tuition (interest, donations): the suspense queue's "not tuition".
        ("7118", "Thu khác, không phải học phí", .income, .other),
    ]

    /// Creates the school, its default chart and one bank ledger account per bank account, atomically.
    public static func create(_ school: NewSchool, on connection: PostgresConnection) throws -> School {
        try validate(school)
        let row = try connection.query("""
            INSERT INTO schools (code, name, district, level, ownership, area_class, payment_code_prefix)
            VALUES (\(school.code), \(school.name), \(school.district), \(school.level.rawValue), \(school.ownership.rawValue),
                    \(school.areaClass.rawValue), \(school.paymentCodePrefix))
            ON CONFLICT (code) DO NOTHING
            RETURNING school_id
            """).singleRow()
        guard let row else { throw LedgerError.duplicate("school \(school.code)") }
        let id = try row.decode(column: 0, as: Int64.self)
        for account in defaultChart {
            try addAccount(schoolID: id, code: account.code, name: account.name, type: account.type, purpose: account.purpose, on: connection)
        }
        for (index, bank) in school.bankAccounts.enumerated() {
            try addBankAccount(schoolID: id, bank, code: "1121-\(index + 1)", on: connection)
        }
        return School(id: id, code: school.code, name: school.name, district: school.district, level: school.level,
                      ownership: school.ownership, areaClass: school.areaClass, paymentCodePrefix: school.paymentCodePrefix,
                      closedThrough: nil)
    }

    @discardableResult
    public static func addAccount(schoolID: Int64, code: String, name: String, type: AccountType, purpose: AccountPurpose,
                                  on connection: PostgresConnection) throws -> Int64 {
        let row = try connection.query("""
            INSERT INTO accounts (school_id, code, name, type, purpose)
            VALUES (\(schoolID), \(code), \(name), \(type.rawValue), \(purpose.rawValue))
            ON CONFLICT (school_id, code) DO NOTHING
            RETURNING account_id
            """).singleRow()
        guard let row else { throw LedgerError.duplicate("account code \(code)") }
        return try row.decode(column: 0, as: Int64.self)
    }

    @discardableResult
    public static func addBankAccount(schoolID: Int64, _ bank: NewBankAccount, code: String, on connection: PostgresConnection) throws -> SchoolBankAccount {
        let ledgerAccount = try addAccount(schoolID: schoolID, code: code, name: "Tiền gửi ngân hàng \(bank.accountNumber)",
                                           type: .asset, purpose: .bank, on: connection)
        let row = try connection.query("""
            INSERT INTO bank_accounts (school_id, bank_bin, account_number, holder_name, account_id)
            VALUES (\(schoolID), \(bank.bankBIN), \(bank.accountNumber), \(bank.holderName), \(ledgerAccount))
            ON CONFLICT (account_number) DO NOTHING
            RETURNING bank_account_id
            """).singleRow()
        guard let row else { throw LedgerError.duplicate("bank account \(bank.accountNumber)") }
        return SchoolBankAccount(id: try row.decode(column: 0, as: Int64.self), bankBIN: bank.bankBIN,
                                 accountNumber: bank.accountNumber, holderName: bank.holderName, accountID: ledgerAccount)
    }

    /// Changes an account's code (codes are the school's to choose).
    public static func renameAccount(schoolID: Int64, accountID: Int64, code: String, on connection: PostgresConnection) throws {
        let rows = try connection.query("""
            UPDATE accounts SET code = \(code) WHERE school_id = \(schoolID) AND account_id = \(accountID)
            """)
        guard rows.affectedRows == 1 else { throw LedgerError.unknownAccount(accountID) }
    }

    public static func find(id: Int64, on connection: PostgresConnection) throws -> School? {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools WHERE school_id = \(id)
            """).first.map(decode)
    }

    public static func find(code: String, on connection: PostgresConnection) throws -> School? {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools WHERE code = \(code)
            """).first.map(decode)
    }

    /// Schools in code order, optionally of one district; bounded by `limit`.
    public static func list(district: String? = nil, limit: Int = 1_000, on connection: PostgresConnection) throws -> [School] {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools
            WHERE \(district) IS NULL OR district = \(district) ORDER BY code LIMIT \(limit)
            """).map(decode)
    }

    public static func bankAccounts(schoolID: Int64, on connection: PostgresConnection) throws -> [SchoolBankAccount] {
        try bankAccounts(schoolIDs: [schoolID], on: connection)[schoolID] ?? []
    }

    /// The bank accounts of each of these schools, in one query.
    public static func bankAccounts(schoolIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: [SchoolBankAccount]] {
        var accounts: [Int64: [SchoolBankAccount]] = [:]
        for row in try connection.query("""
            SELECT school_id, bank_account_id, bank_bin, account_number, holder_name, account_id FROM bank_accounts
            WHERE school_id = ANY(\(PostgresInt64Array(schoolIDs))) ORDER BY school_id, bank_account_id
            """) {
            let (school, id, bin, number, holder, account) = try row.decode((Int64, Int64, String, String, String, Int64).self)
            accounts[school, default: []].append(SchoolBankAccount(id: id, bankBIN: bin, accountNumber: number, holderName: holder,
                                                                   accountID: account))
        }
        return accounts
    }

    /// The columns `decode` reads, in its order.
    private static let columns = "school_id, code, name, district, level, ownership, area_class, payment_code_prefix, closed_through"

    static func decode(_ row: PostgresRow) throws -> School {
        let (id, code, name, district, level, ownership, area, prefix, closed) =
            try row.decode((Int64, String, String, String, String, String, String, String, CalendarDate?).self)
        guard let schoolLevel = SchoolLevel(rawValue: level), let schoolOwnership = SchoolOwnership(rawValue: ownership),
              let areaClass = AreaClass(rawValue: area) else { throw PostgresError(code: .decoding) }
        return School(id: id, code: code, name: name, district: district, level: schoolLevel, ownership: schoolOwnership,
                      areaClass: areaClass, paymentCodePrefix: prefix, closedThrough: closed)
    }

    static func validate(_ school: NewSchool) throws(SchoolValidationError) {
        func check(_ ok: Bool, _ field: String, _ problem: String) throws(SchoolValidationError) {
            if !ok { throw SchoolValidationError(field: field, problem: problem) }
        }
        try check(school.code.utf8.count >= 2 && school.code.utf8.count <= 32
                  && school.code.allSatisfy { ($0.isASCII && ($0.isUppercase || $0.isNumber)) || $0 == "-" }
                  && school.code.first != "-", "code", "2 to 32 upper-case letters, digits or dashes")
        try check(!school.name.isEmpty && school.name.count <= 200, "name", "1 to 200 characters")
        try check(!school.district.isEmpty && school.district.count <= 100, "district", "1 to 100 characters")
        do { try PaymentCode.validatePrefix(school.paymentCodePrefix) } catch {
            throw SchoolValidationError(field: "paymentCodePrefix", problem: error.description)
        }
        try check(school.bankAccounts.count <= bankAccountsPerSchoolMax, "bankAccounts", "at most \(bankAccountsPerSchoolMax)")
        for (index, bank) in school.bankAccounts.enumerated() {
            try check(bank.bankBIN.count == 6 && bank.bankBIN.allSatisfy(\.isASCII) && bank.bankBIN.allSatisfy(\.isNumber),
                      "bankAccounts[\(index)].bankBIN", "6 digits")
            try check((1...19).contains(bank.accountNumber.count)
                      && bank.accountNumber.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) },
                      "bankAccounts[\(index)].accountNumber", "1 to 19 digits or upper-case letters")
            try check(!bank.holderName.isEmpty && bank.holderName.count <= 100, "bankAccounts[\(index)].holderName", "1 to 100 characters")
        }
    }
}

/// A field of a new school that does not fit its rule.
public struct SchoolValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let problem: String
    public var description: String { "\(field): \(problem)" }
}
