import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import Simulation
import Synchronization

/// The seeding of bench/reconcile.sh: a generated province month (`ProvinceSimulation`) written
/// in bulk, timing three stages separately — schools and rosters, issuing the month's invoices,
/// importing the bank lines (bulk booking, then the automatic application a statement import does) —
/// and a statement per school. The reconcile stage is `tuition reconcile --all`, run afterwards in
/// its own process so its memory is measured alone. Not for production use.
enum ReconcileBench {
    static let usage = """
        Usage: tuition reconcile bench [--percent P] [--threads N] [--seed S]

        Seeds P % (default 100) of a generated province month — 700 schools, 300,000 students, about
        300,000 invoices and 330,000 bank lines at 100 % — and prints one JSON line of figures. One
        school in twenty gets a statement 11.000 đ short (an unrecorded bank charge), so its month
        cannot close. Then run: tuition reconcile --all --month 2026-10 --close
        """

    static let threadsMax = 16
    /// Schools whose statement is short by an unrecorded bank charge: one in this many.
    static let shortStatementEvery = 20
    static let bankChargeDong: Int64 = 11_000

    struct Figures: Sendable {
        var students = 0
        var invoices = 0
        var lines = 0
        var applied = 0
        var seedSeconds = 0.0
        var issueSeconds = 0.0
        var bookingSeconds = 0.0
        var applySeconds = 0.0
    }

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let percent = try reader.option("--percent") { try parseInt($0, 1...100) } ?? 100
        let threads = try reader.option("--threads") { try parseInt($0, 1...threadsMax) } ?? 2
        let seed = try reader.option("--seed") { try parseInt($0, 0...Int(Int32.max)) } ?? 2026
        try reader.finish()
        let full = SimulationParameters.scale(seed: UInt64(seed))
        let parameters = SimulationParameters(seed: UInt64(seed), districtCount: max(2, full.districtCount * percent / 100),
                                              schoolCount: full.schoolCount * percent / 100, studentCount: full.studentCount * percent / 100,
                                              month: full.month)
        let simulation = ProvinceSimulation(parameters: parameters)
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: try ProjectLayout.locate())
        let pool = PostgresPool(configuration: database.configuration, size: threads)
        defer { pool.close() }
        let start = Date()
        let parts = try BlockingThreads.map(count: simulation.schools.count, threads: threads) { index in
            try seedSchool(simulation, index: index, pool: pool)
        }
        var figures = Figures()
        for part in parts {
            figures.students += part.students
            figures.invoices += part.invoices
            figures.lines += part.lines
            figures.applied += part.applied
            figures.seedSeconds += part.seedSeconds
            figures.issueSeconds += part.issueSeconds
            figures.bookingSeconds += part.bookingSeconds
            figures.applySeconds += part.applySeconds
        }
        let wall = Date().timeIntervalSince(start)
        func seconds(_ value: Double) -> String { String(format: "%.2f", value / Double(threads)) }
        print(#"{"workload":"reconcile_seed","percent":\#(percent),"schools":\#(simulation.schools.count),"students":\#(figures.students),"#
              + #""invoices":\#(figures.invoices),"lines":\#(figures.lines),"applied_on_import":\#(figures.applied),"threads":\#(threads),"#
              + #""seed_seconds":\#(seconds(figures.seedSeconds)),"issue_seconds":\#(seconds(figures.issueSeconds)),"#
              + #""booking_seconds":\#(seconds(figures.bookingSeconds)),"apply_seconds":\#(seconds(figures.applySeconds)),"#
              + #""wall_seconds":\#(String(format: "%.2f", wall)),"peak_rss_mb":\#(ProcessFacts.peakResidentMegabytes()),"#
              + #""month":"\#(parameters.month.iso)"}"#)
    }

    /// One school through every stage, each timed; the stages are summed over schools (and divided
    /// by the threads when printed, which is their share of the wall time).
    static func seedSchool(_ simulation: ProvinceSimulation, index: Int, pool: PostgresPool) throws -> Figures {
        let simulated = simulation.schools[index]
        let month = simulation.month(of: simulated)
        var figures = Figures()
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }
        let seeded = try pool.transaction(isolation: .readCommitted) { connection in
            try BenchRosterWriter.write(simulation, simulated, roster: month.roster, on: connection)
        }
        figures.students = month.roster.students.count
        figures.seedSeconds = lap()
        figures.invoices = try pool.transaction(isolation: .readCommitted) { connection in
            try BenchInvoiceWriter.write(month.roster, school: seeded, on: connection)
        }
        figures.issueSeconds = lap()
        let transactions = try pool.transaction(isolation: .readCommitted) { connection in
            try BenchBankLines.book(month.transfers.map(\.transaction), school: seeded, shortBy: index % shortStatementEvery == shortStatementEvery - 1
                                        ? bankChargeDong : 0, on: connection)
        }
        figures.lines = transactions.count
        figures.bookingSeconds = lap()
        figures.applied = try pool.transaction(isolation: .readCommitted) { connection in
            try BenchBankLines.applyAutomatically(transactions, school: seeded.school, on: connection)
        }
        figures.applySeconds = lap()
        return figures
    }
}
