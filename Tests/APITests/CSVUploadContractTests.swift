@testable import API
@testable import Billing
import Core
import Foundation
import Testing
import TestSupport

/// The CSV uploads the document states by a pattern: the door check (`CSVShape.firstMismatch`) takes exactly the files
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

    @Test func theDoorTakesExactlyWhatThePatternStates() throws {
        let shape = AttendanceImport.apiFile
        let whole = try Regex(shape.pattern).matchingSemantics(.unicodeScalar)
        var random = SplitMix64(seed: 14)
        let ends = ["\n", "\r\n", "\r", ""]
        for _ in 0..<3_000 {
            var text = random.below(4) == 0 ? "" : Self.attendanceLines[0]
            for _ in 0..<random.below(5) {
                text += ends[random.below(ends.count - 1)] + Self.attendanceLines[random.below(Self.attendanceLines.count)]
            }
            text += ends[random.below(ends.count)]
            let door = shape.firstMismatch(Array(text.utf8)) == nil
            #expect(door == (text.wholeMatch(of: whole) != nil), "\(text.debugDescription)")
        }
        #expect(shape.firstMismatch(Array("student_code,month,absent_days\r\nHS1,2026-09,2\r\n".utf8)) == nil)
        #expect(shape.firstMismatch(Array("student_code,month,absent_days\nHS1,2026-09,2\n\nHS2,2026-09,2".utf8)) == 3)
        #expect(shape.firstMismatch([0xEF, 0xBB, 0xBF] + Array("student_code,month,absent_days".utf8)) == 1, "no BOM")
        #expect(shape.firstMismatch(Array("student_code,month,absent_days\nHS1,2026-09,2".utf8) + [0xFF]) == 2, "not UTF-8")
    }

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
        for (file, line) in [("HS001,2026-09,2\n", 1), (header + "HS001,2026-09,24\n", 2), (header + "HS001,2026-09,2\n\n", 3),
                             ("Mã học sinh,Tháng,Số ngày nghỉ\nHS001,2026-09,2\n", 1)] {
            let refused = try api.postCSV("/attendance/import", file)
            #expect(refused.status == 422 && refused.json["code"] as? String == "file_invalid"
                && (refused.json["detail"] as? String ?? "").hasPrefix("line \(line):"), "\(file.debugDescription): \(refused.text)")
        }
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

    static func named(_ response: TestHTTPClient.Response) -> [String] {
        (response.json["problems"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" }
    }
}
