import API
import Billing
import Core
import Foundation
import Ledger
import Testing
import TestSupport
import VietQR

/// An accountant's month through the API, step by step, on a live server.
@Suite struct BillingMonthTests {
    @Test func anAccountantsMonth() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try importRoster(api)
        try defineFees(api)
        try issueSeptember(api)
        try listAndGetInvoices(api)
        try payByTransferDocuments(api)
        try payCashAndPrintReceipt(api)
        try voidInvoices(api)
        try verifyLedger(server)
    }

    func importRoster(_ api: BillingAPIClient) throws {
        let refused = try api.postCSV("/students/import", BillingRosters.bad)
        #expect(refused.status == 422)
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect(refused.json["code"] as? String == "file_invalid", "outside the pattern the document states")
        let problems = refused.json["problems"] as? [[String: Any]] ?? []
        let named = problems.map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" }
        #expect(named == ["3:date_of_birth", "4:grade"], "\(refused.text)")
        #expect(refused.json["problems_total"] as? Int == 2)
        #expect(try api.get("/students").status == 200 && api.get("/students").items.isEmpty, "nothing was imported")

        let dryRun = try api.postCSV("/students/import?dry_run=true", BillingRosters.good)
        #expect(dryRun.status == 200 && dryRun.json["dry_run"] as? Bool == true)
        #expect((dryRun.json["created"] as? [Any])?.count == 3)
        #expect(try api.get("/students").items.isEmpty, "a dry run writes nothing")

        let imported = try api.postCSV("/students/import", BillingRosters.good)
        #expect(imported.status == 200, "\(imported.text)")
        #expect(imported.json["summary"] as? String == "3 new, 0 updated, 0 unchanged")
        let again = try api.postCSV("/students/import", BillingRosters.good)
        #expect(again.json["summary"] as? String == "0 new, 0 updated, 3 unchanged")
        let student = try api.get("/students/HS001")
        #expect(student.status == 200 && student.json["full_name"] as? String == BillingRosters.trickyName)
        #expect(student.json["date_of_birth"] as? String == "2019-03-02" && student.json["family_key"] as? String == "GD1")
    }

    func defineFees(_ api: BillingAPIClient) throws {
        let fee = try api.post("/fee-types", #"{"code":"HP","name":"Học phí","kind":"tuition"}"#)
        #expect(fee.status == 201 && fee.json["kind"] as? String == "tuition", "\(fee.text)")
        let tenMonths = try api.post("/fee-schedules", """
            {"fee_type":"HP","school_year":2026,"monthly_amount":1500000,"billable_months":[9,10,11,12,1,2,3,4,5,6]}
            """)
        #expect(tenMonths.status == 409, "the school's level caps the months: its state, not the body's shape")
        #expect(tenMonths.json["code"] as? String == "billable_months_cap")
        #expect((tenMonths.json["detail"] as? String ?? "").contains("Decree 81/2021"), "\(tenMonths.text)")
        let schedule = try api.post("/fee-schedules", #"{"fee_type":"HP","school_year":2026,"monthly_amount":1500000}"#)
        #expect(schedule.status == 201, "\(schedule.text)")
        #expect(schedule.json["billable_months"] as? [Int] == [9, 10, 11, 12, 1, 2, 3, 4, 5])
        let listed = try api.get("/fee-schedules?school_year=2026")
        #expect(listed.items.map { $0["fee_type"] as? String } == ["HP"])
        #expect(try api.get("/fee-schedules?school_year=2027").items.isEmpty)
    }

    func issueSeptember(_ api: BillingAPIClient) throws {
        let issued = try api.post("/invoices/issue", #"{"period":"2026-09","issued_on":"2026-09-01"}"#)
        #expect(issued.status == 200, "\(issued.text)")
        #expect(issued.json["issued"] as? Int == 3 && issued.json["total_issued"] as? Int == 4_500_000)
        let again = try api.post("/invoices/issue", #"{"period":"2026-09"}"#)
        #expect(again.json["summary"] as? String == "issued 0, already issued 3", "\(again.text)")
    }

    func listAndGetInvoices(_ api: BillingAPIClient) throws {
        let first = try api.get("/invoices?period=2026-09&limit=2")
        let firstItems = first.items
        #expect(firstItems.count == 2)
        let after = try #require(first.json["next_after"] as? String)
        let second = try api.get("/invoices?period=2026-09&limit=2&after=\(after)")
        let secondItems = second.items
        #expect(secondItems.count == 1 && second.json["next_after"] == nil)
        let numbers = (firstItems + secondItems).compactMap { $0["number"] as? String }
        #expect(numbers == ["2026/000001", "2026/000002", "2026/000003"])
        #expect(try api.get("/invoices?class=2A1").items.map { $0["student_code"] as? String } == ["HS003"])
        #expect(try api.get("/invoices?status=open").items.count == 3)
        #expect(try api.get("/invoices?status=paid").items.isEmpty)

        let summary = try api.invoice(of: "HS001")
        let byNumber = try api.get("/invoices/" + (summary["number"] as! String).replacingOccurrences(of: "/", with: "-"))
        #expect(byNumber.status == 200 && byNumber.json["status"] as? String == "open")
        #expect(byNumber.json["outstanding"] as? Int == 1_500_000 && byNumber.json["student_name"] as? String == BillingRosters.trickyName)
        let lines = byNumber.json["lines"] as? [[String: Any]] ?? []
        #expect(lines.map { $0["fee_type"] as? String } == ["HP"] && lines.first?["net"] as? Int == 1_500_000)
        let byCode = try api.get("/invoices/\(summary["payment_code"] as! String)")
        #expect(byCode.json["number"] as? String == summary["number"] as? String)
        #expect((try api.get("/invoices/2026-999999")).json["code"] as? String == "invoice_not_found")
    }

    func payByTransferDocuments(_ api: BillingAPIClient) throws {
        let summary = try api.invoice(of: "HS001")
        let code = summary["payment_code"] as! String
        let qr = try api.get("/invoices/\(code)/qr")
        #expect(qr.status == 200, "\(qr.text)")
        let dynamic = try VietQRPayload(parsing: qr.json["dynamic_payload"] as? String ?? "")
        #expect(dynamic.amount == Money(dong: 1_500_000) && dynamic.initiation == .dynamicCode)
        #expect(dynamic.memo?.hasPrefix(code + " ") == true && dynamic.accountNumber == "1111222233" && dynamic.bankBIN == "970436")
        let fixed = try VietQRPayload(parsing: qr.json["static_payload"] as? String ?? "")
        let standingCode = try api.get("/students/HS001").json["payment_code"] as? String ?? "?"
        #expect(fixed.amount == nil && fixed.memo?.hasPrefix(standingCode) == true)
        #expect((qr.json["svg"] as? String ?? "").hasPrefix("<svg "))

        let notice = try api.get("/invoices/\(code)/notice")
        #expect(notice.status == 200 && notice.header("Content-Type") == "text/html; charset=utf-8")
        let html = notice.text
        #expect(html.contains("Lê Thị &lt;Bé&gt; &amp; &#39;Na&#39;") && !html.contains("<Bé>"))
        #expect(html.contains("1.500.000 đ") && html.contains("Một triệu năm trăm nghìn đồng"))
        #expect(html.contains("<svg ") && html.contains(dynamic.memo ?? "?"))
    }

    func payCashAndPrintReceipt(_ api: BillingAPIClient) throws {
        let body = #"{"students":["HS002"],"amount":1500000,"payer_name":"Trần Thị <Mẹ>","received_on":"2026-09-20","payment_key":"Q-0001"}"#
        let paid = try api.post("/cash-payments", body)
        #expect(paid.status == 201, "\(paid.text)")
        let applications = paid.json["applications"] as? [[String: Any]] ?? []
        #expect(applications.count == 1 && applications.first?["amount"] as? Int == 1_500_000 && paid.json["credit_kept"] as? Int == 0)
        let receiptID = try #require((paid.json["receipt_ids"] as? [Int])?.first)
        let retried = try api.post("/cash-payments", body)
        #expect(retried.status == 200 && retried.json["replayed"] as? Bool == true && retried.json["receipt_ids"] as? [Int] == [receiptID])
        let conflicting = try api.post("/cash-payments", body.replacingOccurrences(of: "1500000", with: "1400000"))
        #expect(conflicting.status == 409 && conflicting.json["code"] as? String == "idempotency_conflict")
        #expect((try api.invoice(of: "HS002"))["status"] as? String == "paid")

        let receipt = try api.get("/receipts/\(receiptID)")
        #expect(receipt.status == 200 && receipt.json["amount"] as? Int == 1_500_000 && receipt.json["method"] as? String == "cash")
        #expect(receipt.json["amount_in_words"] as? String == "Một triệu năm trăm nghìn đồng")
        #expect((receipt.json["items"] as? [[String: Any]])?.first?["invoice"] as? String == (try api.invoice(of: "HS002"))["number"] as? String)
        let number = (receipt.json["number"] as? String ?? "").replacingOccurrences(of: "/", with: "-")
        #expect((try api.get("/receipts/\(number)")).json["id"] as? Int == receiptID)
        let page = try api.get("/receipts/\(receiptID)/page")
        #expect(page.status == 200 && page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.contains("Trần Thị &lt;Mẹ&gt;") && page.text.contains("Trần Văn Bình") && page.text.contains("Tiền mặt"))
        #expect(page.text.contains("<p>test accountant</p>"), "the cashier is the token's label")
        #expect(page.text.contains("1.500.000 đ") && page.text.contains("Một triệu năm trăm nghìn đồng"))

        let partial = try api.post("/cash-payments", """
            {"students":["HS001"],"amount":500000,"payer_name":"Lê Văn Cha","allocations":[{"invoice":"\((try api.invoice(of: "HS001"))["number"]!)","amount":500000}]}
            """)
        #expect(partial.status == 201, "\(partial.text)")
        #expect((try api.invoice(of: "HS001"))["status"] as? String == "partly_paid")
        let qr = try api.get("/invoices/\((try api.invoice(of: "HS001"))["payment_code"]!)/qr")
        #expect(try VietQRPayload(parsing: qr.json["dynamic_payload"] as? String ?? "").amount == Money(dong: 1_000_000))
    }

    func voidInvoices(_ api: BillingAPIClient) throws {
        let open = try api.invoice(of: "HS003")
        let key = (open["number"] as! String).replacingOccurrences(of: "/", with: "-")
        let voided = try api.post("/invoices/\(key)/void", #"{"reason":"Học sinh chuyển trường"}"#)
        #expect(voided.status == 200 && voided.json["status"] as? String == "void", "\(voided.text)")
        #expect((try api.get("/invoices/\(key)")).json["status"] as? String == "void")
        let qr = try api.get("/invoices/\(key)/qr")
        #expect(qr.status == 409 && qr.json["code"] as? String == "invoice_not_payable")
        #expect(try api.get("/invoices/\(key)/notice").json["code"] as? String == "invoice_not_payable")
        let paid = try api.invoice(of: "HS002")
        let refused = try api.post("/invoices/\((paid["number"] as! String).replacingOccurrences(of: "/", with: "-"))/void", #"{"reason":"nhầm"}"#)
        #expect(refused.status == 409 && refused.json["code"] as? String == "invoice_not_voidable", "\(refused.text)")
        let paidQR = try api.get("/invoices/\(paid["payment_code"] as! String)/qr")
        #expect(paidQR.status == 409 && paidQR.json["code"] as? String == "invoice_not_payable")
    }

    func verifyLedger(_ server: APITestServer) throws {
        let (ledger, billing) = try server.pool.withConnection { connection in
            (try LedgerVerifier.verify(schoolID: server.ownSchool.id, on: connection),
             try BillingVerifier.verify(schoolID: server.ownSchool.id, on: connection))
        }
        #expect(ledger.isClean && billing.isEmpty, "\(ledger.findings) \(billing)")
    }
}
