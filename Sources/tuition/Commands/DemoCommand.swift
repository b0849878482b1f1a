import API
import Core
import Foundation
import HTTP
import Ledger
import Postgres
import Simulation

/// The end-to-end demo behind scripts/demo: seeds a demo province, shows the month's work,
/// prints an admin token and serves the API.
enum DemoCommand {
    static let usage = """
        Usage: tuition demo [--port 8080] [--no-serve]

        Seeds a demo province (several schools in two districts) into the database, prints an
        admin token and, unless --no-serve, serves the API until SIGTERM/SIGINT.
        Safe to run again: existing demo data is kept.
        """

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let port = try reader.option("--port", parsePort) ?? 8080
        let serve = !reader.flag("--no-serve")
        try reader.finish()
        let layout = try ProjectLayout.locate()
        let database = try DatabaseAccess.resolve()
        try database.migrate(layout: layout)
        let pool = PostgresPool(configuration: database.configuration, size: 4)
        let simulation = ProvinceSimulation(parameters: .demo())
        let schools = try seedSchools(simulation, pool: pool)
        print("demo province: \(schools.count) schools in \(simulation.districts.count) districts")
        for school in schools { print("  \(school.code)  \(school.name)  (\(school.district))") }
        let token = try pool.withConnection {
            try TokenStore.create(role: .admin, schoolID: nil, district: nil, label: "demo admin", on: $0)
        }
        pool.close()
        print("\nadmin token (shown once): \(token.token)")
        guard serve else { return }
        print("try: curl -H 'Authorization: Bearer \(token.token)' http://127.0.0.1:\(port)/v1/schools\n")
        try ServeCommand.run(["--port", String(port)])
    }

    /// Creates the simulated schools that do not exist yet, with one bank account each.
    static func seedSchools(_ simulation: ProvinceSimulation, pool: PostgresPool) throws -> [School] {
        try simulation.schools.map { simulated in
            let code = "DEMO-\(simulated.paymentCodePrefix)\(simulated.index + 1)"
            let district = simulation.districts.first { $0.id == simulated.districtId }?.name ?? "Demo"
            return try pool.transaction(isolation: .readCommitted) { connection in
                if let existing = try Schools.find(code: code, on: connection) { return existing }
                let bank = NewBankAccount(bankBIN: "970436", accountNumber: String(format: "10%08d", simulated.index + 1),
                                          holderName: VietnameseText.normalized(simulated.name))
                return try Schools.create(NewSchool(code: code, name: simulated.name, district: district,
                                                    level: level(simulated.level), paymentCodePrefix: simulated.paymentCodePrefix,
                                                    bankAccounts: [bank]), on: connection)
            }
        }
    }

    static func level(_ level: Simulation.SchoolLevel) -> Ledger.SchoolLevel {
        switch level {
        case .preschool: return .preschool
        case .primary: return .primary
        case .lowerSecondary: return .lowerSecondary
        case .upperSecondary: return .upperSecondary
        case .continuingEducation: return .continuing
        }
    }
}
