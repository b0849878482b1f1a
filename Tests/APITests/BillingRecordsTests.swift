import API
import Core
import Foundation
import Testing
import TestSupport

/// Students, discounts, prepayment and the listings' bounds through the API.
@Suite struct BillingRecordsTests {
    static let newStudent = """
        {"student_code":"HS010","full_name":"Phạm Minh Châu","date_of_birth":"2019-05-06","class_name":"1A2","grade":1,
         "guardian_name":"Phạm Văn Dũng","guardian_phone":"0903 111 222","family_key":"GD9"}
        """

    @Test func studentsAreCreatedReplacedWithdrawnAndListed() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        let created = try api.post("/students", Self.newStudent)
        #expect(created.status == 201 && created.json["guardian_phone"] as? String == "0903111222", "\(created.text)")
        #expect(created.json["category"] as? String == "standard" && created.json["status"] as? String == "active")
        #expect(try api.post("/students", Self.newStudent).status == 409)
        let badGrade = try api.post("/students", Self.newStudent.replacingOccurrences(of: #""grade":1"#, with: #""grade":9"#)
            .replacingOccurrences(of: "HS010", with: "HS011"))
        // Grade 9 is a grade (the document allows it), not one a primary school teaches: the school's state, 409.
        #expect(badGrade.status == 409 && badGrade.json["code"] as? String == "grade_not_taught"
                && (badGrade.json["detail"] as? String ?? "").hasPrefix("grade:"), "\(badGrade.text)")
        // A birth before 1940 is outside the document's pattern (422); one after today is the clock's to refuse (409).
        let tomorrow = VietnamTime.today.adding(days: 1).iso
        for (birth, status, code) in [("1939-12-31", 422, "invalid_field"), (tomorrow, 409, "date_of_birth_after_today")] {
            let refused = try api.post("/students", Self.newStudent.replacingOccurrences(of: "2019-05-06", with: birth)
                .replacingOccurrences(of: "HS010", with: "HS012"))
            #expect(refused.status == status && refused.json["code"] as? String == code, "\(birth): \(refused.text)")
        }
        #expect(try api.get("/students/HS012").status == 404)

        let moved = try api.put("/students/HS010", Self.newStudent.replacingOccurrences(of: "1A2", with: "1A3"))
        #expect(moved.status == 200 && moved.json["class_name"] as? String == "1A3", "\(moved.text)")
        let withdrawn = try api.post("/students/HS010/withdraw", #"{"withdrawn_on":"2026-10-15"}"#)
        #expect(withdrawn.json["status"] as? String == "withdrawn" && withdrawn.json["withdrawn_on"] as? String == "2026-10-15")
        // The student's state, not the body: 409 like every refusal the school's records decide.
        let twice = try api.post("/students/HS010/withdraw", "{}")
        #expect(twice.status == 409 && twice.json["code"] as? String == "student_withdrawn", "withdrawing twice: \(twice.text)")

        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        #expect(try api.get("/students?status=withdrawn").items.map { $0["student_code"] as? String } == ["HS010"])
        #expect(try api.get("/students?class=1A1").items.map { $0["student_code"] as? String } == ["HS001", "HS002"])
        let page = try api.get("/students?limit=3")
        #expect(page.items.map { $0["student_code"] as? String } == ["HS001", "HS002", "HS003"] && page.json["next_after"] as? String == "HS003")
        #expect(try api.get("/students?limit=3&after=HS003").items.map { $0["student_code"] as? String } == ["HS010"])
        // A student is also found by their standing payment code.
        let paymentCode = try #require(created.json["payment_code"] as? String)
        #expect(try api.get("/students/\(paymentCode)").json["student_code"] as? String == "HS010")
    }

    @Test func discountsShowOnInvoicesAndNotices() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        try api.expect(api.post("/fee-types", #"{"code":"HP","name":"Học phí","kind":"tuition"}"#), 201)
        try api.expect(api.post("/fee-schedules", #"{"fee_type":"HP","school_year":2026,"monthly_amount":1500000}"#), 201)
        let both = try api.post("/students/HS001/discounts",
                                #"{"basis_points":5000,"fixed_amount":1000,"reason":"x","valid_from":"2026-09"}"#)
        #expect(both.status == 422)
        let discount = try api.post("/students/HS001/discounts", """
            {"fee_type":"HP","basis_points":5000,"reason":"Giảm 50% học phí: con thương binh","valid_from":"2026-09","months":9}
            """)
        #expect(discount.status == 201 && discount.json["basis_points"] as? Int == 5000, "\(discount.text)")
        #expect(discount.json["valid_through"] as? String == "2027-05", "nine months from September: \(discount.text)")
        // A length out of range, a start too late for any length, or the old end field: refused, nothing recorded.
        for (body, code) in [(#"{"basis_points":100,"reason":"x","valid_from":"2026-09","months":0}"#, "invalid_field"),
                             (#"{"basis_points":100,"reason":"x","valid_from":"2026-09","months":121}"#, "invalid_field"),
                             (#"{"basis_points":100,"reason":"x","valid_from":"2990-01"}"#, "invalid_field"),
                             (#"{"basis_points":100,"reason":"x","valid_from":"2026-09","valid_through":"2026-08"}"#, "unknown_field")] {
            let refused = try api.post("/students/HS001/discounts", body)
            #expect(refused.status == 422 && refused.json["code"] as? String == code, "\(body): \(refused.text)")
        }
        #expect(try api.get("/students/HS001/discounts").items.map { $0["fee_type"] as? String } == ["HP"])
        #expect(try api.post("/students/HS001/discounts", #"{"fee_type":"NOPE","basis_points":100,"reason":"x","valid_from":"2026-09"}"#)
            .json["code"] as? String == "unknown_fee_type")

        try api.expect(api.post("/invoices/issue", #"{"period":"2026-09","issued_on":"2026-09-01"}"#), 200)
        let invoice = try api.invoice(of: "HS001")
        #expect(invoice["total"] as? Int == 750_000)
        let detail = try api.get("/invoices/\(invoice["payment_code"] as? String ?? "?")")
        #expect(detail.json["discount"] as? Int == 750_000 && detail.json["gross"] as? Int == 1_500_000)
        let notice = try api.get("/invoices/\(invoice["payment_code"] as? String ?? "?")/notice").text
        #expect(notice.contains("Giảm 50% học phí: con thương binh") && notice.contains("750.000 đ") && notice.contains("Bảy trăm năm mươi nghìn đồng"))
    }

    @Test func prepaymentIssuesMonthsAheadWithinTheNineMonthCap() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.seedSeptember()
        let prepaid = try api.post("/invoices/prepay", #"{"student":"HS002","periods":["2026-10","2026-11"],"issued_on":"2026-09-15"}"#)
        #expect(prepaid.status == 200 && prepaid.json["issued"] as? Int == 2, "\(prepaid.text)")
        #expect(try api.get("/invoices?student=HS002").items.map { $0["period"] as? String } == ["2026-09", "2026-10", "2026-11"])
        let summer = try api.post("/invoices/prepay", #"{"student":"HS002","periods":["2027-06"]}"#)
        #expect(summer.status == 409 && summer.json["code"] as? String == "no_fee_scheduled", "a month no schedule bills: \(summer.text)")
        // Class 1A1 moves to October–June: September is already billed, so June would be a tenth tuition month.
        try api.expect(api.post("/fee-schedules", """
            {"fee_type":"HP","school_year":2026,"scope":"class","scope_value":"1A1","monthly_amount":1500000,
             "billable_months":[10,11,12,1,2,3,4,5,6]}
            """), 201)
        let tenth = try api.post("/invoices/prepay", """
            {"student":"HS001","periods":["2026-10","2026-11","2026-12","2027-01","2027-02","2027-03","2027-04","2027-05","2027-06"]}
            """)
        #expect(tenth.status == 409 && tenth.json["code"] as? String == "billable_months_cap", "\(tenth.text)")
        #expect((tenth.json["detail"] as? String ?? "").contains("Decree 81/2021"))
        #expect(try api.get("/invoices?student=HS001").items.count == 1, "nothing of the refused prepayment was issued")
        let unknown = try api.post("/invoices/prepay", #"{"student":"HS999","periods":["2026-12"]}"#)
        #expect(unknown.status == 409 && unknown.json["code"] as? String == "unknown_student")
    }

    @Test func listingParametersAreBounded() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        for path in ["/students?limit=0", "/students?limit=501", "/students?status=gone", "/invoices?limit=abc", "/invoices?after=zzz",
                     "/invoices?status=unpaid", "/invoices?period=2026-13", "/fee-schedules?school_year=99",
                     "/students?after=" + String(repeating: "A", count: 65)] {
            let response = try api.get(path)
            #expect(response.status == 400 && response.json["code"] as? String == "invalid_parameter", "\(path): \(response.text)")
        }
        #expect(try api.get("/students?limit=500").status == 200)
        let cash = try api.post("/cash-payments", #"{"students":[],"amount":1000,"payer_name":"X"}"#)
        #expect(cash.status == 422 && (cash.json["detail"] as? String ?? "").hasPrefix("students:"))
        let key = try api.post("/cash-payments", #"{"students":["A"],"amount":1000,"payer_name":"X","payment_key":"has space"}"#)
        #expect(key.status == 422 && (key.json["detail"] as? String ?? "").hasPrefix("payment_key:"))
    }
}
