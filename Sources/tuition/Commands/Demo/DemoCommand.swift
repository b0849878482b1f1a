import API
import BankFormats
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Reconciliation
import Simulation
import VietQR

/// The end-to-end demo behind scripts/demo: a province's month, from rosters to reconciliation.
enum DemoCommand {
    static let usage = """
        Usage: tuition demo [--port 8080] [--no-serve]

        Seeds a demo province (several schools in two wards, managed by the wards' people's
        committees or, for upper-secondary schools, the department; a few hundred students with
        siblings), issues a month, posts realistic bank callbacks (bank prefixes, no diacritics,
        typos, siblings, partial and over payments, some with no code), writes each school's bank
        statement for the month and imports it (confirming the callbacks, catching the ones that
        never came), reconciles every school, prints the summary and the paths of the HTML
        reports, prints an admin token and, unless --no-serve, serves the API.
        Run on a database that already holds the demo, it only prints the summary and serves.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let port = try reader.option("--port", parsePort) ?? 8080
        let serve = !reader.flag("--no-serve")
        try reader.finish()
        let layout = try ProjectLayout.locate()
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: layout)
        let output = DatabaseAccess.home(ProcessInfo.processInfo.environment) + "/demo"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let pool = PostgresPool(configuration: database.configuration, size: 4)
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: layout.bankFormats + "/callbacks"))
        let simulation = ProvinceSimulation(parameters: .demo())
        let alreadySeeded = try pool.withConnection { try Schools.find(code: "DEMO-\(simulation.schools[0].paymentCodePrefix)1", on: $0) } != nil
        print("Demo province: \(simulation.schools.count) schools in \(DemoCommunes.wards.prefix(simulation.districts.count).map(\.name).joined(separator: " and ")), "
              + "\(simulation.studentCount) students, month \(DemoProvince.month)")
        let schools = try DemoProvince.seed(simulation, pool: pool, catalog: catalog, layout: layout)
        if !alreadySeeded {
            try runMonth(schools, simulation: simulation, pool: pool, catalog: catalog, layout: layout, output: output)
        }
        try DemoSummary.print(schools, pool: pool, output: output)
        let token = try pool.withConnection { try TokenStore.create(role: .admin, schoolID: nil, authority: nil, label: "demo admin", on: $0) }
        pool.close()
        print("\nadmin token (shown once): \(token.token)")
        guard serve else { return }
        print("try:  curl -H 'Authorization: Bearer \(token.token)' http://127.0.0.1:\(port)/v1/schools\n")
        try ServeCommand.run(["--port", String(port)])
    }

    /// The month's bank activity: callbacks, then each school's statement imported, then reconciliation.
    static func runMonth(_ schools: [DemoSchool], simulation: ProvinceSimulation, pool: PostgresPool, catalog: CallbackCatalog,
                         layout: ProjectLayout, output: String) throws {
        let ingest = CallbackIngest(pool: pool, catalog: catalog)
        let importer = StatementImporter(pool: pool, descriptions: try CSVFormatCatalog(directory: layout.bankFormats + "/statements"))
        print("\n1. Callbacks during the month, then the bank's statement at its end:")
        var transfersBySchool: [Int64: [LabelledTransfer]] = [:]
        for school in schools {
            let transfers = simulation.transfers(for: school.roster)
            transfersBySchool[school.school.id] = transfers
            let delivered = DemoBank.deliverCallbacks(transfers, school: school, ingest: ingest)
            let path = output + "/\(school.school.code)-\(DemoProvince.month.iso).sta"
            try DemoBank.statement(transfers, school: school, month: DemoProvince.month).write(toFile: path, atomically: true, encoding: .utf8)
            let imported = try importer.run(StatementImportRequest(schoolID: school.school.id, bankAccountNumber: school.bankAccountNumber,
                                                                    source: .file(path: path), fileName: (path as NSString).lastPathComponent,
                                                                    format: .mt940, importedBy: "demo"))
            let counts = imported.counts
            print("  \(school.school.code): \(transfers.count) transfers; \(delivered.accepted) callbacks "
                  + "(\(delivered.applied) applied at once), \(delivered.missed) never sent; statement: \(counts.linesNew) new, "
                  + "\(counts.callbacksConfirmed) callbacks confirmed, \(counts.linesKnown) already imported, \(counts.linesConflicting) conflicting")
        }
        print("\n2. The accountant works the suspense queue (checking with the parents what the matcher could only propose):")
        for school in schools {
            let work = try DemoAccountant.workQueue(school: school, transfers: transfersBySchool[school.school.id] ?? [], pool: pool)
            print("  \(school.school.code): \(work.acceptedTop) top proposals accepted, \(work.acceptedLower) lower-ranked, "
                  + "\(work.appliedByHand) applied by hand, \(work.notTuition) not tuition, \(work.refundsDue) refund(s) due, "
                  + "\(work.leftOpen) left open")
        }
        print("\n3. Parents who pay cash at the school's counter (receipts numbered without gaps):")
        for school in schools {
            let paid = try DemoBank.payInCash(school: school, month: DemoProvince.month, pool: pool)
            print("  \(school.school.code): \(paid.count) cash payment(s), \(MoneyFormat.vietnamese(paid.total))")
        }
        print("\n4. Reconciliation of \(DemoProvince.month) (re-match what is unapplied, compare with the bank, close when it agrees):")
        let reconciliation = MonthlyReconciliation(pool: pool, bankName: VietQRBank.displayName)
        for school in schools {
            do {
                let result = try reconciliation.run(schoolID: school.school.id, month: DemoProvince.month, close: true,
                                                    actor: Actor(name: "demo finance office", role: .financeOffice))
                try writeReport(result.report, school: school, output: output)
                print("  \(school.school.code): \(result.report.state.rawValue), report \(output)/\(school.school.code)-\(DemoProvince.month.iso).html")
            } catch ReconciliationError.closeRefused(let runID, let differences) {
                // The bank disagrees: the run is recorded, the month stays open. Anything else stops the demo.
                print("  \(school.school.code): not closed (run \(runID)) — " + differences.joined(separator: "; "))
            }
        }
        let province = try pool.withConnection { try ProvinceReports.build(month: DemoProvince.month, on: $0) }
        let provincePath = output + "/province-\(DemoProvince.month.iso).html"
        try ProvinceReportPage.html(province).write(toFile: provincePath, atomically: true, encoding: .utf8)
        print("  province report: \(provincePath)")
        let kpi = try pool.withConnection { try KPIReports.build(period: .month(DemoProvince.month), on: $0) }
        let kpiPath = output + "/kpi-\(DemoProvince.month.iso).html"
        try KPIReportPage.html(kpi).write(toFile: kpiPath, atomically: true, encoding: .utf8)
        print("  KPI report (schools collecting through banks per authority, against the 25 % and 80 % targets): \(kpiPath)")
    }

    static func writeReport(_ report: MonthlyReconciliationReport, school: DemoSchool, output: String) throws {
        try MonthlyReportPage.html(report).write(toFile: output + "/\(school.school.code)-\(DemoProvince.month.iso).html",
                                                atomically: true, encoding: .utf8)
    }
}
