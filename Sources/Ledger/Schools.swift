import Core
import Postgres

/// A school as recorded.
public struct School: Hashable, Sendable, Codable {
    public var id: Int64
    public var code: String
    public var name: String
    /// The former district, kept as history (empty for a school recorded without one).
    public var district: String
    /// The code of the province's school list, the open data feed's identifier; nil until known.
    public var officialCode: String?
    /// The commune or ward; nil for a school recorded before migration 0012 until the school list gives it.
    public var commune: Commune?
    /// Who manages the school (a commune or ward people's committee, the department, or transitionally a former district).
    public var authority: Authority
    public var level: SchoolLevel
    public var ownership: SchoolOwnership
    public var areaClass: AreaClass
    public var paymentCodePrefix: String
    /// The last day of the latest closed month, if any.
    public var closedThrough: CalendarDate?

    /// Where the school is, as reports and receipts print it: its commune or ward, or else its former
    /// district, or else its managing authority (never empty).
    public var placeName: String {
        if let commune { return commune.name }
        return district.isEmpty ? authority.name : district
    }
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
    /// The former district (history); may be empty when the commune is given.
    public var district: String
    public var officialCode: String?
    /// The commune or ward. Without it, a school of commune level is managed, transitionally, by its former district.
    public var commune: Commune?
    public var level: SchoolLevel
    public var ownership: SchoolOwnership
    public var areaClass: AreaClass
    public var paymentCodePrefix: String
    public var bankAccounts: [NewBankAccount]

    public init(code: String, name: String, district: String, officialCode: String? = nil, commune: Commune? = nil,
                level: SchoolLevel, ownership: SchoolOwnership = .public,
                areaClass: AreaClass = .rural, paymentCodePrefix: String, bankAccounts: [NewBankAccount]) {
        self.code = code
        self.name = name
        self.district = district
        self.officialCode = officialCode
        self.commune = commune
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

/// Schools and their default chart of accounts (read from `charts/`, see `DefaultChart`).
public enum Schools {
    public static let bankAccountsPerSchoolMax = 10

    /// Creates the school, its default chart and one bank ledger account per bank account, atomically.
    public static func create(_ school: NewSchool, on connection: PostgresConnection) throws -> School {
        try validate(school)
        let chart = try DefaultChart.chart()
        let authority = try managingAuthority(of: school, on: connection)
        let district: String? = school.district.isEmpty ? nil : school.district
        let row = try connection.query("""
            INSERT INTO schools (code, name, district, official_code, commune_code, commune_name, authority_code,
                                 level, ownership, area_class, payment_code_prefix)
            VALUES (\(school.code), \(school.name), \(district), \(school.officialCode), \(school.commune?.code), \(school.commune?.name),
                    \(authority.code), \(school.level.rawValue), \(school.ownership.rawValue),
                    \(school.areaClass.rawValue), \(school.paymentCodePrefix))
            ON CONFLICT DO NOTHING
            RETURNING school_id
            """).singleRow()
        guard let row else { throw LedgerError.duplicate("school \(school.code)" + (school.officialCode.map { " or official code \($0)" } ?? "")) }
        let id = try row.decode(column: 0, as: Int64.self)
        for account in chart.accounts {
            try addAccount(schoolID: id, code: account.code, name: account.name, type: account.type, purpose: account.purpose, on: connection)
        }
        for (index, bank) in school.bankAccounts.enumerated() {
            try addBankAccount(schoolID: id, bank, code: "1121-\(index + 1)", on: connection)
        }
        return School(id: id, code: school.code, name: school.name, district: school.district, officialCode: school.officialCode,
                      commune: school.commune, authority: authority, level: school.level,
                      ownership: school.ownership, areaClass: school.areaClass, paymentCodePrefix: school.paymentCodePrefix,
                      closedThrough: nil)
    }

    /// The authority of a new school: by the two-tier rule when its commune is known; otherwise the
    /// department for its levels, or transitionally its former district.
    static func managingAuthority(of school: NewSchool, on connection: PostgresConnection) throws -> Authority {
        if let commune = school.commune {
            return try Authorities.ensure(.managing(level: school.level, commune: commune), commune: commune, on: connection)
        }
        if school.level.isManagedByDepartment { return .department }
        return try Authorities.formerDistrict(school.district, on: connection)
    }

    /// Records where a school lies and who manages it, as the province's school list says.
    public static func relocate(schoolID: Int64, officialCode: String, commune: Commune, authority: Authority,
                                on connection: PostgresConnection) throws {
        try Authorities.ensure(authority, commune: commune, on: connection)
        let rows = try connection.query("""
            UPDATE schools SET official_code = \(officialCode), commune_code = \(commune.code), commune_name = \(commune.name),
                               authority_code = \(authority.code)
            WHERE school_id = \(schoolID)
            """)
        guard rows.affectedRows == 1 else { throw LedgerError.duplicate("school \(schoolID) not found") }
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
        try sendFind(id: id, on: connection).get()
    }

    /// `find(id:)` sent now and read later (`PostgresConnection.send`), inside a transaction.
    public static func sendFind(id: Int64, on connection: PostgresConnection) throws -> PostgresPending<School?> {
        try connection.send("""
            SELECT \(unescaped: columns) FROM schools WHERE school_id = \(id)
            """) { try $0.first.map(decode) }
    }

    public static func find(code: String, on connection: PostgresConnection) throws -> School? {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools WHERE code = \(code)
            """).first.map(decode)
    }

    /// The school with this official code, or else the school with this code that has no official code yet.
    public static func find(officialCode: String, on connection: PostgresConnection) throws -> School? {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools
            WHERE official_code = \(officialCode) OR (code = \(officialCode) AND official_code IS NULL)
            ORDER BY official_code IS NULL LIMIT 1
            """).first.map(decode)
    }

    /// Whether any school is recorded. Reads no column but the table itself, so it also answers on a
    /// database at an older schema (the restore command's safety check).
    public static func anyExist(on connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT EXISTS (SELECT 1 FROM schools)").singleRow()!.decode(column: 0, as: Bool.self)
    }

    /// Schools in code order, optionally only those of these authorities; bounded by `limit`.
    public static func list(authorities: [String]? = nil, limit: Int = 1_000, on connection: PostgresConnection) throws -> [School] {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools
            WHERE \(authorities.map(PostgresTextArray.init)) IS NULL OR authority_code = ANY(\(authorities.map(PostgresTextArray.init)))
            ORDER BY code LIMIT \(limit)
            """).map(decode)
    }

    /// Schools with an official code, in official-code order, after `cursor` (exclusive); at most `limit`.
    /// The open data feed pages through them with the last code of a page as the next cursor.
    public static func listByOfficialCode(after cursor: String?, limit: Int, on connection: PostgresConnection) throws -> [School] {
        try connection.query("""
            SELECT \(unescaped: columns) FROM schools
            WHERE official_code IS NOT NULL AND official_code > coalesce(\(cursor), '')
            ORDER BY official_code LIMIT \(limit)
            """).map(decode)
    }

    public static func bankAccounts(schoolID: Int64, on connection: PostgresConnection) throws -> [SchoolBankAccount] {
        try bankAccounts(schoolIDs: [schoolID], on: connection)[schoolID] ?? []
    }

    /// The bank accounts of each of these schools, in one query.
    public static func bankAccounts(schoolIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: [SchoolBankAccount]] {
        try sendBankAccounts(schoolIDs: schoolIDs, on: connection).get()
    }

    /// `bankAccounts(schoolIDs:)` sent now and read later (`PostgresConnection.send`).
    public static func sendBankAccounts(schoolIDs: [Int64], on connection: PostgresConnection) throws -> PostgresPending<[Int64: [SchoolBankAccount]]> {
        try connection.send("""
            SELECT school_id, bank_account_id, bank_bin, account_number, holder_name, account_id FROM bank_accounts
            WHERE school_id = ANY(\(PostgresInt64Array(schoolIDs))) ORDER BY school_id, bank_account_id
            """) { rows in
            var accounts: [Int64: [SchoolBankAccount]] = [:]
            for row in rows {
                let (school, id, bin, number, holder, account) = try row.decode((Int64, Int64, String, String, String, Int64).self)
                accounts[school, default: []].append(SchoolBankAccount(id: id, bankBIN: bin, accountNumber: number, holderName: holder,
                                                                       accountID: account))
            }
            return accounts
        }
    }

    /// The columns `decode` reads, in its order.
    /// (The authority's kind and name are read by subqueries so every caller's FROM stays `schools`.)
    private static let columns = """
        school_id, code, name, district, level, ownership, area_class, payment_code_prefix, closed_through,
        official_code, commune_code, commune_name, authority_code,
        (SELECT a.kind FROM authorities a WHERE a.authority_code = schools.authority_code),
        (SELECT a.name FROM authorities a WHERE a.authority_code = schools.authority_code)
        """

    static func decode(_ row: PostgresRow) throws -> School {
        let (id, code, name, district, level, ownership, area, prefix, closed, official, communeCode, communeName,
             authorityCode, authorityKind, authorityName) =
            try row.decode((Int64, String, String, String?, String, String, String, String, CalendarDate?, String?, String?, String?,
                            String, String, String).self)
        guard let schoolLevel = SchoolLevel(rawValue: level), let schoolOwnership = SchoolOwnership(rawValue: ownership),
              let areaClass = AreaClass(rawValue: area), let kind = AuthorityKind(rawValue: authorityKind) else {
            throw PostgresError(code: .decoding)
        }
        var commune: Commune?
        if let communeCode, let communeName { commune = Commune(code: communeCode, name: communeName) }
        return School(id: id, code: code, name: name, district: district ?? "", officialCode: official, commune: commune,
                      authority: Authority(code: authorityCode, kind: kind, name: authorityName), level: schoolLevel,
                      ownership: schoolOwnership, areaClass: areaClass, paymentCodePrefix: prefix, closedThrough: closed)
    }

    /// A school code's shape (`validate`, `isOfficialCode`) as an anchored ECMA-262 pattern for the API's document;
    /// `SchoolCodePatternTests` holds the pattern and the validator together.
    public static let codePattern = "^[A-Z0-9][A-Z0-9-]{1,31}$"

    /// Whether `code` has the shape of an official school code, the same as a school code's: 2 to 32 upper-case
    /// ASCII letters, digits or dashes, not starting with a dash (the list's codes are digits; recorded codes may match them).
    public static func isOfficialCode(_ code: String) -> Bool {
        (2...32).contains(code.utf8.count) && code.utf8.first != UInt8(ascii: "-")
            && code.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: "-") }
    }

    /// Lengths in Unicode scalars, as JSON Schema's `maxLength` counts them (the API's document states them).
    public static let nameCharactersMax = 200
    public static let districtCharactersMax = 100
    public static let holderNameCharactersMax = 100
    /// A bank's BIN (6 digits) and an account number (1 to 19 digits or upper-case letters), as `validate` reads them.
    public static let bankBINPattern = "^[0-9]{6}$"
    public static let accountNumberPattern = "^[0-9A-Z]{1,19}$"

    /// Free text of a school (its name, district, a holder's name): no control character — PostgreSQL cannot store
    /// NUL, and the others have no place in a name — as an anchored pattern, and its check.
    public static let namePattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"

    public static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.isControlCharacter }
    }

    public static func isBankBIN(_ text: String) -> Bool {
        text.utf8.count == 6 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    public static func isAccountNumber(_ text: String) -> Bool {
        (1...19).contains(text.utf8.count) && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) }
    }

    static func validate(_ school: NewSchool) throws(SchoolValidationError) {
        func check(_ ok: Bool, _ field: String, _ problem: String) throws(SchoolValidationError) {
            if !ok { throw SchoolValidationError(field: field, problem: problem) }
        }
        try check(isOfficialCode(school.code), "code", "2 to 32 upper-case letters, digits or dashes")
        try check(!school.name.isEmpty && school.name.unicodeScalars.count <= nameCharactersMax && !hasControl(school.name),
                  "name", "1 to \(nameCharactersMax) characters, no control characters")
        try check(school.district.unicodeScalars.count <= districtCharactersMax && !hasControl(school.district),
                  "district", "at most \(districtCharactersMax) characters, no control characters")
        try check(!school.district.isEmpty || school.commune != nil || school.level.isManagedByDepartment,
                  "district", "the former district, or the commune, is required")
        if let official = school.officialCode { try check(isOfficialCode(official), "officialCode", "2 to 32 upper-case letters, digits or dashes") }
        if let problem = school.commune?.problem { throw SchoolValidationError(field: problem.field, problem: problem.problem) }
        do { try PaymentCode.validatePrefix(school.paymentCodePrefix) } catch {
            throw SchoolValidationError(field: "paymentCodePrefix", problem: error.description)
        }
        try check(school.bankAccounts.count <= bankAccountsPerSchoolMax, "bankAccounts", "at most \(bankAccountsPerSchoolMax)")
        for (index, bank) in school.bankAccounts.enumerated() {
            try check(isBankBIN(bank.bankBIN), "bankAccounts[\(index)].bankBIN", "6 digits")
            try check(isAccountNumber(bank.accountNumber), "bankAccounts[\(index)].accountNumber", "1 to 19 digits or upper-case letters")
            try check(!bank.holderName.isEmpty && bank.holderName.unicodeScalars.count <= holderNameCharactersMax && !hasControl(bank.holderName),
                      "bankAccounts[\(index)].holderName", "1 to \(holderNameCharactersMax) characters, no control characters")
        }
    }
}

/// A field of a new school that does not fit its rule.
public struct SchoolValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let problem: String
    public var description: String { "\(field): \(problem)" }
}
