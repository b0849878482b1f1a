import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import Simulation

/// The demo province in the database: the simulated schools with their bank accounts, a `tuition`
/// bank connection each, the simulated rosters as students, fees by level, and one month issued.
struct DemoSchool {
    let simulated: SimulatedSchool
    let school: School
    let bankAccountNumber: String
    let connectionSecret: String
    /// The roster as the database knows it (its ids and payment codes), for the transfer generator.
    let roster: SimulatedRoster
}

enum DemoProvince {
    static let month = SimulationParameters.demo().month

    static func seed(_ simulation: ProvinceSimulation, pool: PostgresPool, catalog: CallbackCatalog, layout: ProjectLayout) throws -> [DemoSchool] {
        try DemoFees.installCatalogue(layout: layout, pool: pool)
        let nonPublicIndex = simulation.schools.count - 1
        return try simulation.schools.map { simulated in
            let ward = DemoCommunes.ward(ofDistrict: simulated.districtId)
            let code = "DEMO-\(simulated.paymentCodePrefix)\(simulated.index + 1)"
            let account = String(format: "10%08d", simulated.index + 1)
            let secret = "demo-connection-secret-\(simulated.index + 1)"
            let roster = simulation.roster(of: simulated)
            let school = try pool.transaction(isolation: .readCommitted) { connection -> School in
                if let existing = try Schools.find(code: code, on: connection) { return existing }
                let school = try Schools.create(NewSchool(
                    code: code, name: simulated.name, district: "", officialCode: "DEMO-1900\(simulated.index + 1)", commune: ward,
                    level: simulated.level, ownership: simulated.index == nonPublicIndex ? .nonPublic : .public,
                    paymentCodePrefix: simulated.paymentCodePrefix,
                    bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: account, holderName: VietnameseText.normalized(simulated.name))]),
                    on: connection)
                _ = try BankConnections.add(schoolID: school.id, provider: catalog.description(for: "tuition")!, label: "Vietcombank (demo)",
                                            accounts: [(receiving: account, bankAccountNumber: account)], secret: secret, parameters: [:],
                                            on: connection)
                try addStudents(roster, school: school, on: connection)
                try DemoFees.add(school: school, dueDay: simulated.dueDay, month: month, on: connection)
                return school
            }
            _ = try InvoiceIssuer.issue(schoolID: school.id, period: month, issuedOn: month.firstDay, issuedBy: "demo", pool: pool)
            return DemoSchool(simulated: simulated, school: school, bankAccountNumber: account, connectionSecret: secret,
                              roster: try databaseRoster(roster, school: school, pool: pool))
        }
    }

    static func addStudents(_ roster: SimulatedRoster, school: School, on connection: PostgresConnection) throws {
        for (index, student) in roster.students.enumerated() {
            _ = try Students.create(schoolID: school.id, StudentDetails(
                code: "HS\(String(format: "%04d", index + 1))", fullName: student.fullName, dateOfBirth: nil,
                className: student.className, grade: grade(of: student.className), guardianName: student.guardianName,
                guardianPhone: "09" + String(format: "%08d", (index * 7_919) % 100_000_000),
                familyKey: student.familyKey, virtualAccount: student.virtualAccount), changedBy: "demo", on: connection)
        }
    }

    /// The simulated roster re-keyed to the database: same students in the same order (families' member
    /// indices stay valid), with the database's ids and standing codes, and the month's open invoices.
    static func databaseRoster(_ roster: SimulatedRoster, school: School, pool: PostgresPool) throws -> SimulatedRoster {
        try pool.withConnection { connection in
            var students: [MatchStudent] = []
            for (index, simulated) in roster.students.enumerated() {
                guard let student = try Students.find(schoolID: school.id, code: "HS\(String(format: "%04d", index + 1))", on: connection) else {
                    throw CommandFailure(message: "demo student \(index + 1) of \(school.code) is missing")
                }
                students.append(MatchStudent(id: student.id, paymentCode: student.paymentCode, fullName: simulated.fullName,
                                             className: simulated.className, familyKey: simulated.familyKey, guardianName: simulated.guardianName,
                                             virtualAccount: simulated.virtualAccount, isActive: true))
            }
            let invoices = try InvoiceQueries.unpaid(schoolID: school.id, studentIDs: nil, on: connection).map {
                MatchInvoice(id: $0.id, studentId: $0.studentID, paymentCode: $0.paymentCode, period: $0.period, dueDate: $0.dueDate,
                             total: $0.total, outstanding: $0.outstanding)
            }
            return SimulatedRoster(school: roster.school, students: students, families: roster.families, invoices: invoices)
        }
    }

    /// The grade in a simulated class name: "6A1" → 6, "3B" → 3; preschool groups by name.
    static func grade(of className: String) -> Int {
        if let number = Int(className.prefix { $0.isNumber }) { return number }
        for (name, grade) in [("Nhà trẻ", 0), ("Mầm", 1), ("Chồi", 2), ("Lá", 3)] where className.hasPrefix(name) { return grade }
        return 0
    }
}
