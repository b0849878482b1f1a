import Foundation

/// Applies `migrations/NNNN_name.sql` files in order, each in its own transaction.
///
/// Each applied file is recorded with the SHA-256 of its content (computed by the server,
/// so this module needs no crypto library). A recorded file whose content changed, or that
/// disappeared, is refused: migrations are append-only history. Concurrent migrators
/// serialise on an advisory lock, so two servers starting at once apply each file once.
public struct Migrator: Sendable {
    public let directory: String

    /// An arbitrary constant shared by every migrator: the advisory lock's key.
    public static let advisoryLockKey: Int64 = 0x7475_6974_696F_6E // "tuition"
    public static let fileBytesMax = 4 * 1024 * 1024
    public static let filesMax = 9_999

    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let path: String
    }

    public init(directory: String) {
        self.directory = directory
    }

    /// The migration files, sorted by version; refuses badly named or duplicate versions.
    public func migrations() throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        guard names.count <= Migrator.filesMax else { throw MigrationError.tooManyFiles(names.count) }
        var migrations: [Migration] = []
        for name in names {
            let stem = name.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0,
                  parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw MigrationError.badFileName(name)
            }
            migrations.append(Migration(version: version, name: String(stem), path: directory + "/" + name))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(previous.name, next.name)
        }
        return migrations
    }

    /// Applies every pending migration; returns the names applied (empty when up to date).
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
        let files = try migrations()
        // The lock comes first: two migrators creating the history table at once would collide.
        try connection.query("SELECT pg_advisory_lock(\(Migrator.advisoryLockKey))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Migrator.advisoryLockKey))") }
        // Created only when missing: PostgreSQL checks the CREATE privilege even for IF NOT EXISTS,
        // and the application role (which has none) runs this too, to find nothing pending.
        if try !historyExists(connection) {
            try connection.simpleQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        let applied = try appliedChecksums(connection)
        try verifyHistory(files: files, applied: applied, connection: connection)
        var appliedNow: [String] = []
        for migration in files where applied[migration.version] == nil {
            try apply(migration, connection)
            appliedNow.append(migration.name)
        }
        return appliedNow
    }

    /// Names of files not yet applied (for `/ready` and `tuition migrate --status`).
    public func pending(_ connection: PostgresConnection) throws -> [String] {
        let applied = try historyExists(connection) ? try appliedChecksums(connection) : [:]
        return try migrations().filter { applied[$0.version] == nil }.map(\.name)
    }

    private func historyExists(_ connection: PostgresConnection) throws -> Bool {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        return try exists.singleRow()?.decode(column: 0, as: Bool.self) ?? false
    }

    private func appliedChecksums(_ connection: PostgresConnection) throws -> [Int: (name: String, checksum: String)] {
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version") {
            let (version, name, checksum) = try row.decode((Int, String, String).self)
            applied[version] = (name, checksum)
        }
        return applied
    }

    private func verifyHistory(files: [Migration], applied: [Int: (name: String, checksum: String)], connection: PostgresConnection) throws {
        let byVersion = Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let file = byVersion[version] else { throw MigrationError.appliedFileMissing(record.name) }
            let checksum = try self.checksum(of: try read(file), connection)
            guard checksum == record.checksum else { throw MigrationError.appliedFileChanged(file.name + ".sql") }
        }
    }

    private func apply(_ migration: Migration, _ connection: PostgresConnection) throws {
        let sql = try read(migration)
        try connection.simpleQuery(unsafeSQL: "BEGIN")
        do {
            try connection.simpleQuery(unsafeSQL: sql)
            try connection.query("""
                INSERT INTO schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), encode(sha256(convert_to(\(sql), 'UTF8')), 'hex'))
                """)
            try connection.simpleQuery(unsafeSQL: "COMMIT")
        } catch {
            _ = try? connection.simpleQuery(unsafeSQL: "ROLLBACK")
            throw MigrationError.failed(migration.name + ".sql", error)
        }
    }

    private func checksum(of sql: String, _ connection: PostgresConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to(\(sql), 'UTF8')), 'hex')").singleRow()!.decode(column: 0)
    }

    private func read(_ migration: Migration) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: migration.path))
        guard data.count <= Migrator.fileBytesMax else { throw MigrationError.fileTooLarge(migration.name) }
        guard let text = String(data: data, encoding: .utf8) else { throw MigrationError.notUTF8(migration.name) }
        return text
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(String, String)
    case tooManyFiles(Int)
    case fileTooLarge(String)
    case notUTF8(String)
    case appliedFileChanged(String)
    case appliedFileMissing(String)
    case failed(String, any Error)

    public var description: String {
        switch self {
        case .badFileName(let name): return "migration file '\(name)' is not named NNNN_name.sql"
        case .duplicateVersion(let a, let b): return "migrations '\(a)' and '\(b)' have the same version number"
        case .tooManyFiles(let count): return "\(count) migration files is more than \(Migrator.filesMax)"
        case .fileTooLarge(let name): return "migration '\(name)' is larger than \(Migrator.fileBytesMax) bytes"
        case .notUTF8(let name): return "migration '\(name)' is not UTF-8 text"
        case .appliedFileChanged(let name):
            return "migration \(name) was already applied and its content has changed since; "
                + "applied migrations must not be edited — restore the file and add a new migration instead"
        case .appliedFileMissing(let name): return "migration \(name) was applied but its file is missing"
        case .failed(let name, let error):
            let detail = (error as? PostgresError)?.debugDescription ?? String(describing: error)
            return "migration \(name) failed and was rolled back: \(detail)"
        }
    }
}
