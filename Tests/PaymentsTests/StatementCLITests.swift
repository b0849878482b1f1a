import Foundation
import Postgres
import Testing
import TestSupport

/// `tuition import` as an operator runs it: the real binary against the test database.
@Suite struct StatementCLITests {
    static func databaseURL(_ fixture: StatementFixture) -> String {
        let configuration = fixture.callbacks.billing.database.configuration
        let host = configuration.value("host")!, port = configuration.value("port")!
        return "postgres://\(configuration.value("user")!)@/\(configuration.value("dbname")!)?host=\(host)&port=\(port)"
    }

    static func write(_ text: String, name: String) throws -> String {
        let path = NSTemporaryDirectory() + "tuition-import-\(UInt32.random(in: 0...UInt32.max))-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func helpNamesEveryOption() throws {
        let result = try TuitionBinary.run(["import", "--help"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("Usage: tuition import FILE --school CODE --account ACCOUNT_NUMBER"))
        for option in ["--format", "--dry-run", "--strict", "--json", "--progress-every"] { #expect(result.output.contains(option)) }
        for arguments in [["import"], ["import", "x.sta"], ["import", "x.sta", "--school", "A"], ["import", "x.sta", "--school", "A", "--account", "1", "--bogus"]] {
            let usage = try TuitionBinary.run(arguments)
            #expect(usage.status == 64 && usage.output.contains("Usage: tuition import"), "\(arguments)")
        }
    }

    @Test func importsDryRunsAndRefusesThroughTheBinary() throws {
        let fixture = try StatementFixture()
        var statement = MT940Statement()
        statement.lines = (1...5).map { .init(date: MT940Statement.day($0), amount: 100_000 * Int64($0), memo: "CK \($0)", reference: "CLI-\($0)") }
        statement.lines.append(.init(date: MT940Statement.day(9), amount: 500_000, memo: "HP \(fixture.code(fixture.an))", reference: "CLI-9"))
        let path = try Self.write(statement.text, name: "sept.sta")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = ["DATABASE_URL": Self.databaseURL(fixture)]
        let arguments = ["import", path, "--school", fixture.school.code, "--account", StatementFixture.account, "--progress-every", "2"]
        let dry = try TuitionBinary.run(arguments + ["--dry-run"], environment: environment)
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("6 new, 0 already imported") && dry.output.contains("dry run: nothing was imported"), "\(dry.output)")
        #expect(dry.output.contains("import: read 2 lines") && dry.output.contains("import: booked 6 of 6 new lines"))
        #expect(try fixture.count("SELECT count(*) FROM statement_lines") == 0)
        let real = try TuitionBinary.run(arguments, environment: environment)
        #expect(real.status == 0 && real.output.contains("1 applied automatically, 5 left in suspense") && real.output.contains("imported as import"),
                "\(real.output)")
        #expect(try fixture.count("SELECT count(*) FROM statement_lines") == 6)
        let json = try TuitionBinary.run(arguments + ["--json"], environment: environment)
        let object = try JSONSerialization.jsonObject(with: Data(json.output.split(separator: "\n").last!.utf8)) as? [String: Any]
        let counts = object?["counts"] as? [String: Any]
        #expect(counts?["lines_known"] as? Int == 6 && counts?["lines_new"] as? Int == 0, "\(json.output)")
        let wrong = try TuitionBinary.run(["import", path, "--school", fixture.school.code, "--account", "0999"], environment: environment)
        #expect(wrong.status == 1 && wrong.output.contains("no bank account 0999") && wrong.output.contains("nothing was imported"))
        #expect(try fixture.verify().isEmpty)
    }
}
