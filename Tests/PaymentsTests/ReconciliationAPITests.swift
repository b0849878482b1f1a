import Billing
import Core
import Crypto
import Foundation
import Ledger
import Payments
import Postgres
import SchoolFixtures
import Testing
import TestSupport

/// A whole month through the HTTP API of a running `tuition serve`: callbacks, the suspense queue,
/// the monthly run with its close, the stored reports in every format, the province report.
@Suite struct ReconciliationAPITests {
    @Test func aFullMonthEndsInACleanClose() throws {
        let fixture = try SuspenseFixture()
        let server = try ReconciliationServerProcess(database: fixture.billing.database)
        let accountant = try ReconciliationServerProcess.token(.accountant, schoolID: fixture.school.id, on: fixture.pool)
        let finance = try ReconciliationServerProcess.token(.financeOffice, on: fixture.pool)
        let code = fixture.school.code
        // Four callbacks: three carry a code and pay at once, one names the student and waits.
        let payments = [("API-1", "HOC PHI \(try fixture.invoice(fixture.an).paymentCode)", "NGUYEN VAN BINH"),
                        ("API-2", "\(try fixture.invoice(fixture.chi).paymentCode) TRAN MINH CHI", "TRAN VAN TAM"),
                        ("API-3", "HP \(fixture.binh.paymentCode) THANG 9", "NGUYEN VAN BINH"),
                        ("API-4", "NOP HOC PHI CHO LE HOANG DUNG", "LE VAN HUNG")]
        for (id, memo, payer) in payments {
            let reply = try server.deliver(CallbackFixture.body(id: id, amount: 500_000, memo: memo, payer: payer))
            #expect(reply.status == 200, "\(id): \(reply.text)")
        }
        let queue = try server.client.get("/v1/schools/\(code)/suspense", token: accountant).json["items"] as? [[String: Any]] ?? []
        #expect(queue.count == 1)
        let waiting = queue.first?["transaction_id"] as? Int ?? 0
        let offered = (queue.first?["proposals"] as? [[String: Any]])?.first?["allocations"] as? [[String: Any]] ?? []
        let allocations = offered.map { #"{"invoice_id":\#($0["invoice_id"] as? Int ?? 0),"amount":\#($0["amount"] as? Int ?? 0)}"# }
        let applied = try server.client.postJSON("/v1/schools/\(code)/suspense/\(waiting)/apply",
                                                 #"{"allocations":[\#(allocations.joined(separator: ","))],"explanation":"Chấp nhận đề xuất"}"#,
                                                 token: accountant)
        #expect(applied.status == 201, "\(applied.text)")
        // The statement confirms the four callbacks and closes at 2.000.000 đ.
        let transactions = try fixture.pool.withConnection {
            try $0.query("SELECT bank_transaction_id FROM bank_transactions ORDER BY 1").map { try $0.decode(column: 0, as: Int64.self) }
        }
        try fixture.importStatement(closingBalance: 2_000_000, closingDate: "2026-09-30", confirming: transactions)
        let run = try server.client.postJSON("/v1/schools/\(code)/reconciliations", #"{"month":"2026-09","close":true}"#, token: accountant)
        #expect(run.status == 201, "\(run.text)")
        #expect(run.json["state"] as? String == "closed" && run.json["closed"] as? Bool == true)
        let report = run.json["report"] as? [String: Any] ?? [:]
        #expect(report["format"] as? String == "tuition/monthly-reconciliation-report/1")
        #expect(((report["totals"] as? [String: Any])?["collectedByBank"]) as? Int == 2_000_000)
        #expect(try fixture.closedThrough() == (try CalendarDate(iso: "2026-09-30")))
        let runID = run.json["run_id"] as? Int ?? 0
        // The stored report, byte for byte, hashes to the recorded SHA-256.
        let json = try server.client.get("/v1/schools/\(code)/reconciliations/\(runID)/report?format=json", token: finance)
        #expect(json.status == 200 && json.header("Content-Type") == "application/json")
        #expect(Hex.encode(SHA256Digest.hash(json.body)) == run.json["report_sha256"] as? String)
        let csv = try server.client.get("/v1/schools/\(code)/reconciliations/\(runID)/report?format=csv&separator=semicolon", token: finance)
        #expect(csv.status == 200 && csv.header("Content-Type") == "text/csv; charset=utf-8")
        #expect(csv.body.starts(with: [0xEF, 0xBB, 0xBF]) && csv.text.contains("Tổng hợp;"))
        let html = try server.client.get("/v1/schools/\(code)/reconciliations/\(runID)/report?format=html", token: accountant)
        #expect(html.status == 200 && html.header("Content-Type") == "text/html; charset=utf-8")
        #expect(html.text.contains("<svg") && html.text.contains("ĐÃ KHÓA SỔ"))
        #expect(try server.client.get("/v1/schools/\(code)/reconciliations/\(runID)/report?format=pdf", token: finance).status == 400)
        let listed = try server.client.get("/v1/schools/\(code)/reconciliations?month=2026-09", token: finance)
        #expect((listed.json["items"] as? [[String: Any]])?.map { $0["run_id"] as? Int } == [runID])
        // The province sees the school closed with its figures.
        let province = try server.client.get("/v1/reports/province?month=2026-09", token: finance)
        #expect(province.status == 200, "\(province.text)")
        let school = ((province.json["districts"] as? [[String: Any]])?.first?["schools"] as? [[String: Any]])?.first ?? [:]
        #expect(school["code"] as? String == code && school["reconciliation"] as? String == "closed")
        #expect(try server.client.get("/v1/reports/province?month=2026-09", token: accountant).status == 403)
        let page = try server.client.get("/v1/reports/province?month=2026-09&format=html", token: finance)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8" && page.text.contains(fixture.school.name))
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func aMonthWithABankDifferenceRefusesToClose() throws {
        let fixture = try SuspenseFixture()
        let server = try ReconciliationServerProcess(database: fixture.billing.database)
        let accountant = try ReconciliationServerProcess.token(.accountant, schoolID: fixture.school.id, on: fixture.pool)
        let district = try ReconciliationServerProcess.token(.authorityOffice, authority: fixture.school.authority.code, on: fixture.pool)
        let code = fixture.school.code
        let paid = try server.deliver(CallbackFixture.body(id: "API-10", amount: 500_000,
                                                           memo: "HOC PHI \(try fixture.invoice(fixture.an).paymentCode)"))
        #expect(paid.status == 200)
        let late = try server.deliver(CallbackFixture.body(id: "API-11", amount: 320_000, memo: "HOC PHI", payer: "PHAM VAN KHACH",
                                                           bookedAt: "2026-09-30T21:05:00+07:00"))
        #expect(late.status == 200)
        let transactions = try fixture.pool.withConnection {
            try $0.query("SELECT bank_transaction_id FROM bank_transactions ORDER BY 1").map { try $0.decode(column: 0, as: Int64.self) }
        }
        // The bank's statement knows only the first.
        try fixture.importStatement(closingBalance: 500_000, closingDate: "2026-09-30", confirming: [transactions[0]])
        let refused = try server.client.postJSON("/v1/schools/\(code)/reconciliations", #"{"month":"2026-09","close":true}"#, token: accountant)
        #expect(refused.status == 409 && refused.json["code"] as? String == "period_not_closable", "\(refused.text)")
        #expect((refused.json["detail"] as? String ?? "").contains("difference 320.000"))
        #expect(try fixture.closedThrough() == nil)
        // The refused run was recorded; the district office may read it but not run one.
        let runs = try server.client.get("/v1/schools/\(code)/reconciliations", token: district).json["items"] as? [[String: Any]] ?? []
        #expect(runs.count == 1 && runs.first?["closed"] as? Bool == false && runs.first?["close_requested"] as? Bool == true)
        let runID = runs.first?["run_id"] as? Int ?? 0
        let stored = try server.client.get("/v1/schools/\(code)/reconciliations/\(runID)", token: district)
        let account = ((stored.json["report"] as? [String: Any])?["bankAccounts"] as? [[String: Any]])?.first ?? [:]
        #expect(account["difference"] as? Int == 320_000 && account["unexplained"] as? Int == 0)
        #expect((account["explainingItems"] as? [[String: Any]])?.first?["kind"] as? String == "callbackNotOnStatement")
        #expect(try server.client.postJSON("/v1/schools/\(code)/reconciliations", #"{"month":"2026-09"}"#, token: district).status == 403)
        let unknown = try server.client.get("/v1/schools/\(code)/reconciliations/999999", token: district)
        #expect(unknown.status == 404 && unknown.json["code"] as? String == "run_not_found")
        #expect(try fixture.billing.verify().isClean)
    }
}
