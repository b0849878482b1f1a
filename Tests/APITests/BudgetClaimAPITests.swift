import API
import Foundation
import Testing
import TestSupport

/// The term's claim on the state budget through the API, in its three formats, scoped to the caller's school.
@Suite struct BudgetClaimAPITests {
    @Test func theStateShareOfATermIsClaimedByPupilAndFee() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        try api.expect(api.post("/fee-types", #"{"code":"BHYT","name":"Bảo hiểm y tế","kind":"agreed_collection"}"#), 201)
        try api.expect(api.post("/fee-schedules",
                                #"{"fee_type":"BHYT","school_year":2026,"monthly_amount":100000,"state_share_basis_points":3000}"#), 201)
        try api.expect(api.post("/invoices/issue", #"{"period":"2026-09","issued_on":"2026-09-01"}"#), 200)

        let json = try api.get("/budget-claims?year=2026&term=1")
        #expect(json.status == 200, "\(json.text)")
        let rows = json.json["rows"] as? [[String: Any]] ?? []
        #expect(!rows.isEmpty && rows.allSatisfy { $0["amount"] as? Int == 30_000 && $0["fee_code"] as? String == "BHYT" }, "\(json.text)")
        #expect(json.json["total"] as? Int == 30_000 * rows.count, "\(json.text)")
        #expect(rows.contains { $0["student_code"] as? String == "HS001" })

        let csv = try api.get("/budget-claims?year=2026&term=1&format=csv")
        #expect(csv.status == 200 && csv.text.contains(",BHYT,Bảo hiểm y tế,") && csv.text.contains(" %,30000\n"), "\(csv.text)")
        let html = try api.get("/budget-claims?year=2026&term=1&format=html")
        #expect(html.status == 200 && html.text.contains("30.000 đ"), "\(html.text)")
        // Term 2 has no invoices yet: an empty claim, not an error.
        let second = try api.get("/budget-claims?year=2026&term=2")
        #expect(second.status == 200 && second.json["total"] as? Int == 0 && (second.json["rows"] as? [Any])?.isEmpty == true, "\(second.text)")

        let badTerm = try api.get("/budget-claims?year=2026&term=3")
        #expect(badTerm.status == 400 && (badTerm.json["detail"] as? String ?? "").hasPrefix("term"), "\(badTerm.text)")
        let noYear = try api.get("/budget-claims?term=1")
        #expect(noYear.status == 400 && (noYear.json["detail"] as? String ?? "").hasPrefix("year"), "\(noYear.text)")
    }

    @Test func aServiceFeeWithAFixedStateShareThroughTheAPI() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        let fee = try api.post("/fee-types", #"{"code":"NUOC","name":"Nước uống","kind":"service"}"#)
        #expect(fee.status == 201 && fee.json["kind"] as? String == "service", "\(fee.text)")
        let both = try api.post("/fee-schedules", #"{"fee_type":"NUOC","school_year":2026,"monthly_amount":100000,"state_share_basis_points":3000,"state_share_dong":20000}"#)
        #expect(both.status == 422 && (both.json["detail"] as? String ?? "").hasPrefix("state_share_dong"), "\(both.text)")
        let fixed = try api.post("/fee-schedules", #"{"fee_type":"NUOC","school_year":2026,"monthly_amount":100000,"state_share_dong":20000}"#)
        #expect(fixed.status == 201 && fixed.json["state_share_dong"] as? Int == 20_000, "\(fixed.text)")
        try api.expect(api.post("/invoices/issue", #"{"period":"2026-09","issued_on":"2026-09-01"}"#), 200)
        let csv = try api.get("/budget-claims?year=2026&term=1&format=csv")
        #expect(csv.status == 200 && csv.text.contains(",NUOC,Nước uống,20.000 đ/tháng,20000\n"), "\(csv.text)")
    }

    @Test func aLeavingPupilsStateCreditIsNettedOutOfTheClaim() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.expect(api.postCSV("/students/import", BillingRosters.good), 200)
        try api.expect(api.post("/fee-types", #"{"code":"AN","name":"Tiền ăn bán trú","kind":"agreed_collection"}"#), 201)
        try api.expect(api.post("/fee-schedules",
                                #"{"fee_type":"AN","school_year":2026,"monthly_amount":25000,"rate_unit":"day","state_share_basis_points":5000}"#), 201)
        try api.expect(api.post("/school-calendar", #"{"month":"2026-09","school_days":22}"#), 200)
        try api.expect(api.post("/invoices/issue", #"{"period":"2026-09","issued_on":"2026-09-01"}"#), 200)
        try api.expect(api.post("/students/HS001/withdraw", #"{"withdrawn_on":"2026-09-16"}"#), 200)

        // 22 × 15 / 30 = 11 days not served; the state's half of 11 × 25,000 đ is 137,500 đ.
        let json = try api.get("/budget-claims?year=2026&term=1")
        let rows = json.json["rows"] as? [[String: Any]] ?? []
        let credits = rows.filter { $0["kind"] as? String == "leaving_credit" }
        #expect(credits.count == 1 && credits.first?["student_code"] as? String == "HS001" && credits.first?["amount"] as? Int == -137_500,
                "\(json.text)")
        #expect(rows.filter { $0["kind"] as? String == "state_share" }.allSatisfy { $0["amount"] as? Int == 275_000 }, "\(json.text)")
        #expect(json.json["total"] as? Int == rows.reduce(0) { $0 + ($1["amount"] as? Int ?? 0) } && (json.json["total"] as? Int ?? 0) > 0)
        let csv = try api.get("/budget-claims?year=2026&term=1&format=csv")
        #expect(csv.text.contains(",AN,Tiền ăn bán trú,Trả lại khi nghỉ học từ 16/09/2026,-137500\n"), "\(csv.text)")
    }
}
