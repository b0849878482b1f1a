import Core
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite struct MigratorTests {
    func directory(_ files: [String: String]) throws -> String {
        let path = NSTemporaryDirectory() + "migrations-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    @Test func appliesInOrderOnceAndRefusesChangedHistory() throws {
        let database = try TestDatabase.create(migrated: false)
        let connection = try database.connectAsOwner()
        let path = try directory([
            "0002_second.sql": "INSERT INTO steps VALUES (2);",
            "0001_first.sql": "CREATE TABLE steps (n int); INSERT INTO steps VALUES (1);",
            "0010_tenth.sql": "INSERT INTO steps VALUES (10);",
            "README.md": "not a migration",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let migrator = Migrator(directory: path)
        #expect(try migrator.pending(connection) == ["0001_first", "0002_second", "0010_tenth"])
        #expect(try migrator.migrate(connection) == ["0001_first", "0002_second", "0010_tenth"])
        let order = try connection.query("SELECT array_agg(n ORDER BY ctid)::text FROM steps").singleRow()!.decode(column: 0, as: String.self)
        #expect(order == "{1,2,10}")
        #expect(try migrator.migrate(connection) == [])
        #expect(try migrator.pending(connection) == [])
        // An applied file whose content changed is refused, naming the file.
        try "INSERT INTO steps VALUES (22);".write(toFile: path + "/0002_second.sql", atomically: true, encoding: .utf8)
        do {
            try migrator.migrate(connection)
            Issue.record("a changed applied migration was accepted")
        } catch let error as MigrationError {
            #expect(error.description.contains("0002_second.sql") && error.description.contains("changed"))
        }
        try FileManager.default.removeItem(atPath: path + "/0002_second.sql")
        // A missing applied file is refused too, naming the migration as it was recorded.
        #expect {
            try migrator.migrate(connection)
        } throws: { error in
            guard case .appliedFileMissing(let name) = error as? MigrationError else { return false }
            return name == "0002_second"
        }
        connection.close()
    }

    @Test func aFailingMigrationIsRolledBackAndNamed() throws {
        let database = try TestDatabase.create(migrated: false)
        let connection = try database.connectAsOwner()
        let path = try directory(["0001_ok.sql": "CREATE TABLE a (n int);",
                                  "0002_broken.sql": "CREATE TABLE b (n int); SELECT no_such_function();"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try Migrator(directory: path).migrate(connection)
            Issue.record("a broken migration succeeded")
        } catch let error as MigrationError {
            #expect(error.description.contains("0002_broken.sql"))
        }
        let tables = try connection.query("SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')").singleRow()!.decode(column: 0, as: Int64.self)
        #expect(tables == 1)
        #expect(try Migrator(directory: path).pending(connection) == ["0002_broken"])
        connection.close()
    }

    @Test func refusesBadNamesAndDuplicateVersions() throws {
        for name in ["1_short.sql", "0001_bad-name.sql"] {
            let path = try directory([name: "SELECT 1;"])
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect {
                try Migrator(directory: path).migrations()
            } throws: { error in
                guard case .badFileName(let refused) = error as? MigrationError else { return false }
                return refused == name
            }
        }
        let path = try directory(["0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 1;"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try Migrator(directory: path).migrations()
        } throws: { error in
            // The directory lists the two in no particular order.
            guard case .duplicateVersion(let first, let second) = error as? MigrationError else { return false }
            return Set([first, second]) == ["0001_a", "0001_b"]
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() throws {
        let database = try TestDatabase.create(migrated: false)
        let path = try directory(["0001_counter.sql": "CREATE TABLE applied (n int); INSERT INTO applied VALUES (1);",
                                  "0002_slow.sql": "SELECT pg_sleep(0.2); INSERT INTO applied VALUES (2);"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failures = Mutex(0)
        BlockingThreads.run(count: 4) { _ in
            do {
                let connection = try database.connectAsOwner()
                try Migrator(directory: path).migrate(connection)
                connection.close()
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let connection = try database.connectAsOwner()
        #expect(try connection.query("SELECT count(*) FROM applied").singleRow()!.decode(column: 0, as: Int64.self) == 2)
        connection.close()
    }
}
