import Foundation
import Glibc

/// The `tuition` program: every command, dispatched by its first argument.
enum Tuition {
    struct Command: Sendable {
        let name: String
        let summary: String
        let usage: String
        let run: @Sendable ([String]) throws -> Void
    }

    static let commands: [Command] = [
        Command(name: "demo", summary: "Seed a demo province and serve it (scripts/demo)", usage: DemoCommand.usage, run: DemoCommand.run),
        Command(name: "serve", summary: "Run the JSON API server (migrates first)", usage: ServeCommand.usage, run: ServeCommand.run),
        Command(name: "config", summary: "Check the configuration and print the effective settings", usage: ConfigCommand.usage, run: ConfigCommand.run),
        Command(name: "migrate", summary: "Apply pending database migrations", usage: MigrateCommand.usage, run: MigrateCommand.run),
        Command(name: "db", summary: "Manage the embedded PostgreSQL cluster", usage: DatabaseCommand.usage, run: DatabaseCommand.run),
        Command(name: "school", summary: "Create and list schools", usage: SchoolCommand.usage, run: SchoolCommand.run),
        Command(name: "token", summary: "Create, list and revoke API tokens", usage: TokenCommand.usage, run: TokenCommand.run),
        Command(name: "user", summary: "Add, reset and disable web console users", usage: UserCommand.usage, run: UserCommand.run),
        Command(name: "students", summary: "Import a school's roster from CSV", usage: StudentsCommand.usage, run: StudentsCommand.run),
        Command(name: "fees", summary: "Fee types and their schedules", usage: FeesCommand.usage, run: FeesCommand.run),
        Command(name: "attendance", summary: "School days per month and pupils' absences", usage: AttendanceCommand.usage, run: AttendanceCommand.run),
        Command(name: "invoices", summary: "Issue, list and void invoices", usage: InvoicesCommand.usage, run: InvoicesCommand.run),
        Command(name: "cash", summary: "Record cash payments with receipts", usage: CashCommand.usage, run: CashCommand.run),
        Command(name: "suspense", summary: "Work the suspense queue: proposals, apply, refund, not tuition", usage: SuspenseCommand.usage,
                run: SuspenseCommand.run),
        Command(name: "connection", summary: "Manage bank connections and their callback secrets", usage: ConnectionCommand.usage, run: ConnectionCommand.run),
        Command(name: "parse", summary: "Print what a bank statement parser reads from a file", usage: ParseCommand.usage, run: ParseCommand.run),
        Command(name: "import", summary: "Import a bank statement into a school's bank account", usage: ImportCommand.usage, run: ImportCommand.run),
        Command(name: "collect", summary: "Bank collection: end-of-day reconciliation files and the day's results", usage: CollectCommand.usage,
                run: CollectCommand.run),
        Command(name: "backup", summary: "Write a backup of the database to a file", usage: BackupCommand.usage, run: { try BackupCommand.run(["backup"] + $0) }),
        Command(name: "restore", summary: "Restore the database from a backup file", usage: BackupCommand.restoreUsage, run: { try BackupCommand.run(["restore"] + $0) }),
        Command(name: "reconcile", summary: "Run a month: re-match, report, close when the bank agrees", usage: ReconcileCommand.usage,
                run: ReconcileCommand.run),
        Command(name: "report", summary: "Province report, or a recorded run's report again", usage: ReportCommand.usage, run: ReportCommand.run),
        Command(name: "ledger", summary: "Verify the ledger's balances and invariants", usage: LedgerCommand.usage, run: LedgerCommand.run),
        Command(name: "audit", summary: "Prune old audit rows of refused callback deliveries", usage: AuditCommand.usage, run: AuditCommand.run),
        Command(name: "bench", summary: "Workloads for the scripts in bench/", usage: BenchCommand.usage, run: BenchCommand.run),
    ]

    static var usage: String {
        let width = commands.map(\.name.count).max() ?? 0
        let lines = commands.map { "  " + $0.name.padding(toLength: width + 3, withPad: " ", startingAt: 0) + $0.summary }
        return """
            Usage: tuition <command> [options]

            Tuition ledger and payment reconciliation for schools.

            Commands:
            \(lines.joined(separator: "\n"))

            Environment:
              DATABASE_URL   PostgreSQL URL; without it an embedded cluster under TUITION_HOME is used
              TUITION_HOME   directory of the embedded cluster (default ./.tuition)
              TUITION_ROOT   directory holding migrations/ and bank-formats/ (found automatically)

            Run 'tuition <command> --help' for the options of a command.
            """
    }

    static func main(_ arguments: [String]) -> Int32 {
        guard let name = arguments.first else {
            printError(usage)
            return 64
        }
        if name == "--help" || name == "-h" || name == "help" {
            print(usage)
            return 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            printError("error: unknown command '\(name)'\n\n" + usage)
            return 64
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(command.usage)
            return 0
        }
        do {
            try command.run(rest)
            return 0
        } catch let error as UsageError {
            printError("error: \(error.message)\n\n\(error.usage)")
            return 64
        } catch let error as CommandFailure {
            printError("error: \(error.message)")
            return error.exitStatus
        } catch let error as PostgresErrorDescribing {
            printError("error: \(error.operatorDescription)")
            return 1
        } catch {
            printError("error: \(error)")
            return 1
        }
    }
}

/// Errors whose operator-facing text differs from the client-safe one (database errors carry the server message).
protocol PostgresErrorDescribing: Error {
    var operatorDescription: String { get }
}

let status = Tuition.main(Array(CommandLine.arguments.dropFirst()))
fflush(nil)
exit(status)
