import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import Synchronization
import VietQR

/// Where a report goes and in which format.
struct ReportOutput {
    enum Format: String {
        case json, csv, html
    }

    var format: Format
    var separator: CSVSeparator
    var path: String?

    static let usageLines = """
          --format FORMAT   json (default), csv (UTF-8 with BOM, for Excel) or html (a printable page)
          --separator SEP   comma (default) or semicolon, for CSV opened by an Excel set to a decimal comma
          --out FILE        write the report to FILE instead of standard output
        """

    static func read(_ reader: inout ArgumentReader) throws -> ReportOutput {
        let format = try reader.option("--format") { text -> Format in
            guard let format = Format(rawValue: text) else { throw CommandFailure(message: "json, csv or html") }
            return format
        } ?? .json
        let separator = try reader.option("--separator") { text -> CSVSeparator in
            switch text {
            case "comma": return .comma
            case "semicolon": return .semicolon
            default: throw CommandFailure(message: "comma or semicolon")
            }
        } ?? .comma
        return ReportOutput(format: format, separator: separator, path: try reader.option("--out"))
    }

    func write(json: [UInt8], csv: (CSVSeparator) -> [UInt8], html: () -> String) throws {
        let bytes: [UInt8]
        switch format {
        case .json: bytes = json
        case .csv: bytes = csv(separator)
        case .html: bytes = Array(html().utf8)
        }
        if let path {
            do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
                throw CommandFailure(message: "cannot write \(path): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

/// `tuition reconcile`: the monthly run of one school, or of every school.
enum ReconcileCommand {
    static let usage = """
        Usage: tuition reconcile --school CODE --month YYYY-MM [--close] [--format json|csv|html] [--out FILE]
               tuition reconcile --all --month YYYY-MM [--close] [--threads N]
               tuition reconcile bench [--percent P] [--threads N] [--seed S]

        The monthly reconciliation run: decides again with the matcher every incoming transaction still
        in suspense and applies what has become certain; builds the report (each bank account's ledger
        balance at the month end against its last statement, with the items that explain a difference;
        unapplied money; outstanding invoices by age; family credits; likely duplicates; totals and
        collection by month); with --close, closes the month only if every bank account's statement
        agrees with the ledger; and records the run with the report's SHA-256. A refused close still
        records the run, prints the differences and exits 1. The CLI acts as the finance office.

        --all runs every school, --threads at a time (default 2), prints one line per school and a
        summary (schools per state, seconds, peak resident memory). `bench` seeds the generated province
        month bench/reconcile.sh measures (not for production use).

        Options:
          --school CODE     the school's code
          --month YYYY-MM   the month (it must have started)
          --close           close the month when every bank account agrees
        \(ReportOutput.usageLines)
        """

    static let threadsMax = 16
    static let actor = Actor(name: BillingSession.actor, role: .financeOffice)

    static func run(_ arguments: [String]) throws {
        if arguments.first == "bench" { return try ReconcileBench.run(Array(arguments.dropFirst())) }
        var reader = try ArgumentReader(arguments, usage: usage)
        guard let month = try reader.option("--month", BillingSession.parseMonth) else { throw UsageError(message: "missing --month", usage: usage) }
        let close = reader.flag("--close")
        if reader.flag("--all") {
            let threads = try reader.option("--threads") { try parseInt($0, 1...threadsMax) } ?? 2
            try reader.finish()
            return try runAll(month: month, close: close, threads: threads)
        }
        let schoolCode = try reader.requiredOption("--school")
        let output = try ReportOutput.read(&reader)
        try reader.finish()
        let session = try BillingSession.open(schoolCode: schoolCode)
        defer { session.pool.close() }
        let runner = MonthlyReconciliation(pool: session.pool, bankName: VietQRBank.displayName)
        do {
            let result = try runner.run(schoolID: session.school.id, month: month, close: close, actor: actor)
            try write(result.run, report: result.report, output: output)
        } catch ReconciliationError.closeRefused(let runID, let differences) {
            if let run = try session.pool.withConnection({ try ReconciliationRuns.find(schoolID: session.school.id, runID: runID, on: $0) }) {
                try write(run, report: try ReconciliationRuns.report(of: run), output: output)
            }
            throw CommandFailure(message: "\(month.iso) not closed (run \(runID) recorded): " + differences.joined(separator: "; "))
        } catch let error as ReconciliationError {
            throw CommandFailure(message: error.description)
        }
    }

    static func write(_ run: ReconciliationRun, report: MonthlyReconciliationReport, output: ReportOutput) throws {
        try output.write(json: Array(run.reportJSON.utf8), csv: { MonthlyReportCSV.render(report, separator: $0) },
                         html: { MonthlyReportPage.html(report) })
        printError("reconcile: run \(run.id), \(run.month.iso), \(run.state.rawValue), \(run.appliedCount) applied, "
                   + "\(report.unapplied.count) unapplied, sha256 \(run.reportSHA256)")
    }

    /// Every school, `threads` at a time, each its own run; a line per school and a summary.
    static func runAll(month: CalendarMonth, close: Bool, threads: Int) throws {
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: try ProjectLayout.locate())
        let pool = PostgresPool(configuration: database.configuration, size: threads)
        defer { pool.close() }
        let start = Date()
        let schools = try pool.withConnection { try Schools.list(limit: ReportLimits.provinceSchoolsMax + 1, on: $0) }
        guard schools.count <= ReportLimits.provinceSchoolsMax else {
            throw CommandFailure(message: "more than \(ReportLimits.provinceSchoolsMax) schools: run them by school")
        }
        let runner = MonthlyReconciliation(pool: pool, bankName: VietQRBank.displayName)
        // One school's failure is its line, not the end of the others' runs (each run is its own transaction).
        let results = try BlockingThreads.map(count: schools.count, threads: threads) { index -> (state: String, applied: Int, unapplied: Int) in
            do {
                let result = try runner.run(schoolID: schools[index].id, month: month, close: close, actor: actor)
                return (result.run.state.rawValue, result.run.appliedCount, result.report.unapplied.count)
            } catch ReconciliationError.closeRefused {
                return ("not_closed", 0, 0)
            } catch {
                printError("reconcile \(schools[index].code): \(error)")
                return ("failed", 0, 0)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        for (school, result) in zip(schools, results) { print("\(school.code)\t\(result.state)") }
        var counts: [String: Int] = [:]
        for result in results { counts[result.state, default: 0] += 1 }
        let states = counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        printError(#"reconcile: {"schools":\#(schools.count),"seconds":\#(String(format: "%.2f", seconds)),"threads":\#(threads),"#
                   + #""applied":\#(results.reduce(0) { $0 + $1.applied }),"unapplied":\#(results.reduce(0) { $0 + $1.unapplied }),"#
                   + #""peak_rss_mb":\#(ProcessFacts.peakResidentMegabytes()),"states":{\#(states)}}"#)
        if let failed = counts["failed"] { throw CommandFailure(message: "\(failed) school(s) failed") }
    }
}

/// `tuition report`: the province report, or a stored run's report again.
enum ReportCommand {
    static let usage = """
        Usage: tuition report province --month YYYY-MM [--authority CODE] [--name TEXT] [--format json|csv|html] [--out FILE]
               tuition report kpi (--month YYYY-MM | --year YYYY) [--name TEXT] [--format json|csv|html] [--out FILE]
               tuition report run --school CODE --run ID [--format json|csv|html] [--out FILE]

        province   per school and managing authority: invoiced, collected (bank and cash), outstanding, collection
                   rate, cashless share, the state of the month's reconciliation (closed, agrees, differences,
                   not run) and the payments waiting unapplied; --authority keeps one authority's schools
        kpi        the plan's KPIs per managing authority and for the province: general-education schools,
                   schools collecting through banks (at least one bank payment applied in the period) against
                   the 25 % and 80 % targets, cashless share by count and by value, the trend by month;
                   --year YYYY is the school year starting in September YYYY
        run        a recorded run's report, checked against its SHA-256 first

        Options:
          --name TEXT       the office named at the top (default "\(ProvinceReports.defaultProvinceName)")
        \(ReportOutput.usageLines)
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let action = try reader.requiredPositional("province, kpi or run")
        switch action {
        case "province": try province(&reader)
        case "kpi": try kpi(&reader)
        case "run": try storedRun(&reader)
        default: throw UsageError(message: "unknown report '\(action)'", usage: usage)
        }
    }

    static func province(_ reader: inout ArgumentReader) throws {
        guard let month = try reader.option("--month", BillingSession.parseMonth) else { throw UsageError(message: "missing --month", usage: usage) }
        let authority = try reader.option("--authority")
        let name = try reader.option("--name") ?? ProvinceReports.defaultProvinceName
        let output = try ReportOutput.read(&reader)
        try reader.finish()
        try withDatabase { connection in
            let start = Date()
            let report: ProvinceReport
            do {
                var scope = ProvinceScope.province
                if let authority {
                    guard let found = try Authorities.find(code: authority, on: connection) else {
                        throw CommandFailure(message: "no authority with code \(authority)")
                    }
                    scope = .authorities([found.code], name: found.name)
                }
                report = try ProvinceReports.build(month: month, scope: scope, provinceName: name, on: connection)
            } catch {
                throw CommandFailure(message: "\(error)")
            }
            try output.write(json: ProvinceReportJSON.canonicalBytes(report), csv: { ProvinceReportCSV.render(report, separator: $0) },
                             html: { ProvinceReportPage.html(report) })
            let totals = report.totals
            printError("report province: \(totals.schoolCount) schools, \(totals.statusCounts.closed) closed, "
                       + "\(totals.statusCounts.differences) with differences, \(totals.statusCounts.notRun) not run; "
                       + "built in \(String(format: "%.2f", Date().timeIntervalSince(start))) s, peak RSS \(ProcessFacts.peakResidentMegabytes()) MiB")
        }
    }

    static func kpi(_ reader: inout ArgumentReader) throws {
        let month = try reader.option("--month", BillingSession.parseMonth)
        let year = try reader.option("--year") { text -> Int in
            guard let year = Int(text), (2000...2999).contains(year) else { throw CommandFailure(message: "--year is a year, e.g. 2026") }
            return year
        }
        let name = try reader.option("--name") ?? ProvinceReports.defaultProvinceName
        let output = try ReportOutput.read(&reader)
        try reader.finish()
        let period: KPIPeriod
        switch (month, year) {
        case (let month?, nil): period = .month(month)
        case (nil, let year?): period = .schoolYear(year)
        default: throw UsageError(message: "give either --month or --year", usage: usage)
        }
        try withDatabase { connection in
            let report: KPIReport
            do { report = try KPIReports.build(period: period, provinceName: name, on: connection) } catch { throw CommandFailure(message: "\(error)") }
            try output.write(json: KPIReportJSON.canonicalBytes(report), csv: { KPIReportCSV.render(report, separator: $0) },
                             html: { KPIReportPage.html(report) })
            let province = report.province
            printError("report kpi \(period.iso): \(province.bankSchools) of \(province.generalSchools) general-education schools "
                       + "collect through banks (\(BasisPoints.vietnamesePercent(province.bankSchoolShare))); cashless by value "
                       + BasisPoints.vietnamesePercent(province.cashlessShareByValue))
        }
    }

    static func storedRun(_ reader: inout ArgumentReader) throws {
        let schoolCode = try reader.requiredOption("--school")
        guard let runID = try reader.option("--run", { Int64($0) }) ?? nil else { throw UsageError(message: "missing or bad --run", usage: usage) }
        let output = try ReportOutput.read(&reader)
        try reader.finish()
        try withDatabase { connection in
            guard let school = try Schools.find(code: schoolCode, on: connection) else { throw CommandFailure(message: "no school with code \(schoolCode)") }
            guard let run = try ReconciliationRuns.find(schoolID: school.id, runID: runID, on: connection) else {
                throw CommandFailure(message: "no run \(runID) of school \(schoolCode)")
            }
            let report: MonthlyReconciliationReport
            do { report = try ReconciliationRuns.report(of: run) } catch { throw CommandFailure(message: "\(error)") }
            try output.write(json: Array(run.reportJSON.utf8), csv: { MonthlyReportCSV.render(report, separator: $0) },
                             html: { MonthlyReportPage.html(report) })
        }
    }
}
