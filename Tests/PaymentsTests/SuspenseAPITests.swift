import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Testing
import TestSupport

/// The suspense queue through the HTTP API of a running `tuition serve`.
@Suite struct SuspenseAPITests {
    @Test func theQueueThroughTheAPIScopedBySchool() throws {
        let fixture = try SuspenseFixture()
        let server = try ReconciliationServerProcess(database: fixture.billing.database)
        let accountant = try ReconciliationServerProcess.token(.accountant, schoolID: fixture.school.id, on: fixture.pool)
        let district = try ReconciliationServerProcess.token(.authorityOffice, authority: fixture.school.authority.code, on: fixture.pool)
        let named = try fixture.receive("FT600", 500_000, memo: "NOP HOC PHI CHO LE HOANG DUNG", payer: "LE VAN HUNG")
        let code = fixture.school.code
        let listed = try server.client.get("/v1/schools/\(code)/suspense", token: accountant)
        #expect(listed.status == 200, "\(listed.text)")
        let items = listed.json["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1 && items[0]["transaction_id"] as? Int == Int(named))
        let proposal = (items.first?["proposals"] as? [[String: Any]])?.first ?? [:]
        #expect(proposal["student_ids"] as? [Int] == [Int(fixture.dung.id)])
        let invoice = try fixture.invoice(fixture.dung).id
        // The district office reads, never acts.
        #expect(try server.client.get("/v1/schools/\(code)/suspense", token: district).status == 200)
        let body = #"{"allocations":[{"invoice_id":\#(invoice),"amount":500000}],"explanation":"Đúng học sinh Dũng"}"#
        #expect(try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/apply", body, token: district).status == 403)
        // Another school's transaction does not exist for this school.
        let other = try otherSchoolTransaction(fixture)
        let foreign = try server.client.postJSON("/v1/schools/\(code)/suspense/\(other)/apply", body, token: accountant)
        #expect(foreign.status == 404 && foreign.json["code"] as? String == "transaction_not_found")
        #expect(try server.client.get("/v1/schools/TH-KHAC/suspense", token: accountant).json["code"] as? String == "school_not_found")
        // Too much is refused with the amounts; the right amount is applied.
        let tooMuch = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/apply", """
            {"allocations":[{"invoice_id":\(invoice),"amount":500000}],"credit":1,"credit_student_id":\(fixture.dung.id),"explanation":"x"}
            """, token: accountant)
        #expect(tooMuch.status == 422 && tooMuch.json["code"] as? String == "exceeds_remaining")
        let applied = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/apply", body, token: accountant)
        #expect(applied.status == 201 && applied.json["payment_key"] as? String == "suspense:\(named):1", "\(applied.text)")
        let application = ((applied.json["applications"] as? [[String: Any]])?.first?["application_id"] as? Int) ?? 0
        let undone = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/unapply",
                                                #"{"application_id":\#(application),"reason":"Nhầm"}"#, token: accountant)
        #expect(undone.status == 200 && undone.json["amount"] as? Int == 500_000)
        let refund = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/refund", #"{"reason":"Chuyển nhầm"}"#, token: accountant)
        #expect(refund.status == 201 && refund.json["kind"] as? String == "refund_due")
        let twice = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/not-tuition",
                                               #"{"reason":"x","purpose":"collection"}"#, token: accountant)
        #expect(twice.status == 409 && twice.json["code"] as? String == "already_disposed")
        let reversed = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/reverse", #"{"reason":"Không hoàn"}"#, token: accountant)
        #expect(reversed.status == 200 && reversed.json["reversal_entry_id"] is Int)
        let notTuition = try server.client.postJSON("/v1/schools/\(code)/suspense/\(named)/not-tuition",
                                                    #"{"reason":"Tiền ủng hộ","account_code":"3381"}"#, token: accountant)
        #expect(notTuition.status == 201 && notTuition.json["amount"] as? Int == 500_000)
        #expect((try server.client.get("/v1/schools/\(code)/suspense", token: accountant).json["items"] as? [Any])?.isEmpty == true)
        #expect(try fixture.billing.verify().isClean)
    }

    /// A second school in the same database with one transaction of its own in suspense.
    func otherSchoolTransaction(_ fixture: SuspenseFixture) throws -> Int64 {
        try fixture.billing.transaction { connection in
            let other = try Schools.create(NewSchool(code: "TH-KHAC", name: "Trường Khác", district: "Quận 9", level: .primary,
                                                     paymentCodePrefix: "KH",
                                                     bankAccounts: [NewBankAccount(bankBIN: "970418", accountNumber: "4444555566", holderName: "KHAC")]),
                                           on: connection)
            let bank = try Schools.bankAccounts(schoolID: other.id, on: connection)[0]
            let outcome = try IncomingBatch.record([NewBankTransaction(
                schoolID: other.id, bankAccountID: bank.id, origin: .statement, direction: .incoming, amount: Money(dong: 500_000),
                bookedOn: try CalendarDate(iso: "2026-09-16"), memo: "HOC PHI", bankReference: "OTHER-1")], status: "confirmed", school: other,
                on: connection).sendingReceipts(on: connection)[0]
            guard case .recorded(let id, _, _) = outcome else { preconditionFailure("a statement line is always recorded") }
            return id
        }
    }
}
