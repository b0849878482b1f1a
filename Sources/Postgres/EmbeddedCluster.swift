import Foundation
import Glibc

/// A private PostgreSQL cluster under `TUITION_HOME`, used when no `DATABASE_URL` is given.
///
/// Created on first use with `initdb`, started with `pg_ctl`, reached on a unix socket in a
/// directory of its own (no TCP port), with `trust` authentication — only processes that can
/// enter that directory can connect. A second `tuition` process finds the running cluster and
/// reuses it. Run as root, the cluster runs as an unprivileged system user (`postgres` by default)
/// because `initdb` refuses to run as root; its directory and every parent must then be reachable
/// by that user, which a clone under a `0700` home directory is not — such clusters live in a
/// private directory under the system temp folder instead.
public struct EmbeddedCluster: Sendable {
    /// The `TUITION_HOME` directory this cluster belongs to (absolute).
    public let home: String
    /// The directory holding the data directory, the socket directory and the log.
    public let root: String
    public let runAs: SystemUser?
    public let binaries: Binaries
    /// Extra `postgresql.conf` lines written at creation (tests turn fsync off, for instance).
    public let extraSettings: [String]

    public static let port = 5432
    /// The bootstrap superuser `initdb` creates: only cluster administration (roles, databases) uses it.
    public static let superuser = "tuition"
    /// Owns the database and its schema and runs migrations; no superuser powers.
    public static let ownerRole = "tuition_owner"
    /// What the program runs as: the grants of `ApplicationGrants` and nothing more, so it cannot
    /// alter tables, disable triggers, truncate or skip triggers with `session_replication_role`.
    public static let applicationRole = "tuition_app"
    public static let databaseName = "tuition"
    public static let startTimeoutSeconds = 60
    /// Unix socket paths are limited to 107 bytes on Linux; `/.s.PGSQL.5432` takes 14.
    public static let socketDirectoryBytesMax = 90

    public var dataDirectory: String { root + "/data" }
    public var socketDirectory: String { root + "/run" }
    public var logFile: String { root + "/postgres.log" }

    /// A system account the cluster runs as when we are root.
    public struct SystemUser: Sendable {
        public let name: String
        public let uid: uid_t
        public let gid: gid_t
    }

    /// Where `initdb`, `pg_ctl`, `pg_dump` and `pg_restore` live.
    public struct Binaries: Sendable {
        public let directory: String
        public func path(_ tool: String) -> String { directory + "/" + tool }
    }

    public enum Status: String, Sendable {
        case running
        case stopped
        case notInitialized = "not initialized"
    }

    /// Works out where the cluster for `home` lives and how to run it; creates nothing.
    public init(home: String, extraSettings: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let absoluteHome = EmbeddedCluster.absolutePath(home)
        self.home = absoluteHome
        self.binaries = try EmbeddedCluster.findBinaries(environment: environment)
        self.extraSettings = extraSettings
        if geteuid() == 0 {
            let user = try EmbeddedCluster.systemUser(named: environment["TUITION_PG_USER"] ?? "postgres")
            self.runAs = user
            let preferred = absoluteHome + "/pg"
            self.root = EmbeddedCluster.isReachable(preferred, by: user) && EmbeddedCluster.fitsSocketPath(preferred)
                ? preferred : EmbeddedCluster.fallbackRoot(for: absoluteHome)
        } else {
            self.runAs = nil
            let preferred = absoluteHome + "/pg"
            self.root = EmbeddedCluster.fitsSocketPath(preferred) ? preferred : EmbeddedCluster.fallbackRoot(for: absoluteHome)
        }
    }

    /// The connection URL of the running cluster's `tuition` database.
    public var url: String { url(role: .superuser) }

    /// The connection URL of the running cluster's `tuition` database for one of its roles.
    public func url(role: Role, database: String = EmbeddedCluster.databaseName) -> String {
        "postgresql://\(role.name)@/\(database)?host=\(percentEncoded(socketDirectory))"
    }

    /// Who a connection logs in as.
    public enum Role: Sendable {
        case superuser
        case owner
        case application

        public var name: String {
            switch self {
            case .superuser: EmbeddedCluster.superuser
            case .owner: EmbeddedCluster.ownerRole
            case .application: EmbeddedCluster.applicationRole
            }
        }
    }

    public func configuration(database: String = EmbeddedCluster.databaseName, role: Role = .superuser) -> PostgresConfiguration {
        PostgresConfiguration(parameters: [
            ("host", socketDirectory), ("port", String(EmbeddedCluster.port)),
            ("user", role.name), ("dbname", database),
        ])
    }

    public func status() -> Status {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notInitialized }
        let result = try? run(binaries.path("pg_ctl"), ["status", "-D", dataDirectory])
        return result?.status == 0 ? .running : .stopped
    }

    /// Creates the cluster if needed, starts it unless it runs, and makes sure the database exists.
    /// Serialised across processes by a lock file, so two processes starting at once share one cluster.
    public func start() throws {
        try withLock {
            try prepareRoot()
            if status() == .notInitialized { try initialize() }
            if status() != .running {
                let result = try run(binaries.path("pg_ctl"), [
                    "start", "-D", dataDirectory, "-l", logFile, "-w", "-t", String(EmbeddedCluster.startTimeoutSeconds), "-s",
                ])
                guard result.status == 0 else {
                    throw EmbeddedClusterError.commandFailed("pg_ctl start", result.output + tailOfLog())
                }
            }
            try createDatabaseIfMissing()
        }
    }

    /// Stops the cluster (fast shutdown: sessions are disconnected, nothing is lost).
    public func stop() throws {
        guard status() == .running else { return }
        let result = try run(binaries.path("pg_ctl"), ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-s"])
        guard result.status == 0 else { throw EmbeddedClusterError.commandFailed("pg_ctl stop", result.output) }
    }

    /// Restarts the server process (tests use it to prove the pool recovers).
    public func restart() throws {
        let result = try run(binaries.path("pg_ctl"), [
            "restart", "-D", dataDirectory, "-l", logFile, "-m", "fast", "-w", "-t", String(EmbeddedCluster.startTimeoutSeconds), "-s",
        ])
        guard result.status == 0 else { throw EmbeddedClusterError.commandFailed("pg_ctl restart", result.output) }
    }

    /// Stops the cluster and deletes its files.
    public func destroy() throws {
        try? stop()
        try FileManager.default.removeItem(atPath: root)
    }

    // MARK: - Creation

    private func prepareRoot() throws {
        let manager = FileManager.default
        if isFallback {
            try EmbeddedCluster.claimPrivateDirectory(root, allowedOwners: [geteuid()] + (runAs.map { [$0.uid] } ?? []))
        }
        if !manager.fileExists(atPath: root) {
            try manager.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        for directory in [root, socketDirectory] {
            if !manager.fileExists(atPath: directory) {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            }
            if let user = runAs {
                guard chown(directory, user.uid, user.gid) == 0 else {
                    throw EmbeddedClusterError.filesystem("cannot give \(directory) to user \(user.name): \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    private func initialize() throws {
        let result = try run(binaries.path("initdb"), [
            "-D", dataDirectory, "-U", EmbeddedCluster.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions",
        ])
        guard result.status == 0 else { throw EmbeddedClusterError.commandFailed("initdb", result.output) }
        let settings = [
            "# Written by tuition: a private cluster reached on a unix socket only.",
            "listen_addresses = ''",
            "unix_socket_directories = '\(socketDirectory)'",
            "unix_socket_permissions = 0700",
            "port = \(EmbeddedCluster.port)",
            "max_connections = 300",
            "shared_buffers = 128MB",
            "timezone = 'UTC'",
            // A new WAL segment is not written full of zeros first: on a cluster that has not yet recycled
            // segments, the backend whose commit crossed into a new one wrote and flushed 16 MB while every
            // commit queued behind it (~50 ms, once a second under callback load: the callbacks' p99, docs/
            // callbacks.md §6, tenth round). Every WAL write is still flushed before its commit returns.
            "wal_init_zero = off",
        ] + extraSettings
        let file = dataDirectory + "/postgresql.conf"
        guard let handle = FileHandle(forWritingAtPath: file) else { throw EmbeddedClusterError.filesystem("cannot open \(file)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + settings.joined(separator: "\n") + "\n").utf8))
    }

    private func createDatabaseIfMissing() throws {
        let connection = try PostgresConnection(configuration: configuration(database: "postgres"))
        defer { connection.close() }
        try EmbeddedCluster.createRoles(on: connection)
        try createDatabase(EmbeddedCluster.databaseName, on: connection)
        try handOverToOwner(EmbeddedCluster.databaseName, on: connection)
    }

    /// Creates the owner and application roles when missing. Both log in through the socket's
    /// `trust` rule like the superuser; neither may create roles or databases.
    static func createRoles(on connection: PostgresConnection) throws {
        for role in [ownerRole, applicationRole] {
            try connection.simpleQuery(unsafeSQL: """
                DO $$ BEGIN
                    CREATE ROLE \(role) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
                EXCEPTION WHEN duplicate_object THEN NULL;
                END $$
                """)
        }
    }

    /// Creates a database owned by the owner role (from `template` when given) unless it exists.
    public func createDatabase(_ name: String, template: String? = nil, on connection: PostgresConnection) throws {
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
        guard exists.isEmpty else { return }
        do {
            let from = template.map { " TEMPLATE \($0)" } ?? ""
            try connection.simpleQuery(unsafeSQL: "CREATE DATABASE \(name)\(from) OWNER \(EmbeddedCluster.ownerRole)")
        } catch {
            // 42P04: another process created it first.
            guard error.sqlState == SQLState(rawValue: "42P04") else { throw error }
        }
    }

    /// A cluster made before the roles existed has its database and tables owned by the superuser:
    /// they pass to the owner role, so migrations (run as the owner) can change them.
    private func handOverToOwner(_ database: String, on connection: PostgresConnection) throws {
        let owned = try connection.query("""
            SELECT 1 FROM pg_database WHERE datname = \(database) AND datdba = (SELECT oid FROM pg_roles WHERE rolname = \(EmbeddedCluster.superuser))
            """)
        guard !owned.isEmpty else { return }
        try connection.simpleQuery(unsafeSQL: "ALTER DATABASE \(database) OWNER TO \(EmbeddedCluster.ownerRole)")
        let inside = try PostgresConnection(configuration: configuration(database: database))
        defer { inside.close() }
        // Sequences owned by a table follow it; functions and tables are handed over one by one.
        try inside.simpleQuery(unsafeSQL: """
            DO $$ DECLARE item record; BEGIN
                FOR item IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) LOOP
                    EXECUTE format('ALTER TABLE %s OWNER TO \(EmbeddedCluster.ownerRole)', item.name);
                END LOOP;
                FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                            WHERE n.nspname = 'public' AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) LOOP
                    EXECUTE format('ALTER ROUTINE %s OWNER TO \(EmbeddedCluster.ownerRole)', item.name);
                END LOOP;
            END $$
            """)
    }

    private func tailOfLog() -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        return "\n" + text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    /// True when the cluster lives under the system temp folder rather than in `TUITION_HOME`.
    var isFallback: Bool { root != home + "/pg" }

    /// Makes `path` a private directory of ours, or proves it already is one. Under a shared temp
    /// folder anyone may have taken the name first: a symlink (which would send the cluster, and
    /// root's chown, elsewhere), a file, a directory of another user or one others can enter are
    /// all refused. Created with exclusive `mkdir`, checked with `lstat` (no symlink followed).
    public static func claimPrivateDirectory(_ path: String, allowedOwners: [uid_t]) throws {
        if mkdir(path, 0o700) == 0 { return }
        let creation = errno
        guard creation == EEXIST else {
            throw EmbeddedClusterError.filesystem("cannot create \(path): \(String(cString: strerror(creation)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw EmbeddedClusterError.filesystem("cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw EmbeddedClusterError.filesystem("\(path) exists and is not a directory (a symlink or a file): refusing to use it")
        }
        guard allowedOwners.contains(info.st_uid) else {
            throw EmbeddedClusterError.filesystem("\(path) belongs to user id \(info.st_uid), not to us: refusing to use it")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw EmbeddedClusterError.filesystem("\(path) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8))); "
                + "it must be 0700: refusing to use it")
        }
    }

    // MARK: - Processes

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let path = home + "/cluster.lock"
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EmbeddedClusterError.filesystem("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw EmbeddedClusterError.filesystem("cannot lock \(path)") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Runs a program (as the cluster's user when we are root) and returns its exit status and output.
    private func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        // The tools must be able to enter their working directory; the cluster root always qualifies.
        let directory = FileManager.default.fileExists(atPath: root) ? root : "/"
        let result: Subprocess.Result
        if let user = runAs {
            result = try Subprocess.run("/usr/sbin/runuser", ["-u", user.name, "--", program] + arguments, directory: directory)
        } else {
            result = try Subprocess.run(program, arguments, directory: directory)
        }
        return (result.status, result.output)
    }

    // MARK: - Discovery

    static func findBinaries(environment: [String: String]) throws -> Binaries {
        let required = ["initdb", "pg_ctl"]
        var candidates: [String] = []
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let path = String(directory) + "/pg_ctl"
            if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                candidates.append((resolved.hasPrefix("/") ? resolved : String(directory) + "/" + resolved).deletingLastPathComponent)
            } else {
                candidates.append(String(directory))
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append("/usr/lib/postgresql/\(version)/bin")
        }
        for directory in candidates where required.allSatisfy({ FileManager.default.isExecutableFile(atPath: directory + "/" + $0) }) {
            return Binaries(directory: directory)
        }
        throw EmbeddedClusterError.binariesMissing
    }

    static func systemUser(named name: String) throws -> SystemUser {
        guard let entry = getpwnam(name) else { throw EmbeddedClusterError.noSystemUser(name) }
        return SystemUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// True when `user` can search every existing directory from `/` down to `path`.
    static func isReachable(_ path: String, by user: SystemUser) -> Bool {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            var info = stat()
            guard stat(current, &info) == 0 else { return true } // the rest will be created by us
            let mode = info.st_mode
            let allowed: Bool
            if info.st_uid == user.uid {
                allowed = mode & S_IXUSR != 0
            } else if info.st_gid == user.gid {
                allowed = mode & S_IXGRP != 0
            } else {
                allowed = mode & S_IXOTH != 0
            }
            guard allowed else { return false }
        }
        return true
    }

    static func fitsSocketPath(_ root: String) -> Bool {
        (root + "/run").utf8.count <= socketDirectoryBytesMax
    }

    /// A private directory under the system temp folder, named by a hash of the home path
    /// so every process with the same `TUITION_HOME` finds the same cluster.
    static func fallbackRoot(for home: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in home.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let temp = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        return temp.trimmingTrailingSlash + "/tuition-pg-" + String(hash, radix: 16)
    }

    static func absolutePath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    private func percentEncoded(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

public enum EmbeddedClusterError: Error, CustomStringConvertible, Sendable {
    case binariesMissing
    case noSystemUser(String)
    case commandFailed(String, String)
    case filesystem(String)

    public var description: String {
        switch self {
        case .binariesMissing:
            return "PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin; "
                + "install them with: apt-get install -y postgresql postgresql-contrib"
        case .noSystemUser(let name):
            return "running as root, the embedded database needs the unprivileged system user '\(name)' "
                + "(installed with the Debian package postgresql, or set TUITION_PG_USER)"
        case .commandFailed(let command, let output):
            return "\(command) failed:\n\(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .filesystem(let message):
            return message
        }
    }
}

private extension String {
    var deletingLastPathComponent: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }

    var trimmingTrailingSlash: String {
        var text = self
        while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        return text
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
