import Crypto
import Foundation
import Postgres

/// The one owner of `console_uploads` (migration 0020): a file uploaded through a console form (a roster, a bank
/// statement), kept between its preview and the confirmation so that the import reads exactly the bytes previewed —
/// the browser does not send the file again — and checks them again in its own transaction (a preview is not trusted).
///
/// In the database, not in memory: a restart or a second server still finds the upload. Each upload is bound to the
/// school and to the session that made it (the SHA-256 of the session's CSRF token: secret, one per session), found by
/// a random id, taken once, and forgotten after `lifetimeSeconds`; a school keeps at most `perSchoolMax` uploads and
/// `perSchoolBytesMax` bytes at once (the oldest go first), so uploads cannot fill the database.
enum ConsoleUploads {
    enum Kind: String, Sendable {
        case roster
        case statement
    }

    /// An upload not confirmed within this long is forgotten: the person uploads again.
    static let lifetimeSeconds = 60 * 60
    /// Uploads a school keeps waiting at once (every kind and session together).
    static let perSchoolMax = 20
    /// Bytes a school keeps waiting at once: room for three statements at the API's 20 MiB limit.
    static let perSchoolBytesMax = 64 * 1024 * 1024
    /// Random bytes of an upload's id (its text is the base64url of them).
    static let idBytes = 16

    struct Upload: Sendable, Equatable {
        let id: String
        let kind: Kind
        let fileName: String
        let content: [UInt8]
        /// A statement's account and format, as chosen on the upload form; nil for a roster.
        let bankAccount: String?
        let format: String?
    }

    /// Keeps a previewed file for the session whose CSRF token is `owner` and returns its id; the school's uploads past
    /// their lifetime or beyond its bounds go first (the new one always stays).
    static func keep(_ kind: Kind, schoolID: Int64, owner: String, fileName: String, content: [UInt8], bankAccount: String? = nil,
                     format: String? = nil, uploadedBy: String, on connection: PostgresConnection) throws -> String {
        let id = try SecureRandom.token(byteCount: idBytes)
        try connection.query("""
            INSERT INTO console_uploads (school_id, upload_id, kind, owner_hash, file_name, content, bank_account, format, uploaded_by)
            VALUES (\(schoolID), \(id), \(kind.rawValue), \(ownerHash(owner)), \(fileName), \(content), \(bankAccount), \(format), \(uploadedBy))
            """)
        try prune(schoolID: schoolID, on: connection)
        return id
    }

    /// The school's upload `id` of `kind` when the session `owner` made it and it is fresh; it is deleted in the same
    /// statement (used once: two confirmations at once cannot both find it). Nil for anything else.
    static func take(_ kind: Kind, schoolID: Int64, uploadID: String, owner: String, on connection: PostgresConnection) throws -> Upload? {
        guard uploadID.utf8.count <= 64, let row = try connection.query("""
            DELETE FROM console_uploads
            WHERE school_id = \(schoolID) AND upload_id = \(uploadID) AND kind = \(kind.rawValue) AND owner_hash = \(ownerHash(owner))
              AND created_at >= now() - make_interval(secs => \(lifetimeSeconds))
            RETURNING file_name, content, bank_account, format
            """).singleRow() else { return nil }
        let (fileName, content, account, format) = try row.decode((String, [UInt8], String?, String?).self)
        return Upload(id: uploadID, kind: kind, fileName: fileName, content: content, bankAccount: account, format: format)
    }

    /// Forgets the school's stale uploads and those past the count or byte bound, counted from the newest (which stays).
    static func prune(schoolID: Int64, countMax: Int = perSchoolMax, bytesMax: Int = perSchoolBytesMax,
                      on connection: PostgresConnection) throws {
        try connection.query("""
            DELETE FROM console_uploads WHERE school_id = \(schoolID) AND upload_id IN (
                SELECT upload_id FROM (
                    SELECT upload_id, created_at,
                           row_number() OVER newest AS position, sum(octet_length(content)) OVER newest AS bytes
                    FROM console_uploads WHERE school_id = \(schoolID)
                    WINDOW newest AS (ORDER BY created_at DESC, upload_id)) ranked
                WHERE position > 1 AND (position > \(countMax) OR bytes > \(bytesMax)
                                        OR created_at < now() - make_interval(secs => \(lifetimeSeconds))))
            """)
    }

    /// The session's binding as stored: a hash, so the table never holds a CSRF token and comparing it in SQL tells nothing.
    static func ownerHash(_ owner: String) -> [UInt8] {
        SHA256Digest.hash(Array(owner.utf8))
    }
}
