import API
import Core
import Foundation
import Ledger
import Postgres

/// `tuition user`: the people who sign in to the web console with a password.
enum UserCommand {
    static let usage = """
        Usage: tuition user add NAME --role ROLE [--school CODE | --authority CODE]
               tuition user reset NAME
               tuition user disable NAME

        Console users. `add` and `reset` read the password from the first line of standard input
        (never from the command line, which other users of the machine can see), at least 10 bytes.
        It is stored as PBKDF2-HMAC-SHA256 with 210,000 iterations and a random salt. `reset` and
        `disable` end every session of the user. Roles as for tokens: admin, finance_office,
        authority_office (--authority, a code from `tuition school authorities`), accountant (--school).
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("action")
        let name = try reader.requiredPositional("user name").lowercased()
        switch action {
        case "add":
            let scope = try RoleScopeOptions.read(&reader)
            try reader.finish()
            let password = try readPassword()
            try withDatabase { connection in
                let schoolID = try scope.schoolID(on: connection)
                let id = try consoleUserAction { try ConsoleUsers.add(username: name, password: password, role: scope.role, schoolID: schoolID,
                                                                      authority: scope.authority, on: connection) }
                print("user \(id) \(name) (\(scope.role.rawValue))")
            }
        case "reset":
            try reader.finish()
            let password = try readPassword()
            try withDatabase { connection in
                try consoleUserAction { try ConsoleUsers.reset(username: name, password: password, on: connection) }
                print("user \(name): password replaced, sessions ended")
            }
        case "disable":
            try reader.finish()
            try withDatabase { connection in
                try consoleUserAction { try ConsoleUsers.disable(username: name, on: connection) }
                print("user \(name): disabled, sessions ended")
            }
        default:
            throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }

    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CommandFailure(message: "no password on standard input")
        }
        return line
    }

    /// Console user errors are the caller's (a bad scope, a short password, an unknown name): said plainly.
    static func consoleUserAction<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ConsoleUserError {
            throw CommandFailure(message: error.description)
        }
    }
}
