import Core
import Foundation
import Ledger
import Postgres
import Simulation
import Synchronization

/// Workloads for the scripts in bench/: each prints one JSON line of figures.
enum BenchCommand {
    static let usage = """
        Usage: tuition bench <pg|ledger> [--threads N] [--seconds S]
               tuition bench pg [--threads N] [--connections-per-thread N] [--seconds S]
               tuition bench pg-arrays --format binary|text [--elements N] [--threads N] [--seconds S]
               tuition bench accuracy [--seed N] [--schools N] [--students N]
               tuition bench invoices [--schools N] [--students N] [--threads N] [--period YYYY-MM]
               tuition bench callbacks-setup [--out FILE.lua] [--codes-out FILE] [--students N] [--requests N] [--months N]
               tuition bench collection-setup --inquiries-out FILE.lua --payments-out FILE.lua [--students N] [--requests N]
               tuition bench fuzz --target http|mt940|mt942|camt053|camt054|csv|xlsx-zip|xlsx-xml [--count N] [--seed N]

        Workloads measured by the scripts in bench/ (not for production use):
          pg       a prepared primary-key SELECT on pgbench_accounts through the pool (run pgbench -i first); with
                   --connections-per-thread N, each thread keeps N connections busy, sending each its next
                   SELECT as soon as it answers (as pgbench -j)
          ledger   four-posting entries (bank/suspense/suspense/receivable) by N concurrent writers
          pg-arrays  a SELECT over a batch statement's eight array parameters, sent in binary or text
          accuracy precision and recall of the matcher on a generated, labelled month (no database)
          invoices one period issued for many generated schools
          callbacks-setup  a school with open invoices and a wrk script of pre-signed callbacks
          collection-setup  a school with a collection connection and wrk scripts of signed inquiries and notices
          fuzz     seeded random mutations through a parser (no database)
        """

    static let threadsMax = 64
    static let connectionsPerThreadMax = 16
    static let secondsMax = 600.0

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let workload = try reader.requiredPositional("workload")
        if workload == "accuracy" { return try accuracy(&reader) }
        if workload == "invoices" { return try InvoiceBenchCommand.run(Array(arguments.dropFirst())) }
        if workload == "callbacks-setup" { return try CallbackBenchSetup.run(&reader) }
        if workload == "collection-setup" { return try CollectionBenchSetup.run(&reader) }
        if workload == "fuzz" { return try FuzzBench.run(&reader) }
        let threads = try reader.option("--threads") { try parseInt($0, 1...threadsMax) } ?? 1
        let seconds = try reader.option("--seconds") { text -> Double in
            guard let value = Double(text), value > 0, value <= secondsMax else { throw CommandFailure(message: "0 to \(secondsMax)") }
            return value
        } ?? 10
        let connectionsPerThread = workload == "pg"
            ? try reader.option("--connections-per-thread") { try parseInt($0, 1...connectionsPerThreadMax) } ?? 1 : 1
        let arrays = workload == "pg-arrays" ? try ParameterFormatBench(&reader) : nil
        try reader.finish()
        let database = try DatabaseAccess.resolve()
        let pool = PostgresPool(configuration: database.configuration, size: threads * connectionsPerThread)
        defer { pool.close() }
        switch workload {
        case "pg":
            // pgbench's own reckoning (100,000 accounts per branch): counting a million accounts would add its scan to
            // the database's CPU the script divides by the queries.
            let accounts = try pool.withConnection {
                try $0.query("SELECT count(*) * 100000 FROM pgbench_branches").singleRow()!.decode(column: 0, as: Int64.self)
            }
            // Drawn in user space, as pgbench draws its ids: the system generator costs a getrandom
            // system call per query, which perf showed in the client's profile and the peer never pays.
            // `aid` is an int4 column: the id is sent as int4, the type pgbench's untyped parameter is given (an int8
            // parameter makes the comparison cross-type).
            @Sendable func select(_ thread: Int, _ iteration: Int, _ index: Int) -> PostgresQuery {
                var mixer = SeededRandom.SplitMix64(seed: UInt64(thread) << 40 | UInt64(iteration) << 4 | UInt64(index))
                return "SELECT abalance FROM pgbench_accounts WHERE aid = \(Int32(mixer.next() % UInt64(accounts)) + 1)"
            }
            let count: Int
            if connectionsPerThread == 1 {
                count = try measure(threads: threads, seconds: seconds) { thread, iteration in
                    _ = try pool.withConnection { try $0.query(select(thread, iteration, 0)) }
                }
            } else {
                count = try measureConnections(threads: threads, perThread: connectionsPerThread, pool: pool, seconds: seconds, select)
            }
            report(workload: "pg_select", threads: threads, seconds: seconds, count: count)
        case "pg-arrays":
            guard let arrays else { throw UsageError(message: "pg-arrays needs --format", usage: usage) }
            let query = arrays.query
            let count = try measure(threads: threads, seconds: seconds) { _, _ in
                _ = try pool.withConnection { connection throws -> PostgresRows in try connection.query(query) }
            }
            report(workload: "pg_arrays_" + arrays.format.rawValue, threads: threads, seconds: seconds, count: count)
        case "ledger":
            try database.migrate(layout: try ProjectLayout.locate())
            let setup = try benchSchool(pool)
            let ledger = LedgerService(pool: pool)
            let count = try measure(threads: threads, seconds: seconds) { thread, iteration in
                let request = JournalEntryRequest(
                    schoolID: setup.school, effectiveDate: VietnamTime.today, kind: .paymentReceived, description: "bench payment",
                    idempotencyKey: "bench-\(setup.run)-\(thread)-\(iteration)",
                    postings: [PostingRequest(accountID: setup.bank, amount: Money(dong: 1_500_000)),
                               PostingRequest(accountID: setup.suspense, amount: Money(dong: -1_500_000)),
                               PostingRequest(accountID: setup.suspense, amount: Money(dong: 1_500_000)),
                               PostingRequest(accountID: setup.receivable, amount: Money(dong: -1_500_000),
                                              dimensions: PostingDimensions(studentID: Int64(iteration % 2_000), invoiceID: Int64(iteration)))])
                try ledger.post(request)
            }
            report(workload: "ledger_entries", threads: threads, seconds: seconds, count: count)
        default:
            throw UsageError(message: "unknown workload '\(workload)'", usage: usage)
        }
    }

    static func accuracy(_ reader: inout ArgumentReader) throws {
        func count(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            try reader.option(name) { try parseInt($0, range) }
        }
        let seed = try count("--seed", 0...Int(Int32.max)).map(UInt64.init) ?? 2026
        var parameters = SimulationParameters.accuracy(seed: seed)
        parameters.schoolCount = try count("--schools", 1...SimulationParameters.schoolCountMax) ?? parameters.schoolCount
        parameters.studentCount = try count("--students", parameters.schoolCount...SimulationParameters.studentCountMax) ?? parameters.studentCount
        try reader.finish()
        let report = try AccuracyEvaluator.evaluate(ProvinceSimulation(parameters: parameters))
        print(report.summary)
        guard report.meetsTargets else { throw CommandFailure(message: "the accuracy targets are not met") }
    }

    /// Runs `body` on `threads` threads until `seconds` pass; returns how many calls succeeded.
    /// A failed call is not work done: any failure fails the bench (the first few are printed).
    static func measure(threads: Int, seconds: Double, _ body: @escaping @Sendable (Int, Int) throws -> Void) throws -> Int {
        let stopped = StopFlag(raisedAfter: seconds)
        let completed = Mutex(0)
        let failures = Mutex<(count: Int, first: [String])>((0, []))
        BlockingThreads.run(count: threads) { thread in
            var iteration = 0
            var succeeded = 0
            while !stopped.raised.load(ordering: .relaxed) {
                do {
                    try body(thread, iteration)
                    succeeded += 1
                } catch {
                    failures.withLock { failed in
                        failed.count += 1
                        if failed.first.count < 5 { failed.first.append("\(error)") }
                    }
                }
                iteration += 1
            }
            completed.withLock { $0 += succeeded }
        }
        let failed = failures.withLock { $0 }
        for failure in failed.first { printError("bench failure: \(failure)") }
        guard failed.count == 0 else { throw CommandFailure(message: "\(failed.count) call(s) failed") }
        return completed.withLock { $0 }
    }

    /// pgbench's shape: each of `threads` threads holds `perThread` connections, sends a statement on
    /// each, then waits for whichever answers and sends that connection its next one at once. Returns
    /// the statements answered; any failure fails the bench.
    static func measureConnections(threads: Int, perThread: Int, pool: PostgresPool, seconds: Double,
                                   _ statement: @escaping @Sendable (Int, Int, Int) -> PostgresQuery) throws -> Int {
        let stopped = StopFlag(raisedAfter: seconds)
        let completed = Mutex(0)
        let failure = Mutex<String?>(nil)
        BlockingThreads.run(count: threads) { thread in
            do {
                let answered = try withConnections(perThread, from: pool) { connections in
                    var sent = Array(repeating: 0, count: perThread)
                    for (index, connection) in connections.enumerated() { try connection.start(statement(thread, 0, index)) }
                    var answered = 0
                    var waiting = Array(connections.indices)
                    while !waiting.isEmpty {
                        for ready in PostgresConnection.waitForAnswer(waiting.map { connections[$0] }, timeoutMilliseconds: 1_000).reversed() {
                            let index = waiting[ready]
                            guard try connections[index].finishIfReady() != nil else { continue }
                            answered += 1
                            sent[index] += 1
                            if stopped.raised.load(ordering: .relaxed) {
                                waiting.remove(at: ready)
                            } else {
                                try connections[index].start(statement(thread, sent[index], index))
                            }
                        }
                    }
                    return answered
                }
                completed.withLock { $0 += answered }
            } catch {
                failure.withLock { $0 = $0 ?? "\(error)" }
            }
        }
        if let failed = failure.withLock({ $0 }) { throw CommandFailure(message: "bench failure: \(failed)") }
        return completed.withLock { $0 }
    }

    /// Runs `body` with `count` connections checked out of `pool` together.
    static func withConnections<T>(_ count: Int, from pool: PostgresPool, held: [PostgresConnection] = [],
                                   _ body: ([PostgresConnection]) throws -> T) throws -> T {
        guard held.count < count else { return try body(held) }
        return try pool.withConnection { try withConnections(count, from: pool, held: held + [$0], body) }
    }

    static func report(workload: String, threads: Int, seconds: Double, count: Int) {
        let perSecond = Int((Double(count) / seconds).rounded())
        print(#"{"workload":"\#(workload)","threads":\#(threads),"seconds":\#(seconds),"operations":\#(count),"per_second":\#(perSecond)}"#)
    }

    static func benchSchool(_ pool: PostgresPool) throws -> (school: Int64, bank: Int64, suspense: Int64, receivable: Int64, run: UInt32) {
        let run = UInt32.random(in: 0...UInt32.max)
        let school = try pool.transaction(isolation: .readCommitted) { connection in
            try Schools.create(NewSchool(code: "BENCH-\(run)", name: "Bench school", district: "Bench", level: .primary,
                                         paymentCodePrefix: "BN",
                                         bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "B\(run)", holderName: "BENCH")]), on: connection)
        }
        return try pool.withConnection { connection in
            func id(_ purpose: AccountPurpose) throws -> Int64 { try LedgerQueries.account(schoolID: school.id, purpose: purpose, on: connection)!.accountID }
            return (school.id, try id(.bank), try id(.suspense), try id(.receivable), run)
        }
    }
}

/// Raised once by its timer when the time is up; shared by reference with the measured threads, which
/// read it with a plain load per call: no clock read per call (the peer, pgbench -T, reads none either).
private final class StopFlag: Sendable {
    let raised = Atomic(false)

    /// A flag a timer thread raises after `seconds`.
    init(raisedAfter seconds: Double) {
        let timer = Thread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            raised.store(true, ordering: .relaxed)
        }
        timer.start()
    }
}
