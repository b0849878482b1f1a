import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// A public primary school in a rural commune running 2026–27 from the province catalogue: meals by the day,
/// absences imported and credited on the next invoice.
@Suite struct PerDayFeeTests {
    static let october = BillingFixture.october

    static func school() throws -> BillingFixture {
        let fixture = try BillingFixture(level: .primary, ownership: .public, areaClass: .rural)
        try fixture.transaction { connection in
            try FeeCatalogues.install(try CatalogueFiles.thaiNguyen(), installedBy: "test", on: connection)
            for (month, days) in [(BillingFixture.september, 22), (october, 20), (BillingFixture.november, 21)] {
                try SchoolCalendar.set(schoolID: fixture.school.id, SchoolMonth(period: month, schoolDays: days), updatedBy: "test", on: connection)
            }
        }
        return fixture
    }

    static func mealsPerDay(_ fixture: BillingFixture, rate: Int64) throws {
        try fixture.transaction { connection in
            let fee = try FeeTypes.add(schoolID: fixture.school.id, code: "AN_BANTRU", name: "Tiền ăn bán trú", kind: .agreedCollection, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: fee.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: rate),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10, rateUnit: .day), on: connection)
        }
    }

    static func importAttendance(_ fixture: BillingFixture, _ csv: String) throws -> Int {
        try fixture.transaction { try AttendanceImport.run(schoolID: fixture.school.id, file: Array(csv.utf8), importedBy: "test", on: $0) }
    }

    static func line(_ fixture: BillingFixture, _ student: Student, _ period: CalendarMonth) throws -> InvoiceLine {
        let listed = try fixture.invoices(InvoiceFilter(period: period, studentID: student.id))
        let invoice = try #require(listed.first)
        let lines = try fixture.invoice(invoice.id).lines
        return try #require(lines.first)
    }

    @Test func octoberBillsTheDaysServedAndCreditsSeptembersAbsences() throws {
        let fixture = try Self.school()
        try Self.mealsPerDay(fixture, rate: 25_000)
        let an = try fixture.addStudent("HS01", grade: 3, className: "3A")
        let binh = try fixture.addStudent("HS02", name: "Lê Thị Bình", grade: 3, className: "3A")
        _ = try fixture.issue(BillingFixture.september)
        #expect(try Self.line(fixture, an, BillingFixture.september).gross == Money(dong: 22 * 25_000))

        #expect(try Self.importAttendance(fixture, "Mã học sinh,Tháng,Số ngày nghỉ\nHS01,09/2026,3\nHS02,2026-09,0\n") == 2)
        _ = try fixture.issue(Self.october)
        let october = try Self.line(fixture, an, Self.october)
        #expect(october.days == DayCount(billed: 17, rate: Money(dong: 25_000), credited: 3))
        #expect(october.gross == Money(dong: 17 * 25_000))
        #expect(october.itemText == "Tiền ăn bán trú: 17 ngày × 25.000 đ (trừ 3 ngày vắng)")
        #expect(try Self.line(fixture, binh, Self.october).days?.billed == 20)
        // Credited once: November bills its own 21 days.
        _ = try fixture.issue(BillingFixture.november)
        #expect(try Self.line(fixture, an, BillingFixture.november).days == DayCount(billed: 21, rate: Money(dong: 25_000), credited: 0))
        #expect(try fixture.verify().isClean)
    }

    @Test func absencesBeyondAMonthCarryToTheNextInvoice() {
        // 25 absent days against a 20-day month: 19 credited, one day billed, 6 left for the next invoice.
        #expect(PerDayCredit.credit(outstanding: 25, planned: 20) == 19)
        #expect(PerDayCredit.credit(outstanding: 6, planned: 21) == 6)
        #expect(PerDayCredit.credit(outstanding: 0, planned: 21) == 0)
    }

    @Test func aDayRateAboveTheCatalogueCapIsRefused() throws {
        let fixture = try Self.school()
        // The rural primary cap for meals is 25,000 đ a day.
        let refusal = #expect(throws: BillingError.self) { try Self.mealsPerDay(fixture, rate: 25_001) }
        #expect(refusal?.code == "above_catalogue_cap")
        #expect(refusal?.description.contains("25.000 đ") == true && refusal?.description.contains("per day") == true)
    }

    @Test func aBadAttendanceFileListsEveryProblemAndChangesNothing() throws {
        let fixture = try Self.school()
        try Self.mealsPerDay(fixture, rate: 20_000)
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        let csv = "student_code,month,absent_days\nHS01,2026-09,2\nHS99,2026-09,1\nHS01,2026-13,x\nHS01,2026-09,1\nHS01,2026-10,30\nHS01,2027-06,1\n"
        do {
            _ = try Self.importAttendance(fixture, csv)
            Issue.record("a bad attendance file was imported")
        } catch let error as RowImportError {
            guard case .invalidRows(let problems, _) = error else { Issue.record("\(error)"); return }
            let found = Set(problems.map { "\($0.line) \($0.field)" })
            #expect(found == ["3 student_code", "4 month", "4 absent_days", "5 student_code", "6 absent_days", "7 month"], "\(error)")
        }
        let rows = try fixture.transaction { try $0.query("SELECT count(*) FROM student_absences").singleRow()!.decode(column: 0, as: Int.self) }
        #expect(rows == 0)
    }

    /// A well-formed file the school's records refuse (no such pupil, no calendar for the month, more days than it has)
    /// is `conflictingRows` (409 at the API), each row named, and nothing is written.
    @Test func attendanceRowsTheSchoolRefusesAreConflicts() throws {
        let fixture = try Self.school()
        try Self.mealsPerDay(fixture, rate: 20_000)
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        let csv = "student_code,month,absent_days\nHS99,2026-09,1\nHS01,2027-06,1\nHS01,2026-10,23\n"
        #expect(throws: RowImportError.conflictingRows([
            RosterRowProblem(line: 2, field: "student_code", problem: "no student 'HS99' in this school"),
            RosterRowProblem(line: 3, field: "month", problem: "the school calendar has no school days for 2027-06 (tuition calendar set)"),
            RosterRowProblem(line: 4, field: "absent_days", problem: "23 must be 0 to the 20 school days of 2026-10"),
        ], total: 3)) { try Self.importAttendance(fixture, csv) }
        let rows = try fixture.transaction { try $0.query("SELECT count(*) FROM student_absences").singleRow()!.decode(column: 0, as: Int.self) }
        #expect(rows == 0)
    }

    @Test func issuingAPerDayMonthWithoutCalendarIsRefused() throws {
        let fixture = try BillingFixture(level: .primary, ownership: .nonPublic)
        try Self.mealsPerDay(fixture, rate: 20_000)
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        let refusal = #expect(throws: BillingError.self) { try fixture.issue(BillingFixture.september) }
        #expect(refusal?.description.contains("calendar") == true)
    }
}
