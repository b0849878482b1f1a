import Core
import Foundation
import HTTP
import Ledger
import Postgres

struct BankAccountView: Codable, Hashable {
    var bankBin: String
    var accountNumber: String
    var holderName: String
}

struct SchoolView: Codable, APIExample {
    var code: String
    var name: String
    /// The former district, kept as history (empty when none was recorded).
    var district: String
    var officialCode: String?
    var communeCode: String?
    var communeName: String?
    var authorityCode: String
    var authorityName: String
    var authorityKind: AuthorityKind
    var level: SchoolLevel
    var ownership: SchoolOwnership
    var areaClass: AreaClass
    var paymentCodePrefix: String
    var closedThrough: CalendarDate?
    var bankAccounts: [BankAccountView]

    static let example = SchoolView(code: "THCS-BADINH", name: "Trường THCS Ba Đình", district: "Ba Đình", officialCode: "19000123",
                                    commune: Commune(code: "05500", name: "Phường Phan Đình Phùng"),
                                    authority: Authority(code: "UBND-05500", kind: .commune, name: "UBND Phường Phan Đình Phùng"),
                                    level: .lowerSecondary, ownership: .public, areaClass: .urban, paymentCodePrefix: "HP", closedThrough: try? CalendarDate(iso: "2026-08-31"),
                                    bankAccounts: [BankAccountView(bankBin: "970436", accountNumber: "0011001234567", holderName: "TRUONG THCS BA DINH")])

    init(code: String, name: String, district: String, officialCode: String?, commune: Commune?, authority: Authority,
         level: SchoolLevel, ownership: SchoolOwnership, areaClass: AreaClass,
         paymentCodePrefix: String, closedThrough: CalendarDate?, bankAccounts: [BankAccountView]) {
        self.code = code
        self.name = name
        self.district = district
        self.officialCode = officialCode
        self.communeCode = commune?.code
        self.communeName = commune?.name
        self.authorityCode = authority.code
        self.authorityName = authority.name
        self.authorityKind = authority.kind
        self.level = level
        self.ownership = ownership
        self.areaClass = areaClass
        self.paymentCodePrefix = paymentCodePrefix
        self.closedThrough = closedThrough
        self.bankAccounts = bankAccounts
    }

    init(_ school: School, bankAccounts: [SchoolBankAccount]) {
        self.init(code: school.code, name: school.name, district: school.district, officialCode: school.officialCode,
                  commune: school.commune, authority: school.authority, level: school.level,
                  ownership: school.ownership, areaClass: school.areaClass, paymentCodePrefix: school.paymentCodePrefix, closedThrough: school.closedThrough,
                  bankAccounts: bankAccounts.map { BankAccountView(bankBin: $0.bankBIN, accountNumber: $0.accountNumber, holderName: $0.holderName) })
    }
}

struct SchoolList: Codable, APIExample {
    var items: [SchoolView]
    static let example = SchoolList(items: [SchoolView.example])
}

struct CreateSchoolRequest: Codable, APIExample {
    var code: String
    var name: String
    /// The former district (history). Required without a commune for schools a commune would manage.
    var district: String?
    /// The code of the province's school list.
    var officialCode: String?
    /// The commune or ward: its official 5-digit code and its name, both or neither. They decide the managing authority.
    var communeCode: String?
    var communeName: String?
    var level: SchoolLevel
    /// Public when absent.
    var ownership: SchoolOwnership?
    /// Rural when absent.
    var areaClass: AreaClass?
    var paymentCodePrefix: String
    var bankAccounts: [BankAccountView]

    static let example = CreateSchoolRequest(code: "THCS-BADINH", name: "Trường THCS Ba Đình", district: "Ba Đình",
                                             officialCode: "19000123", communeCode: "05500", communeName: "Phường Phan Đình Phùng",
                                             level: .lowerSecondary, ownership: .public, areaClass: .urban, paymentCodePrefix: "HP",
                                             bankAccounts: SchoolView.example.bankAccounts)
}

/// What `Schools.validate` and the route check, field by field and across fields.
extension CreateSchoolRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] {
        [
            "code": .patterned(pattern: Schools.codePattern),
            "name": .text(pattern: Schools.namePattern, minLength: 1, maxLength: Schools.nameCharactersMax),
            "district": .text(pattern: Schools.namePattern, minLength: 0, maxLength: Schools.districtCharactersMax),
            "official_code": .patterned(pattern: Schools.codePattern),
            "commune_code": .patterned(pattern: Commune.codePattern),
            "commune_name": .text(pattern: Schools.namePattern, minLength: 1, maxLength: Commune.nameCharactersMax),
            "payment_code_prefix": .patterned(pattern: PaymentCode.prefixPattern),
            "bank_accounts.bank_bin": .patterned(pattern: Schools.bankBINPattern),
            "bank_accounts.account_number": .patterned(pattern: Schools.accountNumberPattern),
            "bank_accounts.holder_name": .text(pattern: Schools.namePattern, minLength: 1, maxLength: Schools.holderNameCharactersMax),
        ]
    }

    static var arrayCounts: [String: ClosedRange<Int>] { ["bank_accounts": 0...Schools.bankAccountsPerSchoolMax] }

    static var crossFieldRules: [JSONSchema] {
        let given = JSONSchema.string()
        return [
            // The commune's code and name go together.
            .anyOf([.fields(properties: [("commune_code", .null), ("commune_name", .null)], required: []),
                    .fields(properties: [("commune_code", given), ("commune_name", given)], required: ["commune_code", "commune_name"])]),
            // A school a commune would manage needs its commune or, transitionally, its former district.
            .anyOf([.fields(properties: [("district", .text(pattern: Schools.namePattern, minLength: 1, maxLength: Schools.districtCharactersMax))],
                            required: ["district"]),
                    .fields(properties: [("commune_code", given)], required: ["commune_code"]),
                    .fields(properties: [("level", .string(enumeration: SchoolLevel.allCases.filter(\.isManagedByDepartment).map(\.rawValue)))],
                            required: ["level"])]),
        ]
    }
}

/// Schools: created by the administrator, read within each caller's scope.
enum SchoolEndpoints {
    static let listLimit = 1_000
    static let readers = RoleSets.schoolReaders

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.post, "/v1/schools", summary: "Create a school with its default chart of accounts", tag: "schools",
                    roles: RoleSets.administrators, request: CreateSchoolRequest.self, response: SchoolView.self, status: .created) { request in
            let body = try request.decode(CreateSchoolRequest.self)
            guard (body.communeCode == nil) == (body.communeName == nil) else {
                throw APIError.validation("communeCode: communeCode and communeName go together")
            }
            let commune = body.communeCode.map { Commune(code: $0, name: body.communeName ?? "") }
            let new = NewSchool(code: body.code, name: body.name, district: body.district ?? "", officialCode: body.officialCode,
                                commune: commune, level: body.level,
                                ownership: body.ownership ?? .public, areaClass: body.areaClass ?? .rural,
                                paymentCodePrefix: body.paymentCodePrefix,
                                bankAccounts: body.bankAccounts.map { NewBankAccount(bankBIN: $0.bankBin, accountNumber: $0.accountNumber, holderName: $0.holderName) })
            let view = try context.pool.transaction(isolation: .readCommitted) { connection in
                let school = try Schools.create(new, on: connection)
                return SchoolView(school, bankAccounts: try Schools.bankAccounts(schoolID: school.id, on: connection))
            }
            return try APIJSON.response(view, status: .created)
        }
        builder.add(.get, "/v1/schools", summary: "List the schools the caller may see", tag: "schools", roles: readers,
                    response: SchoolList.self) { request in
            let caller = request.caller
            let views = try context.pool.withConnection { connection -> [SchoolView] in
                let schools: [School]
                switch caller.role {
                case .admin, .financeOffice: schools = try Schools.list(limit: listLimit, on: connection)
                case .authorityOffice: schools = try Schools.list(authorities: caller.authorities, limit: listLimit, on: connection)
                case .feed: schools = []
                case .accountant, .bank: schools = try caller.schoolID.flatMap { try Schools.find(id: $0, on: connection) }.map { [$0] } ?? []
                }
                let banks = try Schools.bankAccounts(schoolIDs: schools.map(\.id), on: connection)
                return schools.map { SchoolView($0, bankAccounts: banks[$0.id] ?? []) }
            }
            return try APIJSON.response(SchoolList(items: views))
        }
        builder.add(.get, "/v1/schools/{school}", summary: "Get a school", tag: "schools", roles: readers,
                    response: SchoolView.self) { request in
            let school = request.scopedSchool
            let banks = try context.pool.withConnection { try Schools.bankAccounts(schoolID: school.id, on: $0) }
            return try APIJSON.response(SchoolView(school, bankAccounts: banks))
        }
    }
}
