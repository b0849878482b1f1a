import Core
import Crypto
import Foundation
import Ledger
import Postgres

/// API tokens: created with at least 32 random bytes, shown once, stored as SHA-256 only.
public enum TokenStore {
    public static let tokenRandomBytes = 32
    /// Tokens carry a prefix so a leaked one is recognisable in logs and secret scanners.
    public static let tokenPrefix = "tt_"
    /// A presented token longer than this is refused before hashing.
    public static let tokenBytesMax = 128

    public struct Created: Sendable {
        public let tokenID: Int64
        /// The secret itself: shown once, never stored.
        public let token: String
    }

    public struct Listed: Sendable, Codable, Hashable {
        public var id: Int64
        public var role: Role
        public var schoolID: Int64?
        /// The authority an authority office reads.
        public var authority: String?
        /// The former district of a token issued to a district office before July 2025.
        public var district: String?
        public var label: String
        public var createdAt: Date
        public var revokedAt: Date?
    }

    public static func create(role: Role, schoolID: Int64?, authority: String?, label: String,
                              on connection: PostgresConnection) throws -> Created {
        switch role {
        case .accountant, .bank:
            guard schoolID != nil, authority == nil else { throw TokenError.scope("role \(role.rawValue) needs --school and no --authority") }
        case .authorityOffice:
            guard let authority, schoolID == nil else { throw TokenError.scope("role authority_office needs --authority and no --school") }
            guard try Authorities.find(code: authority, on: connection) != nil else { throw TokenError.scope("no authority with code \(authority)") }
        case .admin, .financeOffice, .feed:
            guard schoolID == nil, authority == nil else { throw TokenError.scope("role \(role.rawValue) takes neither --school nor --authority") }
        }
        let token = tokenPrefix + (try SecureRandom.token(byteCount: tokenRandomBytes))
        let row = try connection.query("""
            INSERT INTO api_tokens (token_hash, role, school_id, authority_code, label)
            VALUES (\(SHA256Digest.hash(Array(token.utf8))), \(role.rawValue), \(schoolID), \(authority), \(label))
            RETURNING token_id
            """).singleRow()!
        return Created(tokenID: try row.decode(column: 0), token: token)
    }

    public static func list(on connection: PostgresConnection) throws -> [Listed] {
        try connection.query("""
            SELECT token_id, role, school_id, district, label, created_at, revoked_at, authority_code FROM api_tokens ORDER BY token_id
            """).map { row in
            let (id, role, school, district, label, created, revoked, authority) =
                try row.decode((Int64, String, Int64?, String?, String, Date, Date?, String?).self)
            return Listed(id: id, role: Role(rawValue: role) ?? .bank, schoolID: school, authority: authority, district: district,
                          label: label, createdAt: created, revokedAt: revoked)
        }
    }

    /// Revokes a token; returns false when no such unrevoked token exists.
    public static func revoke(tokenID: Int64, on connection: PostgresConnection) throws -> Bool {
        try connection.query("UPDATE api_tokens SET revoked_at = now() WHERE token_id = \(tokenID) AND revoked_at IS NULL").affectedRows == 1
    }

    /// The caller a presented token belongs to; nil for a malformed, unknown or revoked token.
    /// Lookup is by SHA-256, so the comparison of secrets never happens byte by byte in our code.
    public static func authenticate(_ token: String, on connection: PostgresConnection) throws -> Caller? {
        guard token.utf8.count <= tokenBytesMax, token.hasPrefix(tokenPrefix) else { return nil }
        let hash = SHA256Digest.hash(Array(token.utf8))
        guard let row = try connection.query("""
            SELECT token_id, role, school_id, authority_code, district, label FROM api_tokens
            WHERE token_hash = \(hash) AND revoked_at IS NULL
            """).singleRow() else { return nil }
        return try caller(row, on: connection)
    }

    /// The caller of a token row (`token_id, role, school_id, authority_code, district, label`).
    static func caller(_ row: PostgresRow, on connection: PostgresConnection) throws -> Caller? {
        let (id, role, school, authority, district, label) = try row.decode((Int64, String, Int64?, String?, String?, String).self)
        guard let callerRole = Role(rawValue: role) else { return nil }
        let authorities = try authority.map { try Authorities.readable(by: $0, district: district, on: connection) } ?? []
        return Caller(tokenID: id, role: callerRole, schoolID: school, authorities: authorities, label: label)
    }
}

extension TokenStore {
    /// The caller of an unrevoked token by id (a console session opened with a token: revoking the token ends it).
    public static func caller(tokenID: Int64, on connection: PostgresConnection) throws -> Caller? {
        guard let row = try connection.query("""
            SELECT token_id, role, school_id, authority_code, district, label FROM api_tokens
            WHERE token_id = \(tokenID) AND revoked_at IS NULL
            """).singleRow() else { return nil }
        return try caller(row, on: connection)
    }
}

public enum TokenError: Error, CustomStringConvertible {
    case scope(String)
    public var description: String {
        switch self {
        case .scope(let message): return message
        }
    }
}
