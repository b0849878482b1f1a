import Billing
import Core
import Foundation
import Ledger
import Postgres

/// The `--new-regime` schools of bench/invoices.sh: public lower-secondary schools in rural communes billing
/// from the province catalogue, with the month before the measured one issued and absences recorded for it.
enum NewRegimeBench {
    static func seedSchool(_ pool: PostgresPool, run: UInt32, index: Int, students: Int, period: CalendarMonth) throws -> Int64 {
        let previous = period.adding(months: -1)
        let schoolID = try pool.transaction(isolation: .readCommitted) { connection -> Int64 in
            let school = try Schools.create(NewSchool(
                code: "BENCH-\(run)-\(index)", name: "Trường THCS Bench \(index)", district: "Xã \(index % 12 + 1)", level: .lowerSecondary,
                ownership: .public, areaClass: .rural, paymentCodePrefix: "HP",
                bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "B\(run)X\(index)", holderName: "BENCH")]), on: connection)
            for (month, days) in [(previous, 22), (period, 21)] {
                try SchoolCalendar.set(schoolID: school.id, SchoolMonth(period: month, schoolDays: days), updatedBy: "bench", on: connection)
            }
            let fees: [(String, String, Int64, [Int], RateUnit, Bool, Int?)] = [
                ("AN_BANTRU", "Tiền ăn bán trú", 25_000, FeeScheduleInput.septemberToMay, .day, false, nil),
                ("NUOC_UONG", "Nước uống", 12_000, FeeScheduleInput.septemberToMay, .month, false, nil),
                ("BHYT", "Bảo hiểm y tế học sinh", 1_263_600, [period.month], .month, false, 3_000),
                ("CLB_TIENGANH", "Câu lạc bộ tiếng Anh", 150_000, FeeScheduleInput.septemberToMay, .month, true, nil),
                ("CLB_THETHAO", "Câu lạc bộ thể thao", 120_000, FeeScheduleInput.septemberToMay, .month, true, nil),
            ]
            var clubs: [Int64] = []
            for (code, name, amount, months, unit, optIn, stateShare) in fees {
                let fee = try FeeTypes.add(schoolID: school.id, code: code, name: name, kind: .agreedCollection, requiresEnrolment: optIn, on: connection)
                if optIn { clubs.append(fee.id) }
                try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
                    feeTypeID: fee.id, schoolYear: period.schoolYear, scope: .school, monthlyAmount: Money(dong: amount),
                    billableMonths: months, dueDay: 10, rateUnit: unit, stateShareBasisPoints: stateShare), on: connection)
            }
            let rows = BenchRoster.rows(count: students, seed: UInt64(run) &+ UInt64(index))
            _ = try RosterImport.run(schoolID: school.id, file: Array(BenchRoster.csv(rows).utf8), dryRun: false, importedBy: "bench", on: connection)
            // Every pupil in both clubs, one in twenty leaving on the 15th of the measured month (through Billing's owner of enrolments).
            let leaving = try CalendarDate(year: period.year, month: period.month, day: 15)
            for student in try Students.list(schoolID: school.id, on: connection) {
                for club in clubs {
                    try Enrolments.enrol(schoolID: school.id, Enrolment(studentID: student.id, feeTypeID: club, from: previous.firstDay,
                                                                        through: student.id % 20 == 0 ? leaving : nil),
                                         recordedBy: "bench", on: connection)
                }
            }
            return school.id
        }
        _ = try InvoiceIssuer.issue(schoolID: schoolID, period: previous, issuedBy: "bench", pool: pool)
        try pool.transaction(isolation: .readCommitted) { connection in
            // Zero to five absent days per pupil, through Billing's owner of absences (an attendance file).
            var file = "student_code,month,absent_days\n"
            for student in try Students.list(schoolID: schoolID, on: connection) {
                file += "\(student.details.code),\(previous),\(Int.random(in: 0...5))\n"
            }
            _ = try AttendanceImport.run(schoolID: schoolID, file: Array(file.utf8), importedBy: "bench", on: connection)
        }
        return schoolID
    }
}
