@testable import API
import Billing
import Core
import Foundation
import HTTP
import Payments
import Postgres
import Testing
import TestSupport

/// The console's corrections of suspense decisions against a live server and real PostgreSQL: reverse a refund
/// decision, undo an application, record a refund paid out; each once, CSRF, scope (404) and role (403).
@Suite struct ConsoleSuspenseReversalTests {
    let actions = ConsoleActionTests()

    /// The statement of `ConsoleActionTests` with, on the 10th, the school paying 1.500.000 đ back (a refund line in suspense).
    static let statementWithRefund = """
        :20:WEB-0002
        :25:\(ConsoleActionTests.account)
        :28C:1/1
        :60F:C260901VND20000,00
        :61:2609050905C1500000,00NTRFNONREF//WEB-1
        :86:NOP HOC PHI THANG 9 CHO TRAN VAN BINH LOP 1A1
        :61:2609060906D20000,00NCHGNONREF//WEB-2
        :86:PHI SMS
        :61:2609100910D1500000,00NTRFNONREF//WEB-3
        :86:HOAN TRA TIEN CHUYEN NHAM
        :62F:C260930VND0,00

        """

    /// Signs the accountant in and imports `statement` through the console; the incoming transaction in suspense.
    func imported(_ server: APITestServer, statement: String = ConsoleActionTests.statement()) throws -> (ConsoleClient, Int64) {
        var browser = try actions.accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        let preview = try actions.upload(browser, csrf: ConsoleClient.csrf(in: bank), file: statement)
        let action = try #require(preview.text.range(of: #"/bank/uploads/[A-Za-z0-9_-]+/import"#, options: .regularExpression).map { String(preview.text[$0]) },
                                  "\(preview.text)")
        let done = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        #expect(done.status == 200, "\(done.text)")
        return (browser, try actions.suspended(server))
    }

    func refund(_ browser: inout ConsoleClient, _ transaction: Int64) throws {
        let confirm = try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/refund")
        let done = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/refund",
                                    [("csrf", ConsoleClient.csrf(in: confirm)), ("reason", "Chuyển nhầm trường")])
        #expect(done.status == 303)
    }

    func dispositions(_ server: APITestServer, _ transaction: Int64) throws -> [SuspenseDisposition] {
        try server.pool.withConnection { try Suspense.dispositions(schoolID: server.ownSchool.id, transactionID: transaction, on: $0) }
    }

    @Test func aRefundDecisionIsReversedOnceAfterAConfirmation() throws {
        let server = try APITestServer()
        var (browser, transaction) = try imported(server)
        #expect(try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/reverse").status == 404, "nothing decided yet")
        try refund(&browser, transaction)
        let queue = try browser.get("/console/schools/TH-OWN/suspense?done=\(transaction)")
        #expect(queue.text.contains("/suspense/\(transaction)/reverse"), "the note after a decision links its undo")
        let confirm = try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/reverse")
        #expect(confirm.status == 200 && confirm.text.contains("Xác nhận hủy quyết định") && confirm.text.contains("Chuyển nhầm trường"))
        #expect(try dispositions(server, transaction).allSatisfy { $0.reversalEntryID == nil }, "the confirmation page changes nothing")
        let csrf = ConsoleClient.csrf(in: confirm)
        let noReason = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/reverse", [("csrf", csrf), ("reason", "")])
        #expect(noReason.status == 422 && noReason.text.contains("reason"), "\(noReason.text)")
        let reversed = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/reverse", [("csrf", csrf), ("reason", "Phụ huynh xác nhận")])
        #expect(reversed.status == 303 && reversed.header("Location") == "/console/schools/TH-OWN/suspense?done=\(transaction)")
        #expect(try dispositions(server, transaction).map { $0.reversalEntryID != nil } == [true])
        let back = try browser.get("/console/schools/TH-OWN/suspense")
        #expect(back.text.contains("/suspense/\(transaction)/refund"), "the money is back in the queue")
        let again = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/reverse", [("csrf", csrf), ("reason", "Lần nữa")])
        #expect(again.status == 409 && again.text.contains("không có quyết định hoàn trả"), "nothing left to reverse, said in Vietnamese: \(again.text)")
    }

    @Test func anAcceptedProposalIsUnappliedOnce() throws {
        let server = try APITestServer()
        var (browser, transaction) = try imported(server)
        #expect(try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/unapply").status == 404, "nothing applied yet")
        let accept = try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/accept?proposal=1")
        #expect(try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/accept",
                                 [("csrf", ConsoleClient.csrf(in: accept)), ("proposal", "1")]).status == 303)
        let applied = try server.pool.withConnection {
            try Applications.list(schoolID: server.ownSchool.id, bankTransactionID: transaction, on: $0)
        }
        let first = try #require(applied.first)
        let confirm = try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/unapply")
        #expect(confirm.status == 200 && confirm.text.contains("value=\"\(first.applicationID)\"") && confirm.text.contains("Xác nhận hoàn tác"))
        let csrf = ConsoleClient.csrf(in: confirm)
        let unchosen = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/unapply", [("csrf", csrf), ("reason", "Nhầm học sinh")])
        #expect(unchosen.status == 422 && unchosen.text.contains("application"), "\(unchosen.text)")
        let undone = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/unapply",
                                      [("csrf", csrf), ("application", String(first.applicationID)), ("reason", "Nhầm học sinh")])
        #expect(undone.status == 303, "\(undone.text)")
        let after = try server.pool.withConnection {
            try Applications.list(schoolID: server.ownSchool.id, bankTransactionID: transaction, on: $0)
        }
        #expect(after.first { $0.applicationID == first.applicationID }?.unappliedByEntryID != nil)
        let again = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/unapply",
                                     [("csrf", csrf), ("application", String(first.applicationID)), ("reason", "Lần nữa")])
        #expect(again.status == 409 && again.text.contains("đã được hoàn tác"), "already undone: \(again.status) \(again.text)")
        #expect(try server.pool.withConnection {
            try Applications.list(schoolID: server.ownSchool.id, bankTransactionID: transaction, on: $0)
        }.filter { $0.unappliedByEntryID != nil }.count == 1, "undone once")
    }

    @Test func aRefundPaidOutIsRecordedOnceOnTheOutgoingLine() throws {
        let server = try APITestServer()
        var (browser, incoming) = try imported(server, statement: Self.statementWithRefund)
        let outgoing = try server.pool.withConnection { connection in
            try Suspense.list(school: server.ownSchool, on: connection).entries.first { $0.transaction.direction == .outgoing }?.transaction.id
        }
        let line = try #require(outgoing, "the refund line waits in suspense")
        #expect(!(try browser.get("/console/schools/TH-OWN/suspense").text.contains("/\(line)/refund-paid")), "no refund due yet")
        try refund(&browser, incoming)
        #expect(try browser.get("/console/schools/TH-OWN/suspense").text.contains("/suspense/\(line)/refund-paid"))
        let confirm = try browser.get("/console/schools/TH-OWN/suspense/\(line)/refund-paid")
        #expect(confirm.status == 200 && confirm.text.contains("<option value=\"\(incoming)\">"), "\(confirm.text)")
        let csrf = ConsoleClient.csrf(in: confirm)
        let paid = try browser.post("/console/schools/TH-OWN/suspense/\(line)/refund-paid",
                                    [("csrf", csrf), ("refunded", String(incoming)), ("reason", "Ngân hàng đã chuyển hoàn")])
        #expect(paid.status == 303, "\(paid.text)")
        #expect(try dispositions(server, line).map(\.kind) == [.refundPaid])
        let again = try browser.post("/console/schools/TH-OWN/suspense/\(line)/refund-paid",
                                     [("csrf", csrf), ("refunded", String(incoming)), ("reason", "Lần nữa")])
        #expect(again.status == 409 || again.status == 422, "already paid: \(again.status)")
        let reverse = try browser.post("/console/schools/TH-OWN/suspense/\(incoming)/reverse", [("csrf", csrf), ("reason", "Thử hủy")])
        #expect(reverse.status == 409 && reverse.text.contains("đã được chi"), "a refund paid out cannot be reversed: \(reverse.text)")
        #expect(try dispositions(server, line).count == 1 && dispositions(server, incoming).allSatisfy { $0.reversalEntryID == nil })
    }

    @Test func everyCorrectionRefusesAPostWithoutTheCSRFToken() throws {
        let server = try APITestServer()
        var (browser, transaction) = try imported(server)
        try refund(&browser, transaction)
        for action in ["reverse", "unapply", "refund-paid"] {
            let refused = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/\(action)",
                                           [("reason", "x"), ("application", "1"), ("refunded", String(transaction))])
            #expect(refused.status == 403, "\(action) without the token: \(refused.status)")
        }
        #expect(try dispositions(server, transaction).map { $0.reversalEntryID == nil } == [true], "nothing changed")
    }

    @Test func anotherSchoolsTransactionAnswers404() throws {
        let server = try APITestServer()
        var (browser, transaction) = try imported(server)
        try refund(&browser, transaction)
        _ = try server.pool.withConnection { connection in
            try ConsoleUsers.add(username: "ketoan2", password: ConsoleTests.password, role: .accountant, schoolID: server.otherSchool.id,
                                 authority: nil, on: connection)
        }
        var other = ConsoleClient(server)
        _ = try other.signIn([("username", "ketoan2"), ("password", ConsoleTests.password)])
        let csrf = ConsoleClient.csrf(in: try other.get("/console/schools/TH-OTHER/roster"))
        for action in ["reverse", "unapply", "refund-paid"] {
            #expect(try other.get("/console/schools/TH-OWN/suspense/\(transaction)/\(action)").status == 404, "\(action): not its school")
            #expect(try other.get("/console/schools/TH-OTHER/suspense/\(transaction)/\(action)").status == 404, "\(action): another school's item")
            let posted = try other.post("/console/schools/TH-OTHER/suspense/\(transaction)/\(action)",
                                        [("csrf", csrf), ("reason", "x"), ("application", "1"), ("refunded", String(transaction))])
            #expect(posted.status == 404, "\(action) on another school's item: \(posted.status) \(posted.text)")
        }
        let reverse = try other.post("/console/schools/TH-OTHER/suspense/\(transaction)/reverse", [("csrf", csrf), ("reason", "x")])
        #expect(reverse.status == 404, "\(reverse.text)")
        #expect(try dispositions(server, transaction).map { $0.reversalEntryID == nil } == [true], "nothing changed")
    }

    @Test func anAuthorityOfficeGets403() throws {
        let server = try APITestServer()
        try BillingAPIClient(server, token: server.tokens[.accountant]!).seedSeptember()
        var office = ConsoleClient(server)
        #expect(try office.signIn([("token", server.tokens[.authorityOffice]!)]).status == 303)
        let csrf = ConsoleClient.csrf(in: try office.get("/console/schools/TH-OWN/suspense"))
        for action in ["reverse", "unapply", "refund-paid"] {
            #expect(try office.get("/console/schools/TH-OWN/suspense/1/\(action)").status == 403, "\(action)")
            #expect(try office.post("/console/schools/TH-OWN/suspense/1/\(action)", [("csrf", csrf), ("reason", "x")]).status == 403, "\(action)")
        }
    }
}
