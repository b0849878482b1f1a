import API
import Core
import Foundation
import HTTP
import Ledger
import Testing
import TestSupport

/// Who may do what with a school's billing, and that nothing of one school shows through another.
@Suite struct BillingAccessTests {
    @Test func theDistrictOfficeReadsButDoesNotWrite() throws {
        let server = try APITestServer()
        try BillingAPIClient(server, token: server.tokens[.accountant]!).seedSeptember()
        let district = BillingAPIClient(server, token: server.tokens[.authorityOffice]!)
        let invoice = try district.invoice(of: "HS001")
        let key = invoice["payment_code"] as? String ?? "?"
        for path in ["/students", "/students/HS001", "/fee-types", "/fee-schedules?school_year=2026", "/students/HS001/discounts",
                     "/invoices", "/invoices/\(key)", "/invoices/\(key)/qr", "/invoices/\(key)/notice"] {
            #expect(try district.get(path).status == 200, "district office reads \(path)")
        }
        let writes: [(String, String)] = [
            ("/cash-payments", #"{"students":["HS001"],"amount":100000,"payer_name":"X"}"#),
            ("/fee-types", #"{"code":"BT","name":"Bán trú","kind":"agreed_collection"}"#),
            ("/invoices/issue", #"{"period":"2026-10"}"#),
            ("/invoices/\(key)/void", #"{"reason":"thử"}"#),
            ("/students/HS001/withdraw", "{}"),
        ]
        for (path, body) in writes {
            let response = try district.post(path, body)
            #expect(response.status == 403 && response.json["code"] as? String == "forbidden", "district office writes \(path)")
        }
        #expect(try district.postCSV("/students/import", BillingRosters.good).status == 403)
        #expect(try district.put("/students/HS001", "{}").status == 403)
        // Nothing was written: the invoice is still open and October was not issued.
        #expect(try district.invoice(of: "HS001")["status"] as? String == "open")
        #expect(try district.get("/invoices?period=2026-10").items.isEmpty)
    }

    @Test func anotherSchoolsAccountantFindsNothing() throws {
        let server = try APITestServer()
        let own = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try own.seedSeptember()
        let paid = try own.post("/cash-payments", #"{"students":["HS002"],"amount":1500000,"payer_name":"Trần Thị Mẹ"}"#)
        let receiptID = try #require((paid.json["receipt_ids"] as? [Int])?.first)
        let invoice = try own.invoice(of: "HS001")
        let number = (invoice["number"] as? String ?? "").replacingOccurrences(of: "/", with: "-")
        let code = invoice["payment_code"] as? String ?? "?"
        let token = try server.pool.withConnection {
            try TokenStore.create(role: .accountant, schoolID: server.otherSchool.id, authority: nil, label: "other accountant", on: $0).token
        }
        let paths = ["/students", "/students/HS001", "/invoices", "/invoices/\(number)", "/invoices/\(code)/qr", "/invoices/\(code)/notice",
                     "/receipts/\(receiptID)", "/receipts/\(receiptID)/page", "/fee-types"]
        let intruder = BillingAPIClient(server, token: token)
        for path in paths {
            let response = try intruder.get(path)
            #expect(response.status == 404 && response.json["code"] as? String == "school_not_found", "\(path): \(response.status)")
            #expect(!response.text.contains("HS001") && !response.text.contains("Bình"))
        }
        #expect(try intruder.post("/invoices/\(number)/void", #"{"reason":"x"}"#).status == 404)
        // In their own school, this school's keys name nothing.
        let theirs = BillingAPIClient(server, token: token, school: server.otherSchool.code)
        #expect(try theirs.get("/students/HS001").json["code"] as? String == "student_not_found")
        #expect(try theirs.get("/invoices/\(number)").json["code"] as? String == "invoice_not_found")
        #expect(try theirs.get("/invoices/\(code)/notice").json["code"] as? String == "invoice_not_found")
        #expect(try theirs.get("/receipts/\(receiptID)").json["code"] as? String == "receipt_not_found")
        #expect(try theirs.get("/invoices").items.isEmpty && theirs.get("/students").items.isEmpty)
        let pay = try theirs.post("/cash-payments", #"{"students":["HS001"],"amount":100000,"payer_name":"X"}"#)
        #expect(pay.status == 409 && pay.json["code"] as? String == "unknown_student")
    }

    /// The matrix test calls every route with `{}` and `1`; the billing routes must answer that as a client error.
    @Test func emptyBodiesAndUnknownKeysAreClientErrors() throws {
        let server = try APITestServer()
        let token = server.tokens[.accountant]!
        let billingTags: Set<String> = ["students", "fees", "invoices", "payments", "documents"]
        var checked = 0
        for spec in server.builder.specs where billingTags.contains(spec.tag) {
            let target = spec.template.replacingOccurrences(of: "{school}", with: server.ownSchool.code)
                .split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("{") ? "1" : String($0) }.joined(separator: "/")
            let body: [UInt8] = spec.method == .get ? [] : Array("{}".utf8)
            let response = try server.client.request(spec.method.rawValue, target,
                                                     headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                                     body: body)
            #expect([200, 400, 404, 422].contains(response.status), "\(spec.method) \(spec.template): \(response.status) \(response.text)")
            #expect(response.status < 500)
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test func bankTokensSeeNoBilling() throws {
        let server = try APITestServer()
        let bank = BillingAPIClient(server, token: server.tokens[.bank]!)
        #expect(try bank.get("/students").status == 403)
        #expect(try bank.get("/invoices").status == 403)
        #expect(try bank.post("/cash-payments", "{}").status == 403)
    }
}
