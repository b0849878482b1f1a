import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport

@Suite struct CommandLineTests {
    @Test func helpIsPrintedExactly() throws {
        let result = try TuitionBinary.run(["--help"])
        #expect(result.status == 0)
        let expected = """
            Usage: tuition <command> [options]

            Tuition ledger and payment reconciliation for schools.

            Commands:
              demo         Seed a demo province and serve it (scripts/demo)
              serve        Run the JSON API server (migrates first)
              config       Check the configuration and print the effective settings
              migrate      Apply pending database migrations
              db           Manage the embedded PostgreSQL cluster
              school       Create and list schools
              token        Create, list and revoke API tokens
              user         Add, reset and disable web console users
              students     Import a school's roster from CSV
              fees         Fee types and their schedules
              attendance   School days per month and pupils' absences
              invoices     Issue, list and void invoices
              cash         Record cash payments with receipts
              suspense     Work the suspense queue: proposals, apply, refund, not tuition
              connection   Manage bank connections and their callback secrets
              parse        Print what a bank statement parser reads from a file
              import       Import a bank statement into a school's bank account
              collect      Bank collection: end-of-day reconciliation files and the day's results
              backup       Write a backup of the database to a file
              restore      Restore the database from a backup file
              reconcile    Run a month: re-match, report, close when the bank agrees
              report       Province report, or a recorded run's report again
              ledger       Verify the ledger's balances and invariants
              audit        Prune old audit rows of refused callback deliveries
              bench        Workloads for the scripts in bench/

            Environment:
              DATABASE_URL   PostgreSQL URL; without it an embedded cluster under TUITION_HOME is used
              TUITION_HOME   directory of the embedded cluster (default ./.tuition)
              TUITION_ROOT   directory holding migrations/ and bank-formats/ (found automatically)

            Run 'tuition <command> --help' for the options of a command.

            """
        #expect(result.output == expected)
    }

    @Test func usageErrorsExitWith64AndShowTheUsage() throws {
        for arguments in [[], ["no-such-command"], ["db"], ["db", "explode"], ["migrate", "--bogus"], ["token", "create"],
                          ["parse"], ["serve", "--port", "70000"], ["serve", "--port"], ["ledger", "verify", "--school"],
                          ["audit"], ["audit", "prune"], ["audit", "prune", "--before", "last-year"]] {
            let result = try TuitionBinary.run(arguments)
            #expect(result.status == 64, "\(arguments) exited \(result.status): \(result.output)")
            #expect(result.output.contains("Usage: tuition"), "\(arguments) printed no usage")
        }
    }

    @Test func everyCommandHasHelp() throws {
        let help = try TuitionBinary.run(["--help"]).output
        let commandLines = help.components(separatedBy: "Commands:\n")[1].components(separatedBy: "\n\n")[0]
        let names = commandLines.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names.count >= 8)
        for name in names {
            let result = try TuitionBinary.run([name, "--help"])
            #expect(result.status == 0)
            #expect(result.output.hasPrefix("Usage: tuition \(name)"), "\(name) --help: \(result.output)")
        }
    }

    @Test func parsesAStatementWithoutADatabase() throws {
        let result = try TuitionBinary.run(["parse", Repository.bankFormats + "/samples/mt940.sta", "--summary"],
                                           environment: ["TUITION_HOME": "/nonexistent/never-created"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(#""statements":3"#))
        let missing = try TuitionBinary.run(["parse", "/nonexistent.sta"])
        #expect(missing.status == 1 && missing.output.contains("/nonexistent.sta"))
    }
}

@Suite struct EmbeddedDatabaseCommandTests {
    @Test func startsReusesAndStopsTheEmbeddedCluster() throws {
        let home = NSTemporaryDirectory() + "tuition-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let environment = ["TUITION_HOME": home]
        defer {
            _ = try? TuitionBinary.run(["db", "stop"], environment: environment)
            if let cluster = try? EmbeddedCluster(home: home) { try? cluster.destroy() }
            try? FileManager.default.removeItem(atPath: home)
        }
        #expect(try TuitionBinary.run(["db", "status"], environment: environment).output == "not initialized\n")
        // Two processes starting at once share one cluster.
        let statuses = Mutex<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let status = (try? TuitionBinary.run(["db", "start"], environment: environment))?.status ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == [0, 0])
        let url = try TuitionBinary.run(["db", "url"], environment: environment).output
        #expect(url.hasPrefix("postgresql://tuition@/tuition?host="))
        #expect(try TuitionBinary.run(["db", "status"], environment: environment).output == "running\n")
        let first = try TuitionBinary.run(["migrate"], environment: environment)
        #expect(first.status == 0 && first.output.contains("applied 0001_ledger"))
        let again = try TuitionBinary.run(["migrate"], environment: environment)
        #expect(again.status == 0 && again.output == "migrations: up to date\n")
        let verify = try TuitionBinary.run(["ledger", "verify"], environment: environment)
        #expect(verify.status == 0 && verify.output.contains("every invariant holds"))
        #expect(try TuitionBinary.run(["db", "stop"], environment: environment).status == 0)
        #expect(try TuitionBinary.run(["db", "status"], environment: environment).output == "stopped\n")
    }

    /// The demo's month end to end, then an accountant at the terminal working what it left in the queue.
    @Test func theDemoMonthClosesAndItsQueueIsWorkedFromTheTerminal() throws {
        let home = NSTemporaryDirectory() + "tuition-demo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let environment = ["TUITION_HOME": home, "TUITION_ACTOR": "test"]
        defer {
            _ = try? TuitionBinary.run(["db", "stop"], environment: environment)
            if let cluster = try? EmbeddedCluster(home: home) { try? cluster.destroy() }
            try? FileManager.default.removeItem(atPath: home)
        }
        let demo = try TuitionBinary.run(["demo", "--no-serve"], environment: environment)
        #expect(demo.status == 0, "\(demo.output)")
        #expect(demo.output.components(separatedBy: ": closed, report ").count == 7, "\(demo.output)")
        #expect(demo.output.contains("every invariant holds") && demo.output.contains("admin token (shown once): tt_"))
        // The summary shows where the money sits, service revenue apart from pass-through collections.
        #expect(demo.output.contains("balances by account") && demo.output.contains("5311 Doanh thu dịch vụ")
                && demo.output.contains("3381 Các khoản thu hộ") && demo.output.contains("1131 Tiền đang chuyển"), "\(demo.output)")
        #expect(FileManager.default.fileExists(atPath: home + "/demo/province-2026-10.html"))

        let listed = try TuitionBinary.run(["suspense", "list", "--school", "DEMO-HP1"], environment: environment)
        let transactions = listed.output.split(separator: "\n").filter { $0.hasPrefix("transaction ") }
            .compactMap { Int64($0.split(separator: " ")[1]) }
        try #require(listed.status == 0 && transactions.count >= 2, "\(listed.output)")
        let accepted = try TuitionBinary.run(["suspense", "accept", "--school", "DEMO-HP1", "--transaction", String(transactions[0])],
                                             environment: environment)
        #expect(accepted.status == 0 && accepted.output.hasPrefix("applied: invoice "), "\(accepted.output)")
        let again = try TuitionBinary.run(["suspense", "accept", "--school", "DEMO-HP1", "--transaction", String(transactions[0])],
                                          environment: environment)
        #expect(again.status == 1 && again.output.contains("has no proposal 1"), "\(again.output)")
        let other = try TuitionBinary.run(["suspense", "not-tuition", "--school", "DEMO-HP1", "--transaction", String(transactions[1]),
                                           "--reason", "Lãi tiền gửi", "--account", "5151"], environment: environment)
        #expect(other.status == 0 && other.output.hasPrefix("not_tuition: "), "\(other.output)")
        let after = try TuitionBinary.run(["suspense", "list", "--school", "DEMO-HP1"], environment: environment)
        #expect(!after.output.contains("transaction \(transactions[0]) ") && !after.output.contains("transaction \(transactions[1]) "))
        let wrongInvoice = try TuitionBinary.run(["suspense", "apply", "--school", "DEMO-HP1", "--transaction", String(transactions[1]),
                                                  "--invoice", "2026/999999=1000"], environment: environment)
        #expect(wrongInvoice.status == 1 && wrongInvoice.output.contains("no invoice 2026/999999"), "\(wrongInvoice.output)")
        let verify = try TuitionBinary.run(["ledger", "verify"], environment: environment)
        #expect(verify.status == 0 && verify.output.contains("every invariant holds"), "\(verify.output)")
        try schoolListAndKPIs(home: home, environment: environment)
    }

    /// On the demo's database: the KPI report, and the province's school list refused by line, then accepted.
    func schoolListAndKPIs(home: String, environment: [String: String]) throws {
        #expect(FileManager.default.fileExists(atPath: home + "/demo/kpi-2026-10.html"))
        let kpi = try TuitionBinary.run(["report", "kpi", "--month", "2026-10"], environment: environment)
        #expect(kpi.status == 0 && kpi.output.contains("\"format\": \"tuition/kpi-report/1\"")
                && kpi.output.contains("UBND Phường Phan Đình Phùng"), "\(kpi.output)")
        #expect(try TuitionBinary.run(["report", "kpi", "--month", "2026-10", "--year", "2026"], environment: environment).status == 64)
        let header = "Mã trường,Tên trường,Cấp học,Loại hình,Mã xã,Xã/phường,Cơ quan quản lý\n"
        let bad = home + "/bad-list.csv"
        try (header + "19000901,Trường THPT Mới,THPT,Công lập,05600,Phường Tích Lương,UBND phường Tích Lương\n")
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try TuitionBinary.run(["school", "import", bad], environment: environment)
        #expect(refused.status == 1 && refused.output.contains("line 2, authority: the department manages THPT schools"), "\(refused.output)")
        let good = home + "/good-list.csv"
        try (header + "19000901,Trường THPT Mới,THPT,Công lập,05600,Phường Tích Lương,Sở GD&ĐT\n"
             + "DEMO-19001,Trường Mầm non Hoa Hồng cơ sở 1,Mầm non,Công lập,05600,Phường Tích Lương,UBND phường Tích Lương\n")
            .write(toFile: good, atomically: true, encoding: .utf8)
        let imported = try TuitionBinary.run(["school", "import", good], environment: environment)
        #expect(imported.status == 0 && imported.output.contains("1 new, 1 updated, 0 unchanged"), "\(imported.output)")
        let schools = try TuitionBinary.run(["school", "list"], environment: environment).output
        #expect(schools.contains("19000901\t19000901\tupper_secondary\tpublic\trural\tPhường Tích Lương\tSGDDT"), "\(schools)")
        #expect(schools.contains("DEMO-HP1\tDEMO-19001\tpreschool\tpublic\trural\tPhường Tích Lương\tUBND-05600"), "\(schools)")
    }
}

@Suite struct BenchOutputTests {
    /// A fresh database's URL as the program reads it, and a new directory for the bench's output.
    static func setting() throws -> (database: TestDatabase, url: String, directory: String) {
        let database = try TestDatabase.create()
        let configuration = database.configuration
        let url = "postgres://\(configuration.value("user")!)@/\(configuration.value("dbname")!)?host=\(configuration.value("host")!)"
            + "&port=\(configuration.value("port")!)"
        let directory = NSTemporaryDirectory() + "tuition-bench-output-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        return (database, url, directory)
    }

    /// A bench's output named by a symbolic link (or a device, as /dev/null) is written through, never
    /// replaced by a new file.
    @Test func benchSetupWritesIntoTheFileItsOutputNames() throws {
        let (_, url, directory) = try Self.setting()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/target.lua", link = directory + "/link.lua"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let result = try TuitionBinary.run(["bench", "callbacks-setup", "--students", "2", "--requests", "3", "--out", link],
                                           environment: ["DATABASE_URL": url])
        #expect(result.status == 0, "\(result.output)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        let written = try String(contentsOfFile: target, encoding: .utf8)
        #expect(written.hasPrefix("-- generated by tuition bench callbacks-setup: 3 pre-signed callbacks"))
        // Formatted by each wrk thread before the run, none per request; no `response` hook (wrk counts refusals).
        #expect(written.contains("function init(args)") && written.contains("formatted[#formatted + 1] = format(requests[i])"))
        #expect(written.contains("function request()\n  local r = formatted["))
        #expect(!written.contains("function response("))
    }

    /// `--months N` issues each pupil's invoices of N months from September, so N times as many callbacks pay one.
    @Test func callbacksSetupIssuesTheMonthsItIsAskedFor() throws {
        let (database, url, directory) = try Self.setting()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let codes = directory + "/codes"
        let result = try TuitionBinary.run(["bench", "callbacks-setup", "--students", "3", "--months", "2", "--codes-out", codes],
                                           environment: ["DATABASE_URL": url])
        #expect(result.status == 0, "\(result.output)")
        let written = try String(contentsOfFile: codes, encoding: .utf8).split(separator: "\n")
        #expect(written.count == 6 && Set(written).count == 6, "\(written)")
        let connection = try database.connect()
        defer { connection.close() }
        #expect(try connection.query("SELECT count(DISTINCT period) FROM invoices").first!.decode(Int64.self) == 2)
        let refused = try TuitionBinary.run(["bench", "callbacks-setup", "--students", "3", "--months", "10", "--codes-out", codes],
                                            environment: ["DATABASE_URL": url])
        #expect(refused.status != 0)
    }
}
