import Billing
import Core
import Ledger
import Postgres
import SchoolFixtures
import Testing

/// The province's school list: communes and authorities for schools already recorded, new schools for the
/// rest, all or nothing with problems named by line and field.
@Suite struct SchoolListImportTests {
    // TRUONG-1 of the fixture is a lower-secondary school recorded with only its former district.
    static let goodFile = """
        Mã trường,Tên trường,Cấp học,Loại hình,Mã xã,Xã/phường,Cơ quan quản lý,Huyện cũ
        TRUONG-1,Trường Thử Nghiệm,THCS,Công lập,05500,Phường Phan Đình Phùng,UBND phường Phan Đình Phùng,Quận 1
        19000201,Trường THPT Tích Lương,THPT,Công lập,05600,Phường Tích Lương,Sở GD&ĐT,
        19000202,Trường Mầm non Hoa Sen,Mầm non,Tư thục,05600,Phường Tích Lương,UBND phường Tích Lương,

        """

    func run(_ fixture: BillingFixture, _ text: String, dryRun: Bool = false) throws -> SchoolListImportReport {
        try fixture.transaction { try SchoolListImport.run(file: [0xEF, 0xBB, 0xBF] + Array(text.utf8), dryRun: dryRun, on: $0) }
    }

    func schools(_ fixture: BillingFixture) throws -> [School] {
        try fixture.pool.withConnection { try Schools.list(on: $0) }
    }

    @Test func givesRecordedSchoolsTheirCommuneAndCreatesTheOthers() throws {
        let fixture = try BillingFixture()
        #expect(fixture.school.authority.kind == .formerDistrict && fixture.school.commune == nil)
        let dry = try run(fixture, Self.goodFile, dryRun: true)
        #expect(dry.updated == ["TRUONG-1"] && dry.created == ["19000201", "19000202"] && dry.dryRun)
        #expect(try schools(fixture).count == 1)
        let report = try run(fixture, Self.goodFile)
        #expect(report.summary == "2 new, 1 updated, 0 unchanged")
        let byCode = Dictionary(uniqueKeysWithValues: try schools(fixture).map { ($0.code, $0) })
        let moved = try #require(byCode["TRUONG-1"])
        #expect(moved.id == fixture.school.id && moved.officialCode == "TRUONG-1" && moved.district == "Quận 1")
        #expect(moved.commune == Commune(code: "05500", name: "Phường Phan Đình Phùng"))
        #expect(moved.authority == Authority(code: "UBND-05500", kind: .commune, name: "UBND Phường Phan Đình Phùng"))
        let upper = try #require(byCode["19000201"])
        #expect(upper.authority == .department && upper.level == .upperSecondary && upper.officialCode == "19000201")
        let preschool = try #require(byCode["19000202"])
        #expect(preschool.ownership == .nonPublic && preschool.authority.code == "UBND-05600" && preschool.district == "")
        // The same list again changes nothing.
        #expect(try run(fixture, Self.goodFile).summary == "0 new, 0 updated, 3 unchanged")
    }

    @Test func badRowsAreNamedByLineAndFieldAndNothingIsWritten() throws {
        let fixture = try BillingFixture()
        let file = """
            official_code,name,level,ownership,commune_code,commune,authority
            19000301,Trường A,primary,public,05500,Phường Phan Đình Phùng,commune
            19000302,Trường B,THPT,public,05500,Phường Phan Đình Phùng,UBND phường Phan Đình Phùng
            19000303,Trường C,đại học,public,5500,,department
            19000301,Trường D,primary,public,05500,Phường Phan Đình Phùng,UBND phường Phan Đình Phùng
            19000305,Trường E,primary,cổ phần,05500,Phường Phan Đình Phùng,Bộ GD&ĐT
            """
        do {
            _ = try run(fixture, file)
            Issue.record("a bad list was imported")
        } catch let error as SchoolListImportError {
            guard case .invalidRows(let problems, let total) = error else { Issue.record("\(error)"); return }
            let found = problems.map { "\($0.line) \($0.field)" }
            #expect(found == ["3 authority", "4 level", "4 commune_code", "5 official_code", "6 ownership", "6 authority"], "\(found)")
            #expect(total == problems.count)
            #expect(error.description.contains("line 3, authority: the department manages THPT schools"))
            #expect(error.description.contains("line 5, official_code: 19000301 is also on line 2"))
        }
        #expect(try schools(fixture).map(\.code) == ["TRUONG-1"])
        // The recorded school is lower secondary: the list may not call it upper secondary (and move it to the department).
        let relevelled = "official_code,name,level,ownership,commune_code,commune,authority\n"
            + "TRUONG-1,Trường Thử Nghiệm,THPT,public,05500,Phường Phan Đình Phùng,department\n"
        #expect(throws: SchoolListImportError.invalidRows([SchoolListProblem(line: 2, field: "level",
                                                                             problem: "school TRUONG-1 is recorded as THCS, not THPT")], total: 1)) {
            try run(fixture, relevelled)
        }
        #expect(try schools(fixture).first?.authority.kind == .formerDistrict)
        let missing = "Mã trường,Tên trường,Cấp học\n19000301,Trường A,primary\n"
        #expect(throws: SchoolListImportError.missingColumns(["ownership", "commune_code", "commune", "authority"])) { try run(fixture, missing) }
        #expect(throws: SchoolListImportError.self) { try fixture.transaction { try SchoolListImport.run(file: [0xFF, 0xFE, 0x41], dryRun: false, on: $0) } }
    }
}
