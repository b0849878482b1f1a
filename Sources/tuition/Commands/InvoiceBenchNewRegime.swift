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
            for (code, name, amount, months, unit, optIn, stateShare) in fees {
                let fee = try FeeTypes.add(schoolID: school.id, code: code, name: name, kind: .agreedCollection, requiresEnrolment: optIn, on: connection)
                try FeeSchedules.set(schoolID: school.id, FeeScheduleInput(
                    feeTypeID: fee.id, schoolYear: period.schoolYear, scope: .school, monthlyAmount: Money(dong: amount),
                    billableMonths: months, dueDay: 10, rateUnit: unit, stateShareBasisPoints: stateShare), on: connection)
            }
            let rows = BenchRoster.rows(count: students, seed: UInt64(run) &+ UInt64(index))
            _ = try RosterImport.run(schoolID: school.id, file: Array(BenchRoster.csv(rows).utf8), dryRun: false, importedBy: "bench", on: connection)
            // Seeding shortcut (bench only): every pupil in both clubs, one in twenty leaving on the 15th of the measured month.
            try connection.query("""
                INSERT INTO fee_enrolments (school_id, student_id, fee_type_id, enrolled_from, enrolled_through, recorded_by)
                SELECT s.school_id, s.student_id, f.fee_type_id, \(previous.firstDay),
                       CASE WHEN s.student_id % 20 = 0 THEN \(period.firstDay)::date + 14 END, 'bench'
                FROM students s JOIN fee_types f ON f.school_id = s.school_id AND f.requires_enrolment
                WHERE s.school_id = \(school.id)
                """)
            return school.id
        }
        _ = try InvoiceIssuer.issue(schoolID: schoolID, period: previous, issuedBy: "bench", pool: pool)
        try pool.transaction(isolation: .readCommitted) { connection in
            try connection.query("""
                INSERT INTO student_absences (school_id, student_id, period, absent_days, imported_by)
                SELECT school_id, student_id, \(previous.firstDay), floor(random() * 6)::smallint, 'bench'
                FROM students WHERE school_id = \(schoolID)
                """)
        }
        return schoolID
    }
}
