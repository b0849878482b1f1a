import Core
import Foundation
import Ledger
import Postgres

/// `tuition backup FILE` / `tuition restore FILE`: pg_dump's custom format around the database in use.
enum BackupCommand {
    static let restoreUsage = """
        Usage: tuition restore FILE [--force]

        Loads a backup written by `tuition backup` into the database, in one transaction (all or
        nothing). It refuses a database that already holds schools unless --force, which drops
        everything first. Stop the server before restoring; run `tuition migrate` afterwards if the
        backup is older than the program.
        """

    static let usage = """
        Usage: tuition backup FILE
               tuition restore FILE [--force]

        backup writes a consistent snapshot of the database (pg_dump, custom format, compressed) to FILE
        while the service keeps running. restore loads such a file into the database: it refuses a
        database that already holds schools unless --force, which drops everything first. Stop the
        server before restoring. Works with the embedded cluster and with DATABASE_URL (pg_dump and
        pg_restore from the postgresql-client package must be on PATH or under /usr/lib/postgresql).
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("action")
        let file = try reader.requiredPositional("FILE")
        let force = reader.flag("--force")
        try reader.finish()
        let database = try DatabaseAccess.resolve()
        switch action {
        case "backup":
            let result = try tool("pg_dump", ["--format=custom", "--compress=6", "--no-owner", "--no-privileges",
                                              "--file=\(absolute(file))"], database)
            guard result.status == 0 else { throw CommandFailure(message: "pg_dump failed:\n\(result.output)") }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            print("backup written to \(file) (\(size) bytes)")
        case "restore":
            guard FileManager.default.isReadableFile(atPath: file) else { throw CommandFailure(message: "cannot read \(file)") }
            let connection = try database.connectAsOwner()
            let holdsData = try connection.query("SELECT to_regclass('schools') IS NOT NULL").singleRow()!.decode(column: 0, as: Bool.self)
                && (try Schools.anyExist(on: connection))
            if holdsData && !force {
                connection.close()
                throw CommandFailure(message: "the database already holds schools; restore with --force to replace everything")
            }
            if force {
                try connection.simpleQuery(unsafeSQL: "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            }
            connection.close()
            let result = try tool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                                                 absolute(file)], database)
            guard result.status == 0 else { throw CommandFailure(message: "pg_restore failed (nothing restored):\n\(result.output)") }
            let check = try database.connectAsOwner()
            defer { check.close() }
            try database.grantApplication(on: check)
            let pending = try Migrator(directory: try ProjectLayout.locate().migrations).pending(check)
            print("restored from \(file)" + (pending.isEmpty ? "" : "; migrations pending: \(pending.joined(separator: ", ")) (run tuition migrate)"))
        default:
            throw UsageError(message: "unknown action '\(action)'", usage: usage)
        }
    }

    /// Runs a PostgreSQL client tool against the database as the schema owner (a restore creates tables).
    static func tool(_ name: String, _ arguments: [String], _ database: DatabaseAccess) throws -> Subprocess.Result {
        let owner = database.ownerConfiguration
        let connection = ["--host=\(owner.value("host") ?? "")", "--port=\(owner.value("port") ?? "5432")",
                          "--username=\(owner.value("user") ?? "")", "--dbname=\(owner.value("dbname") ?? "")"]
        var environment = ProcessInfo.processInfo.environment
        if let password = owner.value("password") { environment["PGPASSWORD"] = password }
        if let sslmode = owner.value("sslmode") { environment["PGSSLMODE"] = sslmode }
        return try Subprocess.run(try findTool(name, environment: environment), connection + arguments, directory: "/", environment: environment)
    }

    /// A PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql/*/bin.
    static func findTool(_ name: String, environment: [String: String]) throws -> String {
        var candidates = (environment["PATH"] ?? "").split(separator: ":").map { String($0) + "/" + name }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw CommandFailure(message: "\(name) not found; install it with: apt-get install -y postgresql-client")
        }
        return found
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
