@testable import API
import Billing
import Core
import Foundation
import Ledger
import Testing
import TestSupport

extension ConsoleClient {
    /// A file form as a browser posts it (`multipart/form-data`), with the session's cookie.
    mutating func postFile(_ target: String, csrf: String?, filename: String, file: [UInt8]) throws -> TestHTTPClient.Response {
        let boundary = "----ConsoleTestBoundary7Q"
        var body: [UInt8] = []
        if let csrf { body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8) }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file + Array("\r\n--\(boundary)--\r\n".utf8)
        let cookie = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        return try client.request("POST", target, headers: [("Cookie", cookie), ("Content-Type", "multipart/form-data; boundary=\(boundary)")],
                                  body: body)
    }

    /// The value of the hidden input `name` on a page.
    static func hidden(_ name: String, in page: TestHTTPClient.Response) -> String {
        guard let range = page.text.range(of: "name=\"\(name)\" value=\"") else { return "" }
        return String(page.text[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// The accountant's writing pages over a live server and real PostgreSQL: roster upload with preview and confirmation,
/// enrolments, issuing a month, the cash desk and its receipt — CSRF, scope and bad uploads refused.
@Suite struct ConsoleWritePagesTests {
    static let base = "/console/schools/TH-OWN"

    func signedIn(_ server: APITestServer, role: Role = .accountant) throws -> ConsoleClient {
        var browser = ConsoleClient(server)
        let answer = try browser.signIn([("token", server.tokens[role]!)])
        #expect(answer.status == 303)
        return browser
    }

    func studentCount(_ server: APITestServer, _ school: School) throws -> Int {
        try server.pool.withConnection { try Students.list(schoolID: school.id, on: $0).count }
    }

    @Test func aRosterWithErrorsIsPreviewedByLineAndFieldThenAGoodOneIsConfirmedOnce() throws {
        let server = try APITestServer()
        var browser = try signedIn(server)
        let form = try browser.get(Self.base + "/roster")
        #expect(form.status == 200 && form.text.contains("enctype=\"multipart/form-data\""))
        let csrf = ConsoleClient.csrf(in: form)

        let bad = try browser.postFile(Self.base + "/roster/preview", csrf: csrf, filename: "lop1.csv", file: Array(BillingRosters.spreadsheetBad.utf8))
        #expect(bad.status == 422)
        #expect(bad.text.contains("<td>3</td><td>Ngày sinh (date_of_birth)</td>"), "line 3, the date of birth: \(bad.text)")
        #expect(bad.text.contains("<td>4</td><td>Khối (grade)</td>"), "line 4, the grade")
        #expect(!bad.text.contains("name=\"upload\""), "a file with problems cannot be confirmed")
        #expect(try studentCount(server, server.ownSchool) == 0, "the preview changes nothing")

        let good = try browser.postFile(Self.base + "/roster/preview", csrf: csrf, filename: "lop1.csv", file: Array(BillingRosters.good.utf8))
        #expect(good.status == 200 && good.text.contains("Sẽ thêm mới"))
        #expect(good.text.contains("Lê Thị &lt;Bé&gt;") || !good.text.contains("<Bé>"), "names escaped")
        #expect(try studentCount(server, server.ownSchool) == 0, "still nothing written before the confirmation")
        let upload = ConsoleClient.hidden("upload", in: good)
        #expect(!upload.isEmpty)

        var stranger = try signedIn(server, role: .financeOffice)
        let strangerForm = try stranger.get(Self.base + "/roster")
        let stolen = try stranger.post(Self.base + "/roster/confirm", [("csrf", ConsoleClient.csrf(in: strangerForm)), ("upload", upload)])
        #expect(stolen.status == 410, "an upload belongs to the session that made it")

        let confirmed = try browser.post(Self.base + "/roster/confirm", [("csrf", csrf), ("upload", upload)])
        #expect(confirmed.status == 200 && confirmed.text.contains("Đã nhập danh sách"), "\(confirmed.text)")
        #expect(try studentCount(server, server.ownSchool) == 3)
        let again = try browser.post(Self.base + "/roster/confirm", [("csrf", csrf), ("upload", upload)])
        #expect(again.status == 410, "an upload is imported once")

        let search = try browser.get(Self.base + "/pupils?q=binh")
        #expect(search.status == 200 && search.text.contains("Trần Văn Bình") && !search.text.contains("Lê Văn Anh"), "search ignores diacritics")
    }

    @Test func badUploadsAreRefusedClearlyAndChangeNothing() throws {
        let server = try APITestServer()
        var browser = try signedIn(server)
        let csrf = ConsoleClient.csrf(in: try browser.get(Self.base + "/roster"))
        let workbook = try browser.postFile(Self.base + "/roster/preview", csrf: csrf, filename: "lop1.xlsx", file: [0x50, 0x4B, 0x03, 0x04])
        #expect(workbook.status == 415 && workbook.text.contains("không phải CSV") && workbook.text.contains("CSV UTF-8"))
        let large = [UInt8](repeating: UInt8(ascii: "a"), count: RosterImport.fileBytesMax + 1)
        let tooLarge = try browser.postFile(Self.base + "/roster/preview", csrf: csrf, filename: "lop1.csv", file: large)
        #expect(tooLarge.status == 413 && tooLarge.text.contains("quá giới hạn"), "\(tooLarge.status)")
        // Beyond this the server answers 413 before the handler and closes the connection (HTTPTests cover the limit itself).
        guard case .found(let route, _) = server.builder.router.match(method: .post, segments: ["console", "schools", "TH-OWN", "roster", "preview"])
        else { Issue.record("the preview route is not served"); return }
        #expect(route.options.bodyBytesMax == ConsoleFileForms.bodyBytesMax(fileBytesMax: RosterImport.fileBytesMax))
        #expect(route.options.routeClass == .expensive, "rate-limited under floods, as the API's imports")
        if case .found(let issue, _) = server.builder.router.match(method: .post, segments: ["console", "schools", "TH-OWN", "issue"]) {
            #expect(issue.options.routeClass == .expensive, "as POST …/invoices/issue")
        } else {
            Issue.record("the issue route is not served")
        }
        let utf16 = try browser.postFile(Self.base + "/roster/preview", csrf: csrf, filename: "lop1.csv", file: [0xFF, 0xFE, 0x41, 0x00])
        #expect(utf16.status == 422 && utf16.text.contains("UTF-16"))
        #expect(try studentCount(server, server.ownSchool) == 0)
    }

    @Test func everyNewFormRefusesAPostWithoutTheSessionsToken() throws {
        let server = try APITestServer()
        try BillingAPIClient(server, token: server.tokens[.accountant]!).seedSeptember()
        var browser = try signedIn(server)
        let invoicesBefore = try server.pool.withConnection { try InvoiceQueries.list(schoolID: server.ownSchool.id, filter: InvoiceFilter(),
                                                                                     limit: 100, on: $0) }
        let forgedUpload = try browser.postFile(Self.base + "/roster/preview", csrf: "forged", filename: "a.csv", file: Array(BillingRosters.good.utf8))
        #expect(forgedUpload.status == 403)
        #expect(try browser.postFile(Self.base + "/roster/preview", csrf: nil, filename: "a.csv", file: Array(BillingRosters.good.utf8)).status == 403)
        let forms: [(String, [(String, String)])] = [
            ("/roster/confirm", [("upload", "x")]),
            ("/pupils/HS002/enrolments", [("fee", "HP"), ("from", "2026-09-01")]),
            ("/pupils/HS002/enrolments/end", [("fee", "HP"), ("from", "2026-09-01"), ("through", "2026-09-30")]),
            ("/issue", [("month", "2026-10")]),
            ("/cash", [("invoice", "2026-000001"), ("amount", "1000"), ("payer", "X"), ("key", "k1")]),
        ]
        for (path, fields) in forms {
            let forged = try browser.post(Self.base + path, fields + [("csrf", "not-the-token")])
            #expect(forged.status == 403, "\(path) without the session's token")
        }
        let invoicesAfter = try server.pool.withConnection { try InvoiceQueries.list(schoolID: server.ownSchool.id, filter: InvoiceFilter(),
                                                                                    limit: 100, on: $0) }
        #expect(invoicesAfter == invoicesBefore, "no October invoices, no cash applied")
        #expect(try studentCount(server, server.ownSchool) == 3)
    }

    @Test func anotherSchoolsPupilsInvoicesAndReceiptsAnswer404AndReadersCannotWrite() throws {
        let server = try APITestServer()
        try BillingAPIClient(server, token: server.tokens[.admin]!, school: "TH-OTHER").seedSeptember()
        let otherInvoice = try BillingAPIClient(server, token: server.tokens[.admin]!, school: "TH-OTHER").invoice(of: "HS002")
        let otherCode = otherInvoice["payment_code"] as? String ?? ""
        var browser = try signedIn(server)
        for path in ["/console/schools/TH-OTHER/pupils", "/console/schools/TH-OTHER/pupils/HS002", "/console/schools/TH-OTHER/fees",
                     "/console/schools/TH-OTHER/cash", "/console/schools/TH-OTHER/issue", "/console/schools/TH-OTHER/receipts/1",
                     "/console/schools/TH-OTHER/roster"] {
            let answer = try browser.get(path)
            #expect(answer.status == 404 && !answer.text.contains("Trần Văn Bình"), "\(path)")
        }
        #expect(try browser.get(Self.base + "/pupils/HS002").status == 404, "the other school's pupil is not this school's")
        let desk = try browser.get(Self.base + "/cash?invoice=\(otherCode)")
        #expect(desk.status == 404 && !desk.text.contains("Trần Văn Bình"), "another school's invoice is not found at this desk")
        let csrf = ConsoleClient.csrf(in: try browser.get(Self.base + "/cash"))
        let taken = try browser.post(Self.base + "/cash", [("csrf", csrf), ("invoice", otherCode), ("amount", "1000"), ("payer", "X"), ("key", "k2")])
        #expect(taken.status == 404)
        let issued = try browser.post("/console/schools/TH-OTHER/issue", [("csrf", csrf), ("month", "2026-10")])
        #expect(issued.status == 404)

        var authority = try signedIn(server, role: .authorityOffice)
        #expect(try authority.get(Self.base + "/pupils").status == 200, "the authority reads its schools' pupils")
        #expect(try authority.get(Self.base + "/issue").status == 403, "but does not write, as the API refuses it")
    }

    @Test func anAccountantIssuesAMonthTakesCashAndPrintsTheReceiptOnce() throws {
        let server = try APITestServer()
        let api = BillingAPIClient(server, token: server.tokens[.accountant]!)
        try api.seedSeptember()
        try api.expect(api.post("/fee-types", #"{"code":"CLB","name":"Câu lạc bộ","kind":"agreed_collection","opt_in":true}"#), 201)
        var browser = try signedIn(server)
        let form = try browser.get(Self.base + "/issue?month=2026-10")
        #expect(form.status == 200)
        let csrf = ConsoleClient.csrf(in: form)
        let issued = try browser.post(Self.base + "/issue", [("csrf", csrf), ("month", "2026-10")])
        #expect(issued.status == 200 && issued.text.contains("<span class=\"label\">Hóa đơn mới</span><span class=\"value\">3</span>"),
                "\(issued.text)")
        let reissued = try browser.post(Self.base + "/issue", [("csrf", csrf), ("month", "2026-10")])
        #expect(reissued.text.contains("<span class=\"label\">Đã có từ trước</span><span class=\"value\">3</span>"), "issuing again adds nothing")

        let code = try api.invoice(of: "HS002", period: "2026-10")["payment_code"] as? String ?? ""
        let desk = try browser.get(Self.base + "/cash?invoice=\(code.lowercased())")
        #expect(desk.status == 200 && desk.text.contains("Trần Văn Bình") && desk.text.contains("1.500.000"))
        let fields = [("csrf", csrf), ("invoice", ConsoleClient.hidden("invoice", in: desk)), ("key", ConsoleClient.hidden("key", in: desk)),
                      ("amount", "1.500.000"), ("payer", "Trần Thị Mẹ")]
        let taken = try browser.post(Self.base + "/cash", fields)
        #expect(taken.status == 303)
        let location = taken.header("Location") ?? ""
        #expect(location.hasPrefix(Self.base + "/receipts/"))
        let receipt = try browser.get(location)
        #expect(receipt.status == 200 && receipt.text.contains("BIÊN LAI THU TIỀN") && receipt.text.contains("Trần Thị Mẹ"))
        #expect(receipt.text.contains("Một triệu năm trăm nghìn đồng") || receipt.text.lowercased().contains("một triệu năm trăm nghìn"))
        #expect(!receipt.text.contains("<style"), "the documents' stylesheet is a file, as the CSP requires")
        let twice = try browser.post(Self.base + "/cash", fields)
        #expect(twice.status == 303 && twice.header("Location") == location, "a second click replays the first payment")
        let invoice = try api.invoice(of: "HS002", period: "2026-10")
        #expect(invoice["outstanding"] as? Int == 0, "\(invoice)")
        #expect(try browser.get(Self.base + "/cash?invoice=\(code)").text.contains("đã nộp đủ"))

        let pupil = try browser.get(Self.base + "/pupils/HS002")
        #expect(pupil.status == 200 && pupil.text.contains("Câu lạc bộ (CLB)"))
        #expect(pupil.text.contains("href=\"\(location)\""), "the pupil's page links the receipt, to print it again")
        #expect(try browser.post(Self.base + "/pupils/HS002/enrolments", [("csrf", csrf), ("fee", "CLB"), ("from", "2026-11-01")]).status == 303)
        let enrolled = try server.pool.withConnection { connection in
            try Enrolments.list(schoolID: server.ownSchool.id, studentID: try Students.find(schoolID: server.ownSchool.id, code: "HS002",
                                                                                             on: connection)!.id, on: connection)
        }
        #expect(enrolled.count == 1 && enrolled.first?.through == nil)
        let ended = try browser.post(Self.base + "/pupils/HS002/enrolments/end",
                                     [("csrf", csrf), ("fee", "CLB"), ("from", "2026-11-01"), ("through", "2027-05-31")])
        #expect(ended.status == 303)
        let after = try browser.get(Self.base + "/pupils/HS002")
        #expect(after.text.contains("31/05/2027"), "\(after.text)")
        let before = try browser.post(Self.base + "/pupils/HS002/enrolments/end",
                                      [("csrf", csrf), ("fee", "CLB"), ("from", "2026-11-01"), ("through", "2026-10-01")])
        #expect(before.status == 422, "an end before the start is refused")

        let fees = try browser.get(Self.base + "/fees?year=2026")
        #expect(fees.status == 200 && fees.text.contains("Học phí (HP)") && fees.text.contains("1.500.000"))
    }
}
