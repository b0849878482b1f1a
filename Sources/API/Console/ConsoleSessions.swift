import Core
import Crypto
import Foundation
import Postgres

/// Console sessions: the one owner of `console_sessions`. The browser holds a random id; the table holds
/// only its SHA-256, so a copy of the table signs nobody in.
public enum ConsoleSessions {
    static let idBytes = 32
    static let csrfBytes = 32
    /// A session unused this long is over (a desk left unattended).
    public static let idleSeconds = 30 * 60
    /// A session is over this long after sign-in, however busy (a working day).
    public static let absoluteSeconds = 12 * 60 * 60
    /// `last_seen_at` is written at most this often: one write per minute, not per page.
    static let touchIntervalSeconds = 60
    /// Presented ids longer than this are refused before hashing.
    static let presentedBytesMax = 64

    /// Who signed in: a console user, or an API token presented at the sign-in form.
    enum Principal: Sendable {
        case user(Int64)
        case token(Int64)
    }

    struct Opened: Sendable {
        /// The secret for the cookie: shown once, stored as a hash.
        let id: String
        let csrf: String
    }

    /// A live session: its caller (resolved afresh each request, so a disabled user or a revoked token is out at once).
    struct Live: Sendable {
        let caller: Caller
        let csrf: String
        let displayName: String
    }

    static func open(_ principal: Principal, on connection: PostgresConnection) throws -> Opened {
        let id = try SecureRandom.token(byteCount: idBytes)
        let csrf = try SecureRandom.token(byteCount: csrfBytes)
        var userID: Int64?
        var tokenID: Int64?
        switch principal {
        case .user(let id): userID = id
        case .token(let id): tokenID = id
        }
        try connection.query("""
            INSERT INTO console_sessions (session_hash, user_id, token_id, csrf_token)
            VALUES (\(SHA256Digest.hash(Array(id.utf8))), \(userID), \(tokenID), \(csrf))
            """)
        return Opened(id: id, csrf: csrf)
    }

    /// The live session of a presented id; nil when unknown, revoked, idle too long or too old.
    static func resolve(_ presented: String, on connection: PostgresConnection) throws -> Live? {
        guard !presented.isEmpty, presented.utf8.count <= presentedBytesMax else { return nil }
        let hash = SHA256Digest.hash(Array(presented.utf8))
        guard let row = try connection.query("""
            SELECT user_id, token_id, csrf_token, last_seen_at < now() - make_interval(secs => \(touchIntervalSeconds))
            FROM console_sessions
            WHERE session_hash = \(hash) AND revoked_at IS NULL
              AND last_seen_at > now() - make_interval(secs => \(idleSeconds))
              AND created_at > now() - make_interval(secs => \(absoluteSeconds))
            """).singleRow() else { return nil }
        let (userID, tokenID, csrf, stale) = try row.decode((Int64?, Int64?, String, Bool).self)
        guard let (caller, name) = try principalCaller(userID: userID, tokenID: tokenID, on: connection) else { return nil }
        if stale {
            try connection.query("UPDATE console_sessions SET last_seen_at = now() WHERE session_hash = \(hash)")
        }
        return Live(caller: caller, csrf: csrf, displayName: name)
    }

    static func principalCaller(userID: Int64?, tokenID: Int64?, on connection: PostgresConnection) throws -> (Caller, String)? {
        if let userID {
            guard let user = try ConsoleUsers.identity(userID: userID, on: connection) else { return nil }
            // Users have no token: id 0 never names one, and the label says who acted.
            return (Caller(tokenID: 0, role: user.role, schoolID: user.schoolID, authorities: user.authority.map { [$0] } ?? [],
                           label: "user \(user.username)"), user.username)
        }
        guard let tokenID, let caller = try TokenStore.caller(tokenID: tokenID, on: connection), caller.role != .bank else { return nil }
        return (caller, caller.label)
    }

    /// Ends a session (sign-out); unknown ids are ignored.
    static func revoke(_ presented: String, on connection: PostgresConnection) throws {
        guard !presented.isEmpty, presented.utf8.count <= presentedBytesMax else { return }
        try connection.query("""
            UPDATE console_sessions SET revoked_at = now() WHERE session_hash = \(SHA256Digest.hash(Array(presented.utf8))) AND revoked_at IS NULL
            """)
    }

    static func revokeAll(userID: Int64, on connection: PostgresConnection) throws {
        try connection.query("UPDATE console_sessions SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL")
    }
}
