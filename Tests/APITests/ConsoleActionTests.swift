@testable import API
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Testing
import TestSupport

/// The console's working pages against a live server and real PostgreSQL: statement upload (preview, then import),
/// suspense decisions, the monthly run and close; CSRF, scope (404) and role (403) on every one of them.
@Suite struct ConsoleActionTests {
    static let account = "1111222233"
    static let boundary = "----tuitionConsoleTestBoundary"

    /// September at the school's bank: a transfer naming a pupil without her payment code (it waits in suspense with
    /// a proposal) and a bank fee; `opening` decides whether the statement agrees with the books.
    static func statement(opening: String = "0,00", closing: String = "1480000,00", currency: String = "VND") -> String {
        """
        :20:WEB-0001
        :25:\(account)
        :28C:1/1
        :60F:C260901\(currency)\(opening)
        :61:2609050905C1500000,00NTRFNONREF//WEB-1
        :86:NOP HOC PHI THANG 9 CHO TRAN VAN BINH LOP 1A1
        :61:2609060906D20000,00NCHGNONREF//WEB-2
        :86:PHI SMS
        :62F:C260930\(currency)\(closing)

        """
    }

    static func multipart(_ fields: [(String, String)], file: String, fileName: String = "sept.sta") -> [UInt8] {
        var body = ""
        for (name, value) in fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\n"
        body += "Content-Type: application/octet-stream\r\n\r\n\(file)\r\n--\(boundary)--\r\n"
        return Array(body.utf8)
    }

    func upload(_ browser: ConsoleClient, csrf: String?, file: String, school: String = "TH-OWN") throws -> TestHTTPClient.Response {
        let fields = (csrf.map { [("csrf", $0)] } ?? []) + [("account", Self.account), ("format", "auto")]
        let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        return try browser.client.request("POST", "/console/schools/\(school)/bank/preview",
                                          headers: [("Cookie", cookie), ("Content-Type", "multipart/form-data; boundary=\(Self.boundary)")],
                                          body: Self.multipart(fields, file: file))
    }

    func count(_ server: APITestServer, _ table: String) throws -> Int {
        try server.pool.withConnection { try $0.query("SELECT count(*) FROM \(unescaped: table)").singleRow()!.decode(column: 0, as: Int.self) }
    }

    func accountant(_ server: APITestServer) throws -> ConsoleClient {
        try BillingAPIClient(server, token: server.tokens[.accountant]!).seedSeptember()
        _ = try server.pool.withConnection { connection in
            try ConsoleUsers.add(username: "ketoan", password: ConsoleTests.password, role: .accountant, schoolID: server.ownSchool.id,
                                 authority: nil, on: connection)
        }
        var browser = ConsoleClient(server)
        _ = try browser.signIn([("username", "ketoan"), ("password", ConsoleTests.password)])
        return browser
    }

    /// The suspense transaction of the imported transfer.
    func suspended(_ server: APITestServer) throws -> Int64 {
        try server.pool.withConnection { connection in
            try Suspense.list(school: server.ownSchool, on: connection).entries.first { $0.transaction.direction == .incoming }!.transaction.id
        }
    }

    @Test func aFileFormIsReadByTheSharedParser() throws {
        // The CSRF check reads a multipart body's text fields; the statement page takes the file's bytes and base name.
        let fields = [("csrf", "token-1"), ("account", Self.account)]
        let body = Self.multipart(fields, file: ":20:A\r\n:25:1\r\n")
        let contentType = "multipart/form-data; boundary=\(Self.boundary)"
        let request = Request(method: .post, target: "/x", path: "/x", headers: ["Content-Type": contentType], body: body,
                              routeTemplate: "/x", requestId: "r", peer: "127.0.0.1:1")
        #expect(ConsoleHTTP.form(request)["csrf"] == "token-1" && ConsoleHTTP.form(request)["account"] == Self.account)
        #expect(ConsoleHTTP.form(request)["file"] == nil, "a file is not a text field")
        let form = try MultipartFormData(body: body, contentType: contentType)
        #expect(ConsoleStatementPages.uploadedFile(form).map { String(decoding: $0.bytes, as: UTF8.self) } == ":20:A\r\n:25:1\r\n")
        #expect(ConsoleStatementPages.sanitizedFileName("C:\\fakepath\\vcb.sta") == "vcb.sta", "no folder of the sender's machine")
        #expect(ConsoleStatementPages.sanitizedFileName("") == StatementEndpoints.fileNameDefault)
        let truncated = Request(method: .post, target: "/x", path: "/x", headers: ["Content-Type": contentType], body: Array(body.prefix(body.count / 2)),
                                routeTemplate: "/x", requestId: "r", peer: "127.0.0.1:1")
        #expect(ConsoleHTTP.form(truncated).isEmpty, "a body cut short has no fields, so no CSRF token")
    }

    @Test func aFormFieldDecodingToNULIsLeftOut() throws {
        // No text column stores U+0000: such a field is missing to the page, never stored as something else.
        let encoded = Request(method: .post, target: "/x", path: "/x", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                              body: Array("csrf=token-1&name=An%00h&note=a+b&bad%00key=1".utf8), routeTemplate: "/x", requestId: "r", peer: "127.0.0.1:1")
        #expect(ConsoleHTTP.form(encoded) == ["csrf": "token-1", "note": "a b"])
        let contentType = "multipart/form-data; boundary=\(Self.boundary)"
        let multipart = Request(method: .post, target: "/x", path: "/x", headers: ["Content-Type": contentType],
                                body: Self.multipart([("csrf", "token-1"), ("name", "An\u{0}h")], file: "x"),
                                routeTemplate: "/x", requestId: "r", peer: "127.0.0.1:1")
        #expect(ConsoleHTTP.form(multipart)["csrf"] == "token-1" && ConsoleHTTP.form(multipart)["name"] == nil)
    }

    @Test func aStatementIsPreviewedWithNothingChangedThenImportedOnce() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        #expect(bank.status == 200 && bank.text.contains("enctype=\"multipart/form-data\"") && bank.text.contains(Self.account))
        let preview = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: Self.statement())
        #expect(preview.status == 200, "\(preview.text)")
        #expect(preview.text.contains("TRAN VAN BINH") && preview.text.contains("1.480.000") && preview.text.contains("Nhập sao kê"))
        #expect(try count(server, "statement_lines") == 0, "a preview changes nothing")
        let action = try #require(preview.text.range(of: #"/bank/uploads/[A-Za-z0-9_-]+/import"#, options: .regularExpression).map { String(preview.text[$0]) })
        var other = ConsoleClient(server)
        _ = try other.signIn([("username", "ketoan"), ("password", ConsoleTests.password)])
        let otherCSRF = ConsoleClient.csrf(in: try other.get("/console/schools/TH-OWN/bank"))
        let stolen = try other.post("/console/schools/TH-OWN" + action, [("csrf", otherCSRF)])
        #expect(stolen.status == 410, "an upload belongs to the session that made it")
        #expect(try count(server, "statement_lines") == 0)
        let imported = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        #expect(imported.status == 200 && imported.text.contains("Đã nhập sao kê"), "\(imported.text)")
        #expect(try count(server, "statement_lines") == 2)
        let twice = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        #expect(twice.status == 410, "the upload is gone once imported: a second click imports nothing")
        #expect(try count(server, "statement_imports") == 1)
    }

    @Test func aRefusedFileNamesItsLineAndChangesNothing() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        let refused = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: Self.statement(currency: "EUR"))
        #expect(refused.status == 422 && refused.text.contains("<dt>Dòng</dt><dd>4</dd>"), "\(refused.text)")
        let empty = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: "")
        #expect(empty.status == 400)
        #expect(try count(server, "statement_lines") == 0 && count(server, "console_uploads") == 0)
    }

    @Test func anAccountantAcceptsAProposalAfterAConfirmation() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        let preview = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: Self.statement())
        let action = try #require(preview.text.range(of: #"/bank/uploads/[A-Za-z0-9_-]+/import"#, options: .regularExpression).map { String(preview.text[$0]) })
        _ = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        let transaction = try suspended(server)
        let queue = try browser.get("/console/schools/TH-OWN/suspense")
        #expect(queue.text.contains("/suspense/\(transaction)/accept?proposal=1"), "\(queue.text)")
        #expect(try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/accept?proposal=0").status == 404)
        #expect(try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/accept?proposal=99").status == 404)
        let confirm = try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/accept?proposal=1")
        #expect(confirm.status == 200 && confirm.text.contains("Xác nhận áp dụng đề xuất"))
        #expect(try count(server, "payment_applications") == 0, "the confirmation page changes nothing")
        let done = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/accept",
                                    [("csrf", ConsoleClient.csrf(in: confirm)), ("proposal", "1")])
        #expect(done.status == 303 && done.header("Location") == "/console/schools/TH-OWN/suspense?done=\(transaction)")
        let applied = try server.pool.withConnection { connection in
            try connection.query("SELECT recorded_by FROM receipts WHERE method = 'bank'").map { try $0.decode(column: 0, as: String.self) }
        }
        #expect(applied == ["user ketoan"], "the console user is the recorded actor")
        let again = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/accept",
                                     [("csrf", ConsoleClient.csrf(in: confirm)), ("proposal", "1")])
        #expect(again.status == 422 || again.status == 409 || again.status == 404, "nothing left to accept: \(again.status)")
    }

    @Test func aRefundNeedsAReasonAndGoesThroughTheService() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        let preview = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: Self.statement())
        let action = try #require(preview.text.range(of: #"/bank/uploads/[A-Za-z0-9_-]+/import"#, options: .regularExpression).map { String(preview.text[$0]) })
        _ = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        let transaction = try suspended(server)
        let confirm = try browser.get("/console/schools/TH-OWN/suspense/\(transaction)/refund")
        let csrf = ConsoleClient.csrf(in: confirm)
        let noReason = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/refund", [("csrf", csrf), ("reason", " ")])
        #expect(noReason.status == 422 && noReason.text.contains("reason"), "\(noReason.text)")
        let refunded = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/refund", [("csrf", csrf), ("reason", "Chuyển nhầm trường")])
        #expect(refunded.status == 303)
        #expect(try count(server, "suspense_dispositions") == 1)
        let applyWrong = try browser.post("/console/schools/TH-OWN/suspense/\(transaction)/apply",
                                          [("csrf", csrf), ("invoice1", "2026/999999"), ("amount1", "100.000")])
        #expect(applyWrong.status == 422 && applyWrong.text.contains("2026/999999"), "an unknown invoice is named: \(applyWrong.text)")
    }

    @Test func theMonthRunsAndClosesOnlyWhenTheBankAgrees() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        // An opening balance the books never saw: the ledger holds 1.480.000 đ less than the bank says.
        let preview = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: Self.statement(opening: "1000000,00", closing: "2480000,00"))
        let action = try #require(preview.text.range(of: #"/bank/uploads/[A-Za-z0-9_-]+/import"#, options: .regularExpression).map { String(preview.text[$0]) })
        _ = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        let month = try browser.get("/console/schools/TH-OWN/reconciliation?month=2026-09")
        #expect(month.status == 200 && month.text.contains("Chạy đối soát"))
        let ran = try browser.post("/console/schools/TH-OWN/reconciliation/run", [("csrf", ConsoleClient.csrf(in: month)), ("month", "2026-09")])
        #expect(ran.status == 303)
        let report = try browser.get("/console/schools/TH-OWN/reconciliation?month=2026-09")
        #expect(report.text.contains("id=\"runs\"") && report.text.contains("Báo cáo đối soát thu tiền"), "\(report.text)")
        let refused = try browser.post("/console/schools/TH-OWN/reconciliation/close", [("csrf", ConsoleClient.csrf(in: month)), ("month", "2026-09")])
        #expect(refused.status == 409 && refused.text.contains("id=\"differences\""), "\(refused.text)")
        #expect(try server.pool.withConnection { try Schools.find(id: server.ownSchool.id, on: $0)?.closedThrough } == nil)
    }

    @Test func theMonthClosesWhenTheBankAgrees() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let bank = try browser.get("/console/schools/TH-OWN/bank")
        let preview = try upload(browser, csrf: ConsoleClient.csrf(in: bank), file: Self.statement())
        let action = try #require(preview.text.range(of: #"/bank/uploads/[A-Za-z0-9_-]+/import"#, options: .regularExpression).map { String(preview.text[$0]) })
        _ = try browser.post("/console/schools/TH-OWN" + action, [("csrf", ConsoleClient.csrf(in: preview))])
        let confirm = try browser.get("/console/schools/TH-OWN/reconciliation/close?month=2026-09")
        #expect(confirm.status == 200 && confirm.text.contains("Xác nhận khóa sổ"))
        let closed = try browser.post("/console/schools/TH-OWN/reconciliation/close", [("csrf", ConsoleClient.csrf(in: confirm)), ("month", "2026-09")])
        #expect(closed.status == 303, "\(closed.text)")
        #expect(try server.pool.withConnection { try Schools.find(id: server.ownSchool.id, on: $0)?.closedThrough?.iso } == "2026-09-30")
    }

    @Test func everyNewFormRefusesAPostWithoutTheCSRFToken() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        #expect(try upload(browser, csrf: nil, file: Self.statement()).status == 403)
        #expect(try upload(browser, csrf: "forged", file: Self.statement()).status == 403)
        let forms = ["/bank/uploads/1/import", "/suspense/1/accept", "/suspense/1/apply", "/suspense/1/refund", "/suspense/1/not-tuition",
                     "/reconciliation/run", "/reconciliation/close"]
        for form in forms {
            let refused = try browser.post("/console/schools/TH-OWN" + form, [("month", "2026-09"), ("proposal", "1"), ("reason", "x")])
            #expect(refused.status == 403, "\(form) without the token: \(refused.status)")
        }
        #expect(try count(server, "statement_lines") == 0 && count(server, "reconciliation_runs") == 0 && count(server, "console_uploads") == 0)
    }

    @Test func anotherSchoolsTransactionsAndReportsAnswer404() throws {
        let server = try APITestServer()
        var browser = try accountant(server)
        let runner = MonthlyReconciliation(pool: server.pool)
        let otherRun = try runner.run(schoolID: server.otherSchool.id, month: try CalendarMonth(iso: "2026-09"), close: false, actor: .system).run
        let page = try browser.get("/console/schools/TH-OWN/bank")
        let csrf = ConsoleClient.csrf(in: page)
        #expect(try browser.get("/console/schools/TH-OWN/reconciliations/\(otherRun.id)").status == 404, "another school's run by its id")
        #expect(try browser.get("/console/schools/TH-OTHER/reconciliations/\(otherRun.id)").status == 404)
        #expect(try browser.get("/console/schools/TH-OTHER/reconciliation?month=2026-09").status == 404)
        #expect(try browser.get("/console/schools/TH-OTHER/bank").status == 404)
        #expect(try browser.post("/console/schools/TH-OTHER/reconciliation/run", [("csrf", csrf), ("month", "2026-09")]).status == 404)
        #expect(try upload(browser, csrf: csrf, file: Self.statement(), school: "TH-OTHER").status == 404)
        #expect(try browser.get("/console/schools/TH-OWN/suspense/999999/accept?proposal=1").status == 404)
        #expect(try browser.get("/console/schools/TH-OWN/suspense/999999/accept?proposal=0").status == 404)
        #expect(try count(server, "reconciliation_runs") == 1)
    }

    @Test func anAuthorityOfficeReadsItsSchoolsReportsAndCannotAct() throws {
        let server = try APITestServer()
        try BillingAPIClient(server, token: server.tokens[.accountant]!).seedSeptember()
        let run = try MonthlyReconciliation(pool: server.pool).run(schoolID: server.ownSchool.id, month: try CalendarMonth(iso: "2026-09"),
                                                                   close: false, actor: .system).run
        var office = ConsoleClient(server)
        #expect(try office.signIn([("token", server.tokens[.authorityOffice]!)]).status == 303)
        let province = try office.get("/console?month=2026-09")
        #expect(province.text.contains("/console/schools/TH-OWN?month=2026-09"), "the dashboard links the school")
        let school = try office.get("/console/schools/TH-OWN?month=2026-09")
        #expect(school.text.contains("/console/schools/TH-OWN/reconciliation?month=2026-09"), "and the school its month's report")
        let month = try office.get("/console/schools/TH-OWN/reconciliation?month=2026-09")
        #expect(month.status == 200 && month.text.contains("Báo cáo đối soát thu tiền"))
        #expect(!month.text.contains("id=\"run\"") && !month.text.contains("Khóa sổ tháng…"), "read-only: no buttons")
        #expect(try office.get("/console/schools/TH-OWN/reconciliations/\(run.id)").status == 200)
        let csrf = ConsoleClient.csrf(in: month)
        #expect(try office.post("/console/schools/TH-OWN/reconciliation/run", [("csrf", csrf), ("month", "2026-09")]).status == 403)
        #expect(try office.post("/console/schools/TH-OWN/reconciliation/close", [("csrf", csrf), ("month", "2026-09")]).status == 403)
        #expect(try upload(office, csrf: csrf, file: Self.statement()).status == 403)
        #expect(try office.get("/console/schools/TH-OWN/suspense/1/accept?proposal=1").status == 403)
        let bank = try office.get("/console/schools/TH-OWN/bank")
        #expect(bank.status == 200 && !bank.text.contains("multipart/form-data"), "connections read-only, no upload form")
        #expect(try office.get("/console/schools/TH-OTHER/reconciliation?month=2026-09").status == 404, "only its own schools")
        #expect(try count(server, "reconciliation_runs") == 1 && count(server, "statement_lines") == 0)
    }
}
