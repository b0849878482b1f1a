import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// Opt-in fees: billed only to enrolled pupils, pro rata for a month partly covered.
@Suite struct EnrolmentTests {
    static func clubSchool() throws -> (BillingFixture, FeeType) {
        let fixture = try BillingFixture(level: .primary, ownership: .public, areaClass: .urban)
        let club = try fixture.transaction { connection -> FeeType in
            try FeeCatalogues.install(try CatalogueFiles.thaiNguyen(), installedBy: "test", on: connection)
            let club = try FeeTypes.add(schoolID: fixture.school.id, code: "CLB_TIENGANH", name: "Câu lạc bộ tiếng Anh", kind: .agreedCollection,
                                        requiresEnrolment: true, on: connection)
            try FeeSchedules.set(schoolID: fixture.school.id, FeeScheduleInput(
                feeTypeID: club.id, schoolYear: 2026, scope: .school, monthlyAmount: Money(dong: 150_000),
                billableMonths: FeeScheduleInput.septemberToMay, dueDay: 10), on: connection)
            return club
        }
        return (fixture, club)
    }

    @Test func proRataIsByCalendarDaysRoundedHalfUp() {
        // 150,000 × 10 / 31 = 48,387.09… → 48,387; 100,001 × 15 / 30 = 50,000.5 → 50,001.
        #expect(EnrolmentProRata.amount(monthly: Money(dong: 150_000), daysCovered: 10, daysInMonth: 31) == Money(dong: 48_387))
        #expect(EnrolmentProRata.amount(monthly: Money(dong: 100_001), daysCovered: 15, daysInMonth: 30) == Money(dong: 50_001))
        #expect(EnrolmentProRata.amount(monthly: Money(dong: 150_000), daysCovered: 31, daysInMonth: 31) == Money(dong: 150_000))
        let enrolment = Enrolment(studentID: 1, feeTypeID: 1, from: try! CalendarDate(iso: "2026-09-15"), through: try! CalendarDate(iso: "2026-10-10"))
        #expect(enrolment.daysCovered(in: BillingFixture.september) == 16 && enrolment.daysCovered(in: BillingFixture.october) == 10)
        #expect(enrolment.daysCovered(in: BillingFixture.november) == 0)
    }

    @Test func onlyEnrolledPupilsAreBilledAndLeavingMidMonthIsProRata() throws {
        let (fixture, club) = try Self.clubSchool()
        let an = try fixture.addStudent("HS01", grade: 3, className: "3A")
        let binh = try fixture.addStudent("HS02", name: "Lê Thị Bình", grade: 3, className: "3A")
        let csv = "Mã học sinh,Khoản thu,Từ ngày,Đến ngày\nHS01,CLB_TIENGANH,01/09/2026,15/10/2026\n"
        #expect(try fixture.transaction { try EnrolmentImport.run(schoolID: fixture.school.id, file: Array(csv.utf8), recordedBy: "test", on: $0) } == 1)
        let september = try fixture.issue(BillingFixture.september)
        #expect(september.issued == 1 && september.withoutFees == 1)
        _ = try fixture.issue(BillingFixture.october)
        let october = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.october, studentID: an.id)).first)
        // 15 of October's 31 days: 150,000 × 15 / 31 = 72,580.6… → 72,581.
        #expect(october.total == Money(dong: 72_581))
        #expect(try fixture.invoices(InvoiceFilter(studentID: binh.id)).isEmpty)
        _ = try fixture.issue(BillingFixture.november)
        #expect(try fixture.invoices(InvoiceFilter(period: BillingFixture.november)).isEmpty)
        // An overlapping enrolment is refused.
        #expect(throws: BillingError.self) {
            try fixture.transaction { try Enrolments.enrol(schoolID: fixture.school.id, Enrolment(
                studentID: an.id, feeTypeID: club.id, from: try CalendarDate(iso: "2026-10-01"), through: nil), recordedBy: "test", on: $0) }
        }
        #expect(try fixture.verify().isClean)
    }

    @Test func aBadEnrolmentFileListsEveryProblemAndChangesNothing() throws {
        let (fixture, _) = try Self.clubSchool()
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        try fixture.addFee("NUOC_UONG", kind: .agreedCollection, amount: 15_000)
        let csv = "student_code,fee,from,through\nHS01,CLB_TIENGANH,2026-09-01,\nHS09,CLB_TIENGANH,2026-09-01,\nHS01,NUOC_UONG,2026-09-01,\nHS01,CLB_TIENGANH,2026-13-01,2026-09-01\n"
        do {
            _ = try fixture.transaction { try EnrolmentImport.run(schoolID: fixture.school.id, file: Array(csv.utf8), recordedBy: "test", on: $0) }
            Issue.record("a bad enrolment file was imported")
        } catch let error as RowImportError {
            guard case .invalidRows(let problems, _) = error else { Issue.record("\(error)"); return }
            #expect(Set(problems.map { "\($0.line) \($0.field)" }) == ["3 student_code", "4 fee", "5 from"], "\(error)")
        }
        let rows = try fixture.transaction { try $0.query("SELECT count(*) FROM fee_enrolments").singleRow()!.decode(column: 0, as: Int.self) }
        #expect(rows == 0)
    }

    /// A well-formed file the school's records refuse is `conflictingRows` (409 at the API), each row named; a file with
    /// no `through` column enrols open-ended.
    @Test func rowsTheSchoolRefusesAreConflictsAndTheEndColumnIsOptional() throws {
        let (fixture, _) = try Self.clubSchool()
        _ = try fixture.addStudent("HS01", grade: 3, className: "3A")
        try fixture.addFee("NUOC_UONG", kind: .agreedCollection, amount: 15_000)
        let csv = "student_code,fee,from\nHS09,CLB_TIENGANH,2026-09-01\nHS01,NUOC_UONG,2026-09-01\nHS01,NOPE,2026-09-01\n"
        #expect(throws: RowImportError.conflictingRows([
            RosterRowProblem(line: 2, field: "student_code", problem: "no student 'HS09' in this school"),
            RosterRowProblem(line: 3, field: "fee", problem: "NUOC_UONG is not an opt-in fee"),
            RosterRowProblem(line: 4, field: "fee", problem: "no fee type 'NOPE' in this school"),
        ], total: 3)) {
            try fixture.transaction { try EnrolmentImport.run(schoolID: fixture.school.id, file: Array(csv.utf8), recordedBy: "test", on: $0) }
        }
        let good = "student_code,fee,from\nHS01,CLB_TIENGANH,2026-09-01\n"
        #expect(try fixture.transaction { try EnrolmentImport.run(schoolID: fixture.school.id, file: Array(good.utf8), recordedBy: "test", on: $0) } == 1)
        let through = try fixture.transaction {
            try $0.query("SELECT enrolled_through FROM fee_enrolments").singleRow()!.decode(column: 0, as: CalendarDate?.self)
        }
        #expect(through == nil)
    }

    @Test func endingAnEnrolmentStopsItsBillingAfterTheLastDay() throws {
        let (fixture, club) = try Self.clubSchool()
        let an = try fixture.addStudent("HS01", grade: 3, className: "3A")
        let september = try CalendarDate(iso: "2026-09-01")
        try fixture.transaction { try Enrolments.enrol(schoolID: fixture.school.id, Enrolment(studentID: an.id, feeTypeID: club.id,
                                                                                              from: september, through: nil), recordedBy: "test", on: $0) }
        try fixture.transaction { try Enrolments.end(schoolID: fixture.school.id, studentID: an.id, feeTypeID: club.id, from: september,
                                                     through: try CalendarDate(iso: "2026-10-15"), on: $0) }
        let listed = try fixture.transaction { try Enrolments.list(schoolID: fixture.school.id, studentID: an.id, on: $0) }
        #expect(listed == [Enrolment(studentID: an.id, feeTypeID: club.id, from: september, through: try CalendarDate(iso: "2026-10-15"))])
        _ = try fixture.issue(BillingFixture.october)
        _ = try fixture.issue(BillingFixture.november)
        let october = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.october, studentID: an.id)).first)
        #expect(october.total == Money(dong: 72_581), "15 of 31 days")
        #expect(try fixture.invoices(InvoiceFilter(period: BillingFixture.november)).isEmpty, "nothing after the last day")
        // Ending again later, before the start, or an enrolment that does not exist is refused and changes nothing.
        for through in ["2026-12-31", "2026-08-31"] {
            #expect(throws: BillingError.self) {
                try fixture.transaction { try Enrolments.end(schoolID: fixture.school.id, studentID: an.id, feeTypeID: club.id, from: september,
                                                             through: try CalendarDate(iso: through), on: $0) }
            }
        }
        #expect(throws: BillingError.self) {
            try fixture.transaction { try Enrolments.end(schoolID: fixture.school.id, studentID: an.id, feeTypeID: club.id,
                                                         from: try CalendarDate(iso: "2026-09-02"), through: try CalendarDate(iso: "2026-09-30"), on: $0) }
        }
        #expect(try fixture.transaction { try Enrolments.list(schoolID: fixture.school.id, studentID: an.id, on: $0) } == listed)
        #expect(try fixture.verify().isClean)
    }
}
