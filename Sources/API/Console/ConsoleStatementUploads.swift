import Foundation
import Postgres

/// The one owner of `console_statement_uploads` (migration 0020): a statement file kept between its preview and the
/// accountant's confirmation, so the import reads exactly the bytes that were previewed (and checks them again).
enum ConsoleStatementUploads {
    /// An upload not confirmed within this long is forgotten: the person uploads again.
    static let lifetimeSeconds = 60 * 60
    /// Uploads a school keeps waiting at once; the oldest go first.
    static let perSchoolMax = 20

    struct Upload: Sendable {
        let id: Int64
        let bankAccount: String
        let format: String
        let fileName: String
        let content: [UInt8]
    }

    /// Keeps a previewed file and returns its id; forgets the school's stale uploads first.
    static func keep(schoolID: Int64, bankAccount: String, format: String, fileName: String, content: [UInt8], uploadedBy: String,
                     on connection: PostgresConnection) throws -> Int64 {
        try connection.query("""
            DELETE FROM console_statement_uploads WHERE school_id = \(schoolID)
              AND (created_at < now() - make_interval(secs => \(lifetimeSeconds))
                   OR upload_id IN (SELECT upload_id FROM console_statement_uploads WHERE school_id = \(schoolID)
                                    ORDER BY upload_id DESC OFFSET \(perSchoolMax - 1)))
            """)
        return try connection.query("""
            INSERT INTO console_statement_uploads (school_id, bank_account, format, file_name, content, uploaded_by)
            VALUES (\(schoolID), \(bankAccount), \(format), \(fileName), \(content), \(uploadedBy)) RETURNING upload_id
            """).singleRow()!.decode(column: 0, as: Int64.self)
    }

    /// The school's upload `id` while it is fresh; nil otherwise (another school's id included).
    static func find(schoolID: Int64, uploadID: Int64, on connection: PostgresConnection) throws -> Upload? {
        guard let row = try connection.query("""
            SELECT bank_account, format, file_name, content FROM console_statement_uploads
            WHERE school_id = \(schoolID) AND upload_id = \(uploadID) AND created_at >= now() - make_interval(secs => \(lifetimeSeconds))
            """).singleRow() else { return nil }
        let (account, format, fileName, content) = try row.decode((String, String, String, [UInt8]).self)
        return Upload(id: uploadID, bankAccount: account, format: format, fileName: fileName, content: content)
    }

    /// Forgets an upload once imported: a second confirmation finds nothing to import.
    static func discard(schoolID: Int64, uploadID: Int64, on connection: PostgresConnection) throws {
        try connection.query("DELETE FROM console_statement_uploads WHERE school_id = \(schoolID) AND upload_id = \(uploadID)")
    }
}
