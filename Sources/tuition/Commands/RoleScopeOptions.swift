import Core
import Ledger
import Postgres

/// What an API token and a console user are created with: `--role ROLE`, and the scope a role needs,
/// `--school CODE` or `--authority CODE` (`tuition token create`, `tuition user add`). Whether the role and
/// the scope fit together is the stores' rule (`TokenStore`, `ConsoleUsers`), not the command line's.
struct RoleScopeOptions {
    var role: Role
    var schoolCode: String?
    var authority: String?

    static func read(_ reader: inout ArgumentReader) throws -> RoleScopeOptions {
        let role = try reader.option("--role") { text -> Role in
            guard let role = Role(rawValue: text) else { throw CommandFailure(message: "one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))") }
            return role
        }
        guard let role else { throw UsageError(message: "missing --role", usage: reader.usage) }
        return RoleScopeOptions(role: role, schoolCode: try reader.option("--school"), authority: try reader.option("--authority"))
    }

    /// The id of the school named by `--school`, nil without one; a code no school has is an error.
    func schoolID(on connection: PostgresConnection) throws -> Int64? {
        try schoolCode.map { code -> Int64 in
            guard let school = try Schools.find(code: code, on: connection) else { throw CommandFailure(message: "no school with code \(code)") }
            return school.id
        }
    }
}
