import API
import Core
import Foundation
import HTTP
import Postgres
import Testing
import TestSupport

/// `POST /v1/schools/{school}/statements` through a live server: the body is the statement file.
@Suite struct StatementEndpointTests {
    static let account = "1111222233"

    static func statement(account: String = StatementEndpointTests.account, currency: String = "VND") -> String {
        """
        :20:API-0001
        :25:\(account)
        :28C:1/1
        :60F:C260901\(currency)1000000,00
        :61:2609050905C500000,00NTRFNONREF//API-1
        :86:HOC PHI THANG 9
        :61:2609060906D20000,00NCHGNONREF//API-2
        :86:PHI SMS
        :62F:C260930\(currency)1480000,00

        """
    }

    func upload(_ server: APITestServer, _ body: String, query: String, role: Role = .accountant, school: String? = nil) throws -> TestHTTPClient.Response {
        try server.client.request("POST", "/v1/schools/\(school ?? server.ownSchool.code)/statements?\(query)",
                                  headers: [("Authorization", "Bearer \(server.tokens[role]!)"), ("Content-Type", "application/octet-stream")],
                                  body: Array(body.utf8))
    }

    @Test func uploadsImportOnceAndReport() throws {
        let server = try APITestServer()
        let dry = try upload(server, Self.statement(), query: "account=\(Self.account)&dry_run=true&file_name=sept.sta")
        #expect(dry.status == 200, "\(dry.text)")
        #expect(dry.json["dry_run"] as? Bool == true && dry.json["import_id"] == nil)
        let first = try upload(server, Self.statement(), query: "account=\(Self.account)&file_name=sept.sta&format=mt940")
        #expect(first.status == 200, "\(first.text)")
        let counts = first.json["counts"] as? [String: Any]
        #expect(counts?["lines_new"] as? Int == 2 && counts?["bank_fees"] as? Int == 1 && counts?["left_in_suspense"] as? Int == 1)
        #expect(first.json["file_name"] as? String == "sept.sta" && (first.json["import_id"] as? Int ?? 0) > 0)
        let again = try upload(server, Self.statement(), query: "account=\(Self.account)", role: .financeOffice)
        #expect((again.json["counts"] as? [String: Any])?["lines_known"] as? Int == 2)
        let recorded = try server.pool.withConnection { connection in
            try connection.query("SELECT imported_by, file_name FROM statement_imports ORDER BY import_id").map { try $0.decode((String, String).self) }
        }
        #expect(recorded.count == 2 && recorded[0].0.contains("test accountant") && recorded[1].1 == "upload")
    }

    @Test func refusedFilesAndBadParametersAreProblems() throws {
        let server = try APITestServer()
        let euro = try upload(server, Self.statement(currency: "EUR"), query: "account=\(Self.account)")
        #expect(euro.status == 422 && euro.json["code"] as? String == "statement_not_vnd", "\(euro.text)")
        #expect((euro.json["detail"] as? String)?.contains("upload: line 4") == true, "\(euro.json)")
        let other = try upload(server, Self.statement(account: "4444555566"), query: "account=\(Self.account)")
        #expect(other.status == 422 && other.json["code"] as? String == "statement_wrong_account")
        let unknown = try upload(server, Self.statement(), query: "account=4444555566")
        #expect(unknown.status == 409 && unknown.json["code"] as? String == "unknown_bank_account", "the school's records: \(unknown.text)")
        #expect(try upload(server, Self.statement(), query: "").status == 400)
        #expect(try upload(server, Self.statement(), query: "account=\(Self.account)&dry_run=maybe").status == 400)
        #expect(try upload(server, Self.statement(), query: "account=\(Self.account)&format=").status == 400)
        // A file name is 1 to 255 Unicode scalars without control characters, as the document states.
        for name in ["", "a%09b", String(repeating: "e%CC%81", count: 128)] {
            let refused = try upload(server, Self.statement(), query: "account=\(Self.account)&dry_run=true&file_name=\(name)")
            #expect(refused.status == 400 && (refused.json["detail"] as? String ?? "").hasPrefix("file_name"), "\(name): \(refused.text)")
        }
        // The document lists the formats by their names; an alias the command line reads, or an unknown description, is a 400.
        for format in ["camt", "csv:", "csv:nobank", "vietcombank"] {
            let refused = try upload(server, Self.statement(), query: "account=\(Self.account)&format=\(format)")
            #expect(refused.status == 400 && refused.json["code"] as? String == "invalid_parameter", "\(format): \(refused.text)")
        }
        #expect(try upload(server, Self.statement(), query: "account=\(Self.account)&format=csv:vietcombank&dry_run=true").status == 422,
                "a listed format, a file not of it: the file's content")
        #expect(try upload(server, "", query: "account=\(Self.account)").status == 422)
        #expect(try upload(server, Self.statement(), query: "account=\(Self.account)", school: server.otherSchool.code).status == 404)
        #expect(try upload(server, Self.statement(), query: "account=\(Self.account)", role: .authorityOffice).status == 403)
        #expect(try server.pool.withConnection { try $0.query("SELECT count(*) FROM statement_lines").singleRow()!.decode(column: 0, as: Int.self) } == 0)
    }

    /// What the request names is resolved before the file is read (resource before content): a school that is not the
    /// caller's, or an account the school does not have, is answered so whatever the bytes; only a file sent for an
    /// account of the school is judged by its content (422 when it is no statement).
    @Test func theSchoolAndTheAccountComeBeforeTheFilesContent() throws {
        let server = try APITestServer()
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]
        for bytes in [png, [0], Array("0".utf8)] {
            let body = String(decoding: bytes, as: UTF8.self)
            let unknown = try upload(server, body, query: "account=0&dry_run=true")
            #expect(unknown.status == 409 && unknown.json["code"] as? String == "unknown_bank_account", "\(unknown.text)")
            let camt = try upload(server, body, query: "account=0&format=camt053")
            #expect(camt.status == 409 && camt.json["code"] as? String == "unknown_bank_account", "a named format too: \(camt.text)")
            #expect(try upload(server, body, query: "account=0", school: "00").status == 404)
            let known = try upload(server, body, query: "account=\(Self.account)&dry_run=true")
            #expect(known.status == 422 && known.json["code"] as? String == "statement_unreadable", "\(known.text)")
        }
    }

    /// The route takes files far above the server's default body cap, and refuses past 20 MiB before reading.
    @Test func theBodyCapIsTwentyMebibytes() throws {
        let server = try APITestServer()
        var text = ":20:BIG\n:25:\(Self.account)\n:28C:1/1\n:60F:C260901VND0,00\n"
        for index in 1...2_000 { text += ":61:2609050905C1000,00NTRFNONREF//BIG-\(index)\n:86:CHUYEN TIEN SO \(index) KHONG CO MA\n" }
        text += ":62F:C260930VND2000000,00\n"
        #expect(text.utf8.count > 64 * 1024)
        let big = try upload(server, text, query: "account=\(Self.account)")
        #expect(big.status == 200 && (big.json["counts"] as? [String: Any])?["lines_new"] as? Int == 2_000, "\(big.status)")
        let head = "POST /v1/schools/\(server.ownSchool.code)/statements?account=\(Self.account) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Connection: close\r\nAuthorization: Bearer \(server.tokens[.accountant]!)\r\nContent-Length: \(20 * 1024 * 1024 + 1)\r\n\r\n"
        let reply = String(decoding: try server.client.exchange(Array(head.utf8)), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(100))")
    }
}
