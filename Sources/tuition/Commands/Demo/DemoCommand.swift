import API
import BankFormats
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Simulation

/// The end-to-end demo behind scripts/demo: a province's month, from rosters to reconciliation.
enum DemoCommand {
    static let usage = """
        Usage: tuition demo [--port 8080] [--no-serve]

        Seeds a demo province (several schools in two districts, a few hundred students with
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
        let output = (ProcessInfo.processInfo.environment["TUITION_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? DatabaseAccess.homeDefault) + "/demo"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let pool = PostgresPool(configuration: database.configuration, size: 4)
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: layout.bankFormats + "/callbacks"))
        let simulation = ProvinceSimulation(parameters: .demo())
        let alreadySeeded = try pool.withConnection { try Schools.find(code: "DEMO-\(simulation.schools[0].paymentCodePrefix)1", on: $0) } != nil
        print("Demo province: \(simulation.schools.count) schools in \(simulation.districts.count) districts, \(simulation.studentCount) students, month \(DemoProvince.month)")
        let schools = try DemoProvince.seed(simulation, pool: pool, catalog: catalog)
        if !alreadySeeded {
            try runMonth(schools, simulation: simulation, pool: pool, catalog: catalog, output: output)
        }
        try DemoSummary.print(schools, pool: pool, output: output)
        let token = try pool.withConnection { try TokenStore.create(role: .admin, schoolID: nil, district: nil, label: "demo admin", on: $0) }
        pool.close()
        print("\nadmin token (shown once): \(token.token)")
        guard serve else { return }
        print("try:  curl -H 'Authorization: Bearer \(token.token)' http://127.0.0.1:\(port)/v1/schools\n")
        try ServeCommand.run(["--port", String(port)])
    }

    /// The month's bank activity: callbacks, then each school's statement.
    static func runMonth(_ schools: [DemoSchool], simulation: ProvinceSimulation, pool: PostgresPool, catalog: CallbackCatalog,
                         output: String) throws {
        let ingest = CallbackIngest(pool: pool, catalog: catalog)
        for school in schools {
            let transfers = simulation.transfers(for: school.roster)
            let delivered = DemoBank.deliverCallbacks(transfers, school: school, ingest: ingest)
            print("  \(school.school.code): \(transfers.count) transfers; \(delivered.accepted) callbacks "
                  + "(\(delivered.applied) applied at once, \(delivered.inSuspense) to suspense), \(delivered.missed) never sent")
            let path = output + "/\(school.school.code)-\(DemoProvince.month.iso).sta"
            try DemoBank.statement(transfers, school: school, month: DemoProvince.month).write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
