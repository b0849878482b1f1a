import SchoolFixtures
import Billing
import Core
import Ledger
import Postgres
import Testing

@Suite struct RosterImportTests {
    static let goodFile = """
        Mã học sinh,Họ và tên,Ngày sinh,Lớp,Khối,Họ tên phụ huynh,Số điện thoại,Mã gia đình,Tài khoản định danh,Đối tượng,Ghi chú
        HS001,Nguyễn Văn An,02/03/2014,6A1,6,Nguyễn Văn Bình,0912 345 678,GD01,V2MSHS001,,
        HS002,"Nguyễn Thị Bích",2012-11-20,8A2,8,Nguyễn Văn Bình,0912345678,GD01,,poor_household,"chị, cùng nhà"
        HS003,Lê  Minh   Châu,5/9/2013,7A1,7,Lê Văn Dũng,+84987654321,,,,

        """

    func run(_ fixture: BillingFixture, _ text: String, bom: Bool = false, dryRun: Bool = false) throws -> RosterImportReport {
        let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
        return try fixture.transaction { connection in
            try RosterImport.run(schoolID: fixture.school.id, file: bytes, dryRun: dryRun, importedBy: "test", on: connection)
        }
    }

    func students(_ fixture: BillingFixture) throws -> [Student] {
        try fixture.pool.withConnection { try Students.list(schoolID: fixture.school.id, on: $0) }
    }

    @Test func importsAGoodFileWithVietnameseHeadersAndBOM() throws {
        let fixture = try BillingFixture()
        let report = try run(fixture, Self.goodFile, bom: true)
        #expect(report.created.map(\.studentCode) == ["HS001", "HS002", "HS003"])
        #expect(report.created.map(\.line) == [2, 3, 4])
        #expect(report.ignoredColumns == ["Ghi chú"])
        let byCode = Dictionary(uniqueKeysWithValues: try students(fixture).map { ($0.code, $0) })
        let an = try #require(byCode["HS001"])
        #expect(an.fullName == "Nguyễn Văn An" && an.normalizedName == "NGUYEN VAN AN")
        #expect(an.details.dateOfBirth == (try CalendarDate(iso: "2014-03-02")))
        #expect(an.details.guardianPhone == "0912345678" && an.virtualAccount == "V2MSHS001")
        #expect(PaymentCode.isValid(an.paymentCode, prefix: "HP") == .student)
        #expect(byCode["HS002"]?.category == "poor_household")
        #expect(byCode["HS002"]?.familyID == an.familyID && an.familyID != nil)
        #expect(byCode["HS003"]?.fullName == "Lê Minh Châu" && byCode["HS003"]?.familyID == nil)
        #expect(Set(byCode.values.map(\.paymentCode)).count == 3)
    }

    @Test func badRowsAreReportedByLineAndFieldAndNothingIsImported() throws {
        let fixture = try BillingFixture()
        let bad = """
            student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key
            HS001,Nguyễn Văn An,02/03/2014,6A1,6,,,
            HS002,,31/02/2013,6A1,6,,12,
            HS003,Trần Văn Cường,02/03/2014,6A1,3,,,
            HS001,Phạm Thị Dung,02/03/2014,6A1,six,,,
            """
        do {
            _ = try run(fixture, bad)
            Issue.record("a roster with bad rows was imported")
        } catch let error as RosterImportError {
            guard case .invalidRows(let problems, let total) = error else { Issue.record("unexpected \(error)"); return }
            let found = Set(problems.map { "\($0.line):\($0.field)" })
            #expect(found == ["3:full_name", "3:date_of_birth", "3:guardian_phone", "4:grade", "5:grade"])
            #expect(total == 5)
            #expect(error.description.contains("line 3, date_of_birth"))
        }
        #expect(try students(fixture).isEmpty)
        // A duplicated code is reported at its second line (the row is otherwise fine).
        let duplicate = "student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key\n"
            + "A1,An,01/01/2014,6A1,6,,,\nA1,Bình,01/01/2014,6A1,6,,,\n"
        #expect(throws: RosterImportError.invalidRows([RosterRowProblem(line: 3, field: "student_code", problem: "student code A1 is already on line 2")], total: 1)) {
            try run(fixture, duplicate)
        }
    }

    /// Well-formed rows the school refuses (a grade of another level, a virtual account another student keeps) are
    /// `conflictingRows` (409 at the API), each named; nothing is written.
    @Test func rowsTheSchoolRefusesAreConflicts() throws {
        let fixture = try BillingFixture()
        let header = "student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key,virtual_account\n"
        _ = try run(fixture, header + "A0,Ân,01/01/2014,6A1,6,,,,VA1\n")
        let file = header + "A1,An,01/01/2014,6A1,3,,,,\nA2,Bình,01/01/2014,6A1,6,,,,VA1\n"
        #expect(throws: RosterImportError.conflictingRows([
            RosterRowProblem(line: 2, field: "grade", problem: "3 is not a grade of a \(fixture.school.level.rawValue) school (6–9)"),
            RosterRowProblem(line: 3, field: "virtual_account", problem: "virtual account VA1 belongs to student A0, who is not in this file"),
        ], total: 2)) { try run(fixture, file) }
        #expect(try students(fixture).map(\.code) == ["A0"])
    }

    @Test func fileLevelProblemsNameWhatIsWrong() throws {
        let fixture = try BillingFixture()
        #expect(throws: RosterImportError.missingColumns(["date_of_birth", "guardian_name", "guardian_phone", "family_key"])) {
            try run(fixture, "code,name,class,grade\nA1,An,6A1,6\n")
        }
        #expect(throws: RosterImportError.utf16) {
            try fixture.transaction { try RosterImport.run(schoolID: fixture.school.id, file: [0xFF, 0xFE, 0x41, 0x00], dryRun: false, importedBy: "t", on: $0) }
        }
        #expect(throws: RosterImportError.notUTF8(line: 2)) {
            try fixture.transaction { try RosterImport.run(schoolID: fixture.school.id, file: Array("a,b\n".utf8) + [0xC3, 0x28], dryRun: false, importedBy: "t", on: $0) }
        }
        #expect(throws: RosterImportError.malformedCSV(line: 2, problem: "a quoted field is never closed before the end of the file")) { try run(fixture, "code,name\n\"unterminated,x\n") }
    }

    @Test func reimportingTheSameFileChangesNothingAndAChangedRowIsReported() throws {
        let fixture = try BillingFixture()
        _ = try run(fixture, Self.goodFile)
        let before = try students(fixture)
        let again = try run(fixture, Self.goodFile, bom: true)
        #expect(again.created.isEmpty && again.updated.isEmpty && again.unchanged == 3)
        #expect(try students(fixture) == before)
        let changed = Self.goodFile.replacingOccurrences(of: "HS003,Lê  Minh   Châu,5/9/2013,7A1,7", with: "HS003,Lê Minh Châu,5/9/2013,7A2,7")
            + "HS004,Võ Thị Em,01/01/2014,6A1,6,,,,,\n"
        let dry = try run(fixture, changed, dryRun: true)
        #expect(dry.created.count == 1 && dry.updated.count == 1 && dry.unchanged == 2)
        #expect(try students(fixture) == before)
        let report = try run(fixture, changed)
        #expect(report.summary == "1 new, 1 updated, 2 unchanged")
        #expect(report.updated.first?.changes == [StudentFieldChange(field: "class", oldValue: "7A1", newValue: "7A2")])
        let chau = try #require(try students(fixture).first { $0.code == "HS003" })
        #expect(chau.className == "7A2")
        let history = try fixture.pool.withConnection { try Students.history(schoolID: fixture.school.id, studentID: chau.id, on: $0) }
        #expect(history.map(\.change.field) == ["class"])
        // Payment codes never change on update.
        #expect(chau.paymentCode == before.first { $0.code == "HS003" }?.paymentCode)
    }

    @Test func virtualAccountsStayUniqueAcrossTheFileAndTheSchool() throws {
        let fixture = try BillingFixture()
        _ = try run(fixture, Self.goodFile)
        let header = "student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key,virtual_account\n"
        // HS009 claims HS001's account while HS001 is not in the file.
        do {
            _ = try run(fixture, header + "HS009,Đỗ Văn Giang,01/01/2014,6A1,6,,,,V2MSHS001\n")
            Issue.record("a virtual account was given to two students")
        } catch let error as RosterImportError {
            #expect(error.description.contains("line 2, virtual_account: virtual account V2MSHS001 belongs to student HS001"))
        }
        // Moving it in the same file is fine.
        let moved = try run(fixture, header + "HS001,Nguyễn Văn An,02/03/2014,6A1,6,Nguyễn Văn Bình,0912345678,GD01,\n"
                            + "HS009,Đỗ Văn Giang,01/01/2014,6A1,6,,,,V2MSHS001\n")
        #expect(moved.created.count == 1 && moved.updated.count == 1)
        let holder = try fixture.pool.withConnection { try Students.find(schoolID: fixture.school.id, virtualAccount: "V2MSHS001", on: $0) }
        #expect(holder?.code == "HS009")
    }

    @Test func studentsAreUpdatedAndWithdrawnWithHistoryAndInvoicesKeepTheirSnapshot() throws {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 250_000)
        let student = try fixture.addStudent("HS100", name: "Phan Văn Hải")
        _ = try fixture.issue()
        var details = student.details
        details.code = "HS100-NEW"
        details.fullName = "Phan Văn Hải Long"
        try fixture.transaction { try Students.update(schoolID: fixture.school.id, studentID: student.id, details, changedBy: "kế toán", on: $0) }
        let invoice = try #require(try fixture.invoices().first)
        #expect(invoice.studentCode == "HS100" && invoice.studentName == "Phan Văn Hải")
        try fixture.transaction { try Students.withdraw(schoolID: fixture.school.id, studentID: student.id, on: try CalendarDate(iso: "2026-09-30"), changedBy: "kế toán", on: $0) }
        #expect(try fixture.issue(BillingFixture.october).issued == 0)
        let history = try fixture.pool.withConnection { try Students.history(schoolID: fixture.school.id, studentID: student.id, on: $0) }
        #expect(history.map(\.change.field) == ["code", "full_name", "status"])
        #expect(history.last?.change.newValue == "withdrawn 2026-09-30")
        #expect(throws: BillingError.invalidField(field: "status", problem: "student \(details.code) is already withdrawn")) {
            try fixture.transaction { try Students.withdraw(schoolID: fixture.school.id, studentID: student.id, on: try CalendarDate(iso: "2026-10-01"), changedBy: "x", on: $0) }
        }
    }

    @Test func semicolonsQuotesAndLineBreaksInsideFieldsAreRead() throws {
        let fixture = try BillingFixture()
        let file = "MaHS;Họ tên;Ngày sinh;Lớp;Khối;Phụ huynh;SĐT;Gia đình\r\n"
            + "A1;\"Ngô \"\"Bé\"\" Na\";01-02-2014;6A1;6;\"Ngô Văn\r\nCường\";;\r\n"
            + "\r\n"
            + "A2;Hồ Thị Yến;2014-02-01;6A1;6;;;\r\n"
        let report = try run(fixture, file, bom: true)
        #expect(report.created.map(\.line) == [2, 5])
        let byCode = Dictionary(uniqueKeysWithValues: try students(fixture).map { ($0.code, $0) })
        #expect(byCode["A1"]?.fullName == "Ngô \"Bé\" Na")
        // A line break inside a quoted field is white space in a name: collapsed to one space.
        #expect(byCode["A1"]?.details.guardianName == "Ngô Văn Cường")
        #expect(byCode["A1"]?.details.dateOfBirth == (try CalendarDate(iso: "2014-02-01")))
    }

    @Test func limitsAreEnforced() throws {
        let fixture = try BillingFixture()
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: RosterImport.fileBytesMax + 1)
        #expect(throws: RosterImportError.fileTooLarge(bytes: RosterImport.fileBytesMax + 1, max: RosterImport.fileBytesMax)) {
            try fixture.transaction { try RosterImport.run(schoolID: fixture.school.id, file: huge, dryRun: false, importedBy: "t", on: $0) }
        }
        let longField = "student_code,full_name\n" + String(repeating: "x", count: RosterImport.fieldBytesMax + 1) + ",a\n"
        #expect(throws: RosterImportError.malformedCSV(line: 2, problem: "a field is longer than \(RosterImport.fieldBytesMax) bytes")) {
            try run(fixture, longField)
        }
        #expect(throws: RosterImportError.malformedCSV(line: 2, problem: "a quote inside an unquoted field (quote the whole field and double the quote)")) {
            try run(fixture, "student_code,full_name\nab\"c,d\n")
        }
    }
}
