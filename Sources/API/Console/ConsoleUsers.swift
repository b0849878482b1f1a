import Core
import Crypto
import Foundation
import Postgres

/// The people who sign in to the console with a password: the one owner of `console_users`.
/// A user's role and scope follow the rules of API tokens (`TokenStore.create`).
public enum ConsoleUsers {
    public static let usernameBytesMax = 64

    public struct Identity: Sendable, Hashable {
        public let userID: Int64
        public let username: String
        public let role: Role
        public let schoolID: Int64?
        public let authority: String?
    }

    public static func add(username: String, password: String, role: Role, schoolID: Int64?, authority: String?,
                           on connection: PostgresConnection) throws -> Int64 {
        try checkScope(role: role, schoolID: schoolID, authority: authority)
        let hash = try strongHash(password)
        return try connection.query("""
            INSERT INTO console_users (username, password_hash, role, school_id, authority_code)
            VALUES (\(username), \(hash), \(role.rawValue), \(schoolID), \(authority)) RETURNING user_id
            """).singleRow()!.decode(column: 0)
    }

    /// Sets a new password and signs the user out everywhere (a reset answers a suspected leak).
    public static func reset(username: String, password: String, on connection: PostgresConnection) throws {
        let hash = try strongHash(password)
        guard let row = try connection.query("""
            UPDATE console_users SET password_hash = \(hash) WHERE username = \(username) RETURNING user_id
            """).singleRow() else { throw ConsoleUserError.unknown(username) }
        try ConsoleSessions.revokeAll(userID: try row.decode(column: 0), on: connection)
    }

    /// Stops the user signing in and ends their sessions.
    public static func disable(username: String, on connection: PostgresConnection) throws {
        guard let row = try connection.query("""
            UPDATE console_users SET disabled_at = coalesce(disabled_at, now()) WHERE username = \(username) RETURNING user_id
            """).singleRow() else { throw ConsoleUserError.unknown(username) }
        try ConsoleSessions.revokeAll(userID: try row.decode(column: 0), on: connection)
    }

    /// The enabled user `username` when `password` is theirs. An unknown name still costs one PBKDF2 run, so
    /// the answer's timing does not tell which names exist.
    static func verify(username: String, password: String, on connection: PostgresConnection) throws -> Identity? {
        guard username.utf8.count <= usernameBytesMax, password.utf8.count <= PasswordHash.passwordBytesMax else { return nil }
        let row = try connection.query("""
            SELECT user_id, password_hash, role, school_id, authority_code FROM console_users
            WHERE username = \(username) AND disabled_at IS NULL
            """).singleRow()
        guard let row else {
            _ = PasswordHash.verify(password, stored: decoyHash)
            return nil
        }
        let (id, stored, role, school, authority) = try row.decode((Int64, String, String, Int64?, String?).self)
        guard PasswordHash.verify(password, stored: stored), let callerRole = Role(rawValue: role) else { return nil }
        return Identity(userID: id, username: username, role: callerRole, schoolID: school, authority: authority)
    }

    /// The identity of an enabled user, for a session (nil once disabled).
    static func identity(userID: Int64, on connection: PostgresConnection) throws -> Identity? {
        guard let row = try connection.query("""
            SELECT username, role, school_id, authority_code FROM console_users WHERE user_id = \(userID) AND disabled_at IS NULL
            """).singleRow() else { return nil }
        let (name, role, school, authority) = try row.decode((String, String, Int64?, String?).self)
        guard let callerRole = Role(rawValue: role) else { return nil }
        return Identity(userID: userID, username: name, role: callerRole, schoolID: school, authority: authority)
    }

    /// A hash of nothing anyone knows, with the current work factor, verified against for unknown names.
    static let decoyHash: String = (try? PasswordHash.make(UUID().uuidString)) ?? ""

    static func strongHash(_ password: String) throws -> String {
        guard password.utf8.count >= PasswordHash.passwordBytesMin, password.utf8.count <= PasswordHash.passwordBytesMax else {
            throw ConsoleUserError.weakPassword
        }
        return try PasswordHash.make(password)
    }

    static func checkScope(role: Role, schoolID: Int64?, authority: String?) throws {
        switch role {
        case .accountant:
            guard schoolID != nil, authority == nil else { throw ConsoleUserError.scope("role accountant needs --school and no --authority") }
        case .authorityOffice:
            guard authority != nil, schoolID == nil else { throw ConsoleUserError.scope("role authority_office needs --authority and no --school") }
        case .admin, .financeOffice:
            guard schoolID == nil, authority == nil else { throw ConsoleUserError.scope("role \(role.rawValue) takes neither --school nor --authority") }
        case .bank:
            throw ConsoleUserError.scope("role bank posts callbacks only: it has no console user")
        case .feed:
            throw ConsoleUserError.scope("role feed reads the open data feed only: it has no console user")
        }
    }
}

public enum ConsoleUserError: Error, CustomStringConvertible {
    case scope(String)
    case weakPassword
    case unknown(String)

    public var description: String {
        switch self {
        case .scope(let message): return message
        case .weakPassword:
            return "the password must be \(PasswordHash.passwordBytesMin)–\(PasswordHash.passwordBytesMax) bytes long"
        case .unknown(let name): return "no console user '\(name)'"
        }
    }
}
