import API
import Core
import Foundation
import Ledger
import Postgres

enum TokenCommand {
    static let usage = """
        Usage: tuition token create --role ROLE [--school CODE | --authority CODE] [--label TEXT]
               tuition token list
               tuition token revoke ID

        API tokens. The secret is printed once by `create` and never stored (only its SHA-256).
        Roles: admin, finance_office (every school), authority_office (--authority, read-only over the
        schools that authority manages; see `tuition school authorities`), accountant (--school),
        bank (--school), feed (the open data feed only: aggregated figures, no personal data).
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("action")
        switch action {
        case "create":
            let scope = try RoleScopeOptions.read(&reader)
            let label = try reader.option("--label") ?? "\(scope.role.rawValue) token"
            try reader.finish()
            try withDatabase { connection in
                let schoolID = try scope.schoolID(on: connection)
                do {
                    let created = try TokenStore.create(role: scope.role, schoolID: schoolID, authority: scope.authority, label: label, on: connection)
                    print("token \(created.tokenID) (\(scope.role.rawValue)): \(created.token)")
                    printError("store it now: it is shown only once")
                } catch let error as TokenError {
                    throw UsageError(message: error.description, usage: usage)
                }
            }
        case "list":
            try reader.finish()
            try withDatabase { connection in
                for token in try TokenStore.list(on: connection) {
                    var scope = token.schoolID.map { "school \($0)" } ?? token.authority.map { "authority \($0)" } ?? "all schools"
                    if let district = token.district { scope += " (former district \(district))" }
                    let state = token.revokedAt == nil ? "active" : "revoked"
                    print("\(token.id)\t\(token.role.rawValue)\t\(scope)\t\(state)\t\(token.label)")
                }
            }
        case "revoke":
            let idText = try reader.requiredPositional("token id")
            try reader.finish()
            guard let id = Int64(idText) else { throw UsageError(message: "token id must be a number", usage: usage) }
            try withDatabase { connection in
                guard try TokenStore.revoke(tokenID: id, on: connection) else { throw CommandFailure(message: "no active token \(id)") }
                print("token \(id) revoked")
            }
        default:
            throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }
}

enum SchoolCommand {
    static let usage = """
        Usage: tuition school create --code CODE --name NAME --level LEVEL
                                     (--commune-code 5DIGITS --commune NAME | --district NAME)
                                     [--official-code CODE] [--district NAME]
                                     [--ownership public|non_public] [--area-class urban|rural|mountainous]
                                     [--prefix HP] [--bank BIN:ACCOUNT:HOLDER ...]
               tuition school list
               tuition school authorities
               tuition school import FILE [--dry-run]

        Creates a school with its default chart of accounts and one ledger account per bank account.
        Levels: preschool, primary, lower_secondary, upper_secondary, continuing.
        The managing authority follows from the level and the commune or ward (docs/authorities.md):
        upper-secondary and continuing education report to the department, other schools to their
        commune's people's committee; without a commune, transitionally to their former district.
        Ownership decides the tuition regime (public by default); the area class picks the fee
        catalogue's caps (rural by default).
        `import` reads the province's school list (CSV: official code, name, level, ownership, commune
        code, commune, authority), all or nothing, with errors by line and field.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("action")
        switch action {
        case "create":
            let code = try reader.requiredOption("--code")
            let name = try reader.requiredOption("--name")
            let district = try reader.option("--district") ?? ""
            let officialCode = try reader.option("--official-code")
            let communeCode = try reader.option("--commune-code")
            let communeName = try reader.option("--commune")
            guard (communeCode == nil) == (communeName == nil) else {
                throw UsageError(message: "--commune-code and --commune go together", usage: usage)
            }
            let commune = communeCode.map { Commune(code: $0, name: communeName ?? "") }
            let level = try reader.option("--level") { text -> SchoolLevel in
                guard let level = SchoolLevel(rawValue: text) else { throw CommandFailure(message: "unknown level '\(text)'") }
                return level
            }
            guard let level else { throw UsageError(message: "missing --level", usage: usage) }
            let ownership = try reader.option("--ownership") { text -> SchoolOwnership in
                guard let ownership = SchoolOwnership(rawValue: text) else { throw CommandFailure(message: "unknown ownership '\(text)'") }
                return ownership
            } ?? .public
            let areaClass = try reader.option("--area-class") { text -> AreaClass in
                guard let area = AreaClass(rawValue: text) else { throw CommandFailure(message: "unknown area class '\(text)'") }
                return area
            } ?? .rural
            let prefix = try reader.option("--prefix") ?? "HP"
            var banks: [NewBankAccount] = []
            for bank in try reader.repeatedOption("--bank") {
                let parts = bank.split(separator: ":", maxSplits: 2).map(String.init)
                guard parts.count == 3 else { throw UsageError(message: "--bank is BIN:ACCOUNT:HOLDER", usage: usage) }
                banks.append(NewBankAccount(bankBIN: parts[0], accountNumber: parts[1], holderName: parts[2]))
            }
            try reader.finish()
            let database = try DatabaseAccess.resolve()
            try database.migrate(layout: try ProjectLayout.locate())
            let pool = PostgresPool(configuration: database.configuration, size: 1)
            defer { pool.close() }
            do {
                let school = try pool.transaction(isolation: .readCommitted) { connection in
                    try Schools.create(NewSchool(code: code, name: name, district: district, officialCode: officialCode, commune: commune,
                                                 level: level, ownership: ownership,
                                                 areaClass: areaClass, paymentCodePrefix: prefix,
                                                 bankAccounts: banks), on: connection)
                }
                print("school \(school.code) created (id \(school.id))")
            } catch let error as SchoolValidationError {
                throw CommandFailure(message: "invalid school: \(error)")
            }
        case "list":
            try reader.finish()
            try withDatabase { connection in
                for school in try Schools.list(on: connection) {
                    print([school.code, school.officialCode ?? "-", school.level.rawValue, school.ownership.rawValue, school.areaClass.rawValue,
                           school.commune?.name ?? "-", school.authority.code, school.name].joined(separator: "\t"))
                }
            }
        case "authorities":
            try reader.finish()
            try withDatabase { connection in
                for authority in try Authorities.list(on: connection) {
                    print("\(authority.code)\t\(authority.kind.rawValue)\t\(authority.name)")
                }
            }
        case "import":
            try SchoolListCommand.run(&reader, usage: usage)
        default:
            throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }
}

/// Runs `body` with a connection to the migrated database.
func withDatabase(_ body: (PostgresConnection) throws -> Void) throws {
    let database = try DatabaseAccess.resolve()
    try database.migrate(layout: try ProjectLayout.locate())
    let connection = try database.connect()
    defer { connection.close() }
    try body(connection)
}
