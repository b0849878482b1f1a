import Billing
import Core
import Foundation
import Ledger
import Postgres

/// The workload of bench/invoices.sh: seeds schools and students through the roster import, then
/// issues one month for all of them and prints one JSON line of figures.
enum InvoiceBenchCommand {
    static let usage = """
        Usage: tuition bench invoices [--schools N] [--students N] [--threads N] [--period YYYY-MM] [--new-regime]

        Creates N lower-secondary schools with tuition for every grade, meals for half the classes and
        a discount for one student in fifty; imports the students from generated roster CSV files; then
        issues --period (default 2026-09) for every school, --threads schools at a time, each school one
        transaction. Prints seeding and issuing times, invoices per second and the peak resident memory.
        --new-regime: public schools billing 2026–27 from the province catalogue instead: meals by the
        school day for every pupil, drinking water, BHYT once a year (the state paying 30 %) and two opt-in clubs every pupil is
        enrolled in (one in twenty leaving mid-October, billed pro rata); September is issued first
        (untimed), random absences of 0–5 days recorded for it, then October is timed, crediting them.
        Not for production use: it writes bench schools into the database.
        """

    static let schoolsMax = 1_000
    static let studentsMax = 2_000_000
    static let threadsMax = 16

    static func run(_ arguments: [String]) throws {
        var reader = try ArgumentReader(arguments, usage: usage)
        let schools = try reader.option("--schools") { try parseInt($0, 1...schoolsMax) } ?? 50
        let students = try reader.option("--students") { try parseInt($0, 1...studentsMax) } ?? 100_000
        let threads = try reader.option("--threads") { try parseInt($0, 1...threadsMax) } ?? 2
        let newRegime = reader.flag("--new-regime")
        let period = try reader.option("--period", BillingSession.parseMonth) ?? (try CalendarMonth(year: 2026, month: newRegime ? 10 : 9))
        try reader.finish()
        guard students / schools <= BillingLimits.studentsPerSchoolMax else {
            throw UsageError(message: "at most \(BillingLimits.studentsPerSchoolMax) students per school", usage: usage)
        }
        let database = try DatabaseAccess.resolve()
        let layout = try ProjectLayout.locate()
        try database.migrate(layout: layout)
        let pool = PostgresPool(configuration: database.configuration, size: threads)
        defer { pool.close() }
        let run = UInt32.random(in: 0...UInt32.max)
        let seedStart = Date()
        if newRegime { try DemoFees.installCatalogue(layout: layout, pool: pool) }
        let ids = try BlockingThreads.map(count: schools, threads: threads) { index in
            let count = students / schools + (index < students % schools ? 1 : 0)
            return newRegime ? try NewRegimeBench.seedSchool(pool, run: run, index: index, students: count, period: period)
                : try seedSchool(pool, run: run, index: index, students: count, period: period)
        }
        let seedSeconds = Date().timeIntervalSince(seedStart)
        let issueStart = Date()
        let issued = try BlockingThreads.map(count: schools, threads: threads) { index in
            try InvoiceIssuer.issue(schoolID: ids[index], period: period, issuedBy: "bench", pool: pool).issued
        }
        let issueSeconds = Date().timeIntervalSince(issueStart)
        let invoices = issued.reduce(0, +)
        let perSecond = Int((Double(invoices) / issueSeconds).rounded())
        print(#"{"workload":"\#(newRegime ? "invoice_issue_new_regime" : "invoice_issue")","schools":\#(schools),"students":\#(students),"threads":\#(threads),"#
              + #""seed_seconds":\#(String(format: "%.2f", seedSeconds)),"issue_seconds":\#(String(format: "%.2f", issueSeconds)),"#
              + #""invoices":\#(invoices),"per_second":\#(perSecond),"peak_rss_mb":\#(ProcessFacts.peakResidentMegabytes())}"#)
    }

    /// One school: its fees, and its students imported from a generated roster.
    static func seedSchool(_ pool: PostgresPool, run: UInt32, index: Int, students: Int, period: CalendarMonth) throws -> Int64 {
        try pool.transaction(isolation: .readCommitted) { connection in
            let school = try Schools.create(NewSchool(
                code: "BENCH-\(run)-\(index)", name: "Trường THCS Bench \(index)", district: "Quận \(index % 12 + 1)", level: .lowerSecondary,
                ownership: .nonPublic, paymentCodePrefix: "HP", bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "B\(run)X\(index)", holderName: "BENCH")]),
                on: connection)
            let year = period.schoolYear
            let tuition = try FeeTypes.add(schoolID: school.id, code: "HP", name: "Học phí", kind: .tuition, on: connection)
            let meals = try FeeTypes.add(schoolID: school.id, code: "BANTRU", name: "Tiền ăn bán trú", kind: .agreedCollection, on: connection)
            for grade in 6...9 {
                try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
                    feeTypeID: tuition.id, schoolYear: year, scope: .grade(grade), monthlyAmount: Money(dong: grade <= 7 ? 250_000 : 280_000),
                    billableMonths: FeeScheduleInput.septemberToMay, dueDay: 15), on: connection)
            }
            let rows = BenchRoster.rows(count: students, seed: UInt64(run) &+ UInt64(index))
            for className in Set(rows.map(\.className)) where className.hasSuffix("1") || className.hasSuffix("3") {
                try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
                    feeTypeID: meals.id, schoolYear: year, scope: .classroom(className), monthlyAmount: Money(dong: 600_000),
                    billableMonths: FeeScheduleInput.septemberToMay, dueDay: 5), on: connection)
            }
            _ = try RosterImport.run(schoolID: school.id, file: Array(BenchRoster.csv(rows).utf8), dryRun: false, importedBy: "bench", on: connection)
            // One pupil in fifty has half the tuition off, recorded through Billing's owner of discounts.
            for student in try Students.list(schoolID: school.id, on: connection) where student.id % 50 == 0 {
                _ = try Discounts.add(schoolID: school.id, DiscountInput(
                    studentID: student.id, feeTypeID: tuition.id, value: .percentage(basisPoints: 5000), reason: "Giảm 50% học phí (bench)",
                    validFrom: period.adding(months: -1), validThrough: nil), on: connection)
            }
            return school.id
        }
    }

}

/// Generated rosters: Vietnamese names with diacritics, four grades of classes of about forty.
enum BenchRoster {
    struct Row {
        var code: String
        var name: String
        var className: String
        var grade: Int
        var family: String
    }

    static let familyNames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
    static let middleNames = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Gia", "Bảo", "Quốc", "Thu"]
    static let givenNames = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam",
                             "Nhung", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Uyên", "Việt", "Yến"]
    static let classSize = 40

    static func rows(count: Int, seed: UInt64) -> [Row] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let perGrade = max(1, (count + 3) / 4)
        return (0..<count).map { index in
            let grade = 6 + min(3, index / perGrade)
            let section = (index % perGrade) / classSize + 1
            let name = "\(familyNames[next(familyNames.count)]) \(middleNames[next(middleNames.count)]) \(givenNames[next(givenNames.count)])"
            return Row(code: String(format: "HS%06d", index + 1), name: name, className: "\(grade)A\(section)", grade: grade,
                       family: "GD\(index / 2)")
        }
    }

    static func csv(_ rows: [Row]) -> String {
        var text = "student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key\n"
        text.reserveCapacity(rows.count * 80)
        for row in rows {
            text += "\(row.code),\(row.name),01/01/\(2026 - row.grade - 6),\(row.className),\(row.grade),,0912345678,\(row.family)\n"
        }
        return text
    }
}
