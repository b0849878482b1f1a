import API
import Foundation
import Testing
import TestSupport

/// Per-day fees, the school calendar, absences and enrolments through the API.
@Suite struct BillingAttendanceAPITests {
    @Test func perDayFeesAbsencesAndEnrolments() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        #expect(try api.postCSV("/students/import", BillingRosters.good).status == 200)
        #expect(try api.post("/fee-types", #"{"code":"AN","name":"Tiền ăn bán trú","kind":"agreed_collection"}"#).status == 201)
        let perDay = try api.post("/fee-schedules", #"{"fee_type":"AN","school_year":2026,"monthly_amount":25000,"rate_unit":"day"}"#)
        #expect(perDay.status == 201 && perDay.json["rate_unit"] as? String == "day", "\(perDay.text)")
        // No school days recorded for September: issuing refuses rather than guess.
        let refused = try api.post("/invoices/issue", #"{"period":"2026-09"}"#)
        #expect(refused.status == 422 && (refused.json["detail"] as? String ?? "").contains("calendar"), "\(refused.text)")
        #expect(try api.post("/school-calendar", #"{"month":"2026-09","school_days":22}"#).status == 200)
        // Holidays are days of the month: a day the month has not is refused (422, the document's rule), the last one taken.
        let february = try api.post("/school-calendar", #"{"month":"2027-02","school_days":18,"holiday_days":[29]}"#)
        #expect(february.status == 422 && february.json["code"] as? String == "invalid_field"
            && february.json["detail"] as? String == "holiday_days: 2027-02 has no day 29", "\(february.text)")
        let leap = try api.post("/school-calendar", #"{"month":"2028-02","school_days":18,"holiday_days":[29]}"#)
        #expect(leap.status == 200 && leap.json["holiday_days"] as? [Int] == [29], "\(leap.text)")
        let old = try api.post("/school-calendar", #"{"month":"2026-10","school_days":22,"holidays":["2026-10-20"]}"#)
        #expect(old.status == 422 && old.json["code"] as? String == "unknown_field", "\(old.text)")

        // 30 days is more than any month's school days: outside the document's pattern, refused at the door (CSVUploadContractTests).
        let bad = try api.postCSV("/attendance/import", "student_code,month,absent_days\nHS001,2026-09,30\nNOBODY,2026-09,1\n")
        let problems = bad.json["problems"] as? [[String: Any]] ?? []
        #expect(bad.status == 422 && bad.json["code"] as? String == "file_invalid" && problems.count == 1
            && problems.first?["line"] as? Int == 2 && problems.first?["field"] as? String == "absent_days"
            && problems.first?["problem"] as? String == "'30' does not match (([0-9]|1[0-9]|2[0-3]))", "\(bad.text)")
        let good = try api.postCSV("/attendance/import", "student_code,month,absent_days\nHS001,2026-09,2\n")
        #expect(good.status == 200 && good.json["rows"] as? Int == 1, "\(good.text)")

        let club = try api.post("/fee-types", #"{"code":"CLB","name":"Câu lạc bộ","kind":"agreed_collection","opt_in":true}"#)
        #expect(club.status == 201 && club.json["opt_in"] as? Bool == true, "\(club.text)")
        let enrolled = try api.post("/enrolments", #"{"student":"HS001","fee":"CLB","from":"2026-09-01"}"#)
        #expect(enrolled.status == 201, "\(enrolled.text)")
        #expect(try api.post("/enrolments", #"{"student":"HS001","fee":"AN","from":"2026-09-01"}"#).status == 422)
    }
}
