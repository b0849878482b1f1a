@testable import API
@testable import Billing
import Core
import Foundation
import Testing
import TestSupport

/// The CSV uploads the document states by a pattern: the door check (`CSVShape.mismatches`) takes exactly the files
/// the stated pattern matches, and what the importer still refuses of such a file is named exactly, 422 for the file's
/// content and 409 for the school's state.
@Suite struct CSVUploadContractTests {
    /// Lines near the shape's edges: good rows and ones off by one character or one rule.
    static let attendanceLines = [
        "student_code,month,absent_days", "HS001,2026-09,0", "HS001,2026-09,23", "a.b_c/d-e,1900-01,9", "HS001,2999-12,19",
        String(repeating: "A", count: 32) + ",2026-09,1", String(repeating: "A", count: 33) + ",2026-09,1",
        "HS001,2026-09,24", "HS001,2026-09,01", "HS001,2026-09,-1", "HS001,2026-13,1", "HS001,3000-01,1", "HS001,2026-9,1",
        " HS001,2026-09,1", "HS001 ,2026-09,1", ".HS001,2026-09,1", "HS001,2026-09", "HS001,2026-09,1,", "\"HS001\",2026-09,1",
        "HS001;2026-09;1", "Student_code,month,absent_days", "student_code,month,absent_days,", "HŠ001,2026-09,1", "", "\r",
    ]

    static let enrolmentLines = [
        "student_code,fee,from", "HS001,CLB,2026-09-01", "HS001,CLB_TIENG-ANH,2028-02-29", "a.b,0,1900-01-31", "HS001,CLB,2999-12-31",
        "HS001,CLB,2027-02-29", "HS001,CLB,2100-02-29", "HS001,CLB,2026-04-31", "HS001,CLB,2026-09-1", "HS001,clb,2026-09-01",
        "HS001,_CLB,2026-09-01", "HS001," + String(repeating: "C", count: 17) + ",2026-09-01", "HS001,CLB,2026-09-01,",
        "HS001,CLB,2026-09-01,2026-10-01", "HS001,CLB", ",CLB,2026-09-01", "student_code,fee,from,through", "HS001,CLB,01/09/2026", "",
    ]

    /// Files made of `lines` (the header first, most of the time) joined by every kind of line end, a CR alone included.
    static func expectDoorIsPattern(_ shape: CSVShape, lines: [String], seed: UInt64) throws {
        let whole = try Regex(shape.pattern).matchingSemantics(.unicodeScalar)
        var random = SplitMix64(seed: seed)
        let ends = ["\n", "\r\n", "\r", ""]
        for _ in 0..<3_000 {
            var text = random.below(4) == 0 ? "" : lines[0]
            for _ in 0..<random.below(5) {
                text += ends[random.below(ends.count - 1)] + lines[random.below(lines.count)]
            }
            text += ends[random.below(ends.count)]
            let door = Self.firstLine(shape, Array(text.utf8)) == nil
            #expect(door == (text.wholeMatch(of: whole) != nil), "\(text.debugDescription)")
        }
    }

    @Test func theDoorTakesExactlyWhatThePatternStates() throws {
        let shape = AttendanceImport.apiFile
        try Self.expectDoorIsPattern(shape, lines: Self.attendanceLines, seed: 14)
        try Self.expectDoorIsPattern(EnrolmentImport.apiFile, lines: Self.enrolmentLines, seed: 15)
        #expect(Self.firstLine(shape, Array("student_code,month,absent_days\r\nHS1,2026-09,2\r\n".utf8)) == nil)
        #expect(Self.firstLine(shape, Array("student_code,month,absent_days\nHS1,2026-09,2\n\nHS2,2026-09,2".utf8)) == 3)
        #expect(Self.firstLine(shape, [0xEF, 0xBB, 0xBF] + Array("student_code,month,absent_days".utf8)) == 1, "no BOM")
        #expect(Self.firstLine(shape, Array("student_code,month,absent_days\nHS1,2026-09,2".utf8) + [0xFF]) == 2, "not UTF-8")
        // The row cap the pattern states: one row more is refused at the line past it.
        let full = shape.header + String(repeating: "\nHS1,2026-09,2", count: CSVShape.patternRowsMax)
        #expect(Self.firstLine(shape, Array(full.utf8)) == nil && shape.pattern.contains("{0,\(CSVShape.patternRowsMax)}"))
        #expect(Self.firstLine(shape, Array((full + "\nHS1,2026-09,2").utf8)) == CSVShape.patternRowsMax + 2)
    }

    @Test func theFullDatePatternIsWhatCalendarDateReads() throws {
        let regex = try Regex(CalendarDate.fullISOPattern)
        var day = try CalendarDate(iso: "1900-01-01")
        let last = try CalendarDate(iso: "2999-12-31")
        while day <= last {
            #expect(day.iso.wholeMatch(of: regex) != nil, "\(day.iso)")
            day = day.adding(days: 1)
        }
        var samples = ["", "1899-12-31", "3000-01-01", "2026-9-01", "2026-09-1", "2026-09-01 ", "2026/09/01", "20260-09-01"]
        for year in [1900, 1904, 2000, 2024, 2026, 2100, 2400, 2999] {
            for month in 0...13 {
                for dayOfMonth in [0, 28, 29, 30, 31, 32] { samples.append(String(year) + "-" + Self.pad(month) + "-" + Self.pad(dayOfMonth)) }
            }
        }
        for text in samples {
            #expect(((try? CalendarDate(iso: text)) != nil) == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    @Test func theDayCountPatternIsTheSchoolDaysRange() throws {
        let regex = try Regex(SchoolCalendar.dayCountPattern)
        for text in (-2...40).map(String.init) + ["", "00", "01", "023", "+1", " 1", "1 ", "٣"] {
            let inRange = Int(text).map { (0...SchoolCalendar.schoolDaysMax).contains($0) && String($0) == text } ?? false
            #expect(inRange == (text.wholeMatch(of: regex) != nil), "'\(text)'")
        }
    }

    @Test func anAttendanceFileIsRefusedForItsContentOrForTheSchoolsState() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        try api.expect(api.post("/school-calendar", #"{"month":"2026-09","school_days":22}"#), 200)
        let header = "student_code,month,absent_days\n"

        // Outside the pattern: refused at the door, naming the line.
        try Self.expectRefusedAtTheDoor(api, "/attendance/import", [
            ("HS001,2026-09,2\n", ["1:header"]), (header + "HS001,2026-09,24\nHS002,2026-9,x\n", ["2:absent_days", "3:month", "3:absent_days"]),
            (header + "HS001,2026-09,2\n\n", ["3:row"]), ("Mã học sinh,Tháng,Số ngày nghỉ\nHS001,2026-09,2\n", ["1:header"])])
        // Within the pattern, the school's records refuse: 409, every row named.
        let state = try api.postCSV("/attendance/import", header + "HS001,2026-09,23\nNOBODY,2026-09,1\nHS002,2026-10,1\n")
        #expect(state.status == 409 && state.json["code"] as? String == "rows_conflict", "\(state.text)")
        #expect(Self.named(state) == ["2:absent_days", "3:student_code", "4:month"], "\(state.text)")
        // A pupil named twice for a month is the file's own contradiction, which the pattern cannot state: 422, with the rest.
        let twice = try api.postCSV("/attendance/import", header + "HS001,2026-09,2\nNOBODY,2026-09,1\nHS001,2026-09,3\n")
        #expect(twice.status == 422 && twice.json["code"] as? String == "rows_invalid", "\(twice.text)")
        #expect(Self.named(twice) == ["3:student_code", "4:student_code"], "\(twice.text)")

        let good = try api.postCSV("/attendance/import", header.replacingOccurrences(of: "\n", with: "\r\n") + "HS001,2026-09,2\r\nHS002,2026-09,0")
        #expect(good.status == 200 && good.json["rows"] as? Int == 2, "\(good.text)")
    }

    @Test func anEnrolmentFileIsRefusedForItsContentOrForTheSchoolsState() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        try api.expect(api.post("/fee-types", #"{"code":"CLB","name":"Câu lạc bộ","kind":"agreed_collection","opt_in":true}"#), 201)
        try api.expect(api.post("/fee-types", #"{"code":"AN","name":"Tiền ăn","kind":"agreed_collection"}"#), 201)
        let header = "student_code,fee,from\n"

        // An end, a day the month has not, a people's header: outside the pattern, refused at the door naming the line.
        try Self.expectRefusedAtTheDoor(api, "/enrolments/import", [
            ("student_code,fee,from,through\nHS001,CLB,2026-09-01,2026-10-01\n", ["1:header", "2:row"]),
            (header + "HS001,CLB,2026-02-29\n", ["2:from"]), ("Mã học sinh,Khoản thu,Từ ngày\nHS001,CLB,2026-09-01\n", ["1:header"])])
        // Within the pattern, the school's records refuse: 409, every row named; nothing is recorded.
        let state = try api.postCSV("/enrolments/import", header + "NOBODY,CLB,2026-09-01\nHS001,NOPE,2026-09-01\nHS001,AN,2026-09-01\n")
        #expect(state.status == 409 && state.json["code"] as? String == "rows_conflict", "\(state.text)")
        #expect(Self.named(state) == ["2:student_code", "3:fee", "4:fee"], "\(state.text)")
        // The second row overlaps the enrolment the first one records: the enrolments on record refuse it.
        let overlap = try api.postCSV("/enrolments/import", header + "HS001,CLB,2026-09-01\nHS001,CLB,2026-10-01\n")
        #expect(overlap.status == 409 && Self.named(overlap) == ["3:from"], "\(overlap.text)")

        let good = try api.postCSV("/enrolments/import", header + "HS001,CLB,2026-09-01\r\nHS002,CLB,2028-02-29")
        #expect(good.status == 200 && good.json["rows"] as? Int == 2, "\(good.text)")
    }

    static func firstLine(_ shape: CSVShape, _ file: [UInt8]) -> Int? { shape.mismatches(file, reportedMax: 1).first?.line }

    /// Each file posted to `path` is refused at the door, 422 `file_invalid`, naming exactly these `line:field`s.
    static func expectRefusedAtTheDoor(_ api: BillingAPIClient, _ path: String, _ cases: [(file: String, named: [String])]) throws {
        for (file, named) in cases {
            let refused = try api.postCSV(path, file)
            #expect(refused.status == 422 && refused.json["code"] as? String == "file_invalid" && Self.named(refused) == named,
                    "\(file.debugDescription): \(refused.text)")
        }
    }

    static func named(_ response: TestHTTPClient.Response) -> [String] {
        (response.json["problems"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" }
    }
}
