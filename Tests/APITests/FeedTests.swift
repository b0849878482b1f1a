import API
import Billing
import Core
import Foundation
import Ledger
import Postgres
import TestSupport
import Testing

/// The open data feed: its own token role, official codes, cursor paging, ETag, and no personal data.
@Suite struct FeedTests {
    static let pupilName = "Nguyễn Thị Riêng Tư"
    static let payerName = "Trần Văn Người Nộp"

    /// Gives both schools of the server official codes and communes, and the own school a pupil who paid in cash.
    func prepare(_ server: APITestServer) throws -> (studentCode: String, paymentCode: String) {
        try server.pool.transaction(isolation: .readCommitted) { connection in
            let ward = Commune(code: "05500", name: "Phường Phan Đình Phùng")
            let other = Commune(code: "05600", name: "Phường Tích Lương")
            try Schools.relocate(schoolID: server.ownSchool.id, officialCode: "19000101", commune: ward,
                                 authority: .managing(level: .primary, commune: ward), on: connection)
            try Schools.relocate(schoolID: server.otherSchool.id, officialCode: "19000102", commune: other,
                                 authority: .managing(level: .primary, commune: other), on: connection)
            let school = server.ownSchool.id
            let fee = try FeeTypes.add(schoolID: school, code: "BT", name: "Tiền ăn bán trú", kind: .agreedCollection, on: connection)
            try FeeSchedules.set(schoolID: school, FeeScheduleInput(feeTypeID: fee.id, schoolYear: 2026, scope: .school,
                                                                    monthlyAmount: Money(dong: 450_000), billableMonths: FeeScheduleInput.septemberToMay,
                                                                    dueDay: 10), on: connection)
            let student = try Students.create(schoolID: school, StudentDetails(code: "HSRIENG01", fullName: Self.pupilName, dateOfBirth: nil,
                                                                               className: "1A", grade: 1, guardianName: Self.payerName,
                                                                               guardianPhone: "0912345678"),
                                              changedBy: "test", on: connection)
            _ = try InvoiceIssuer.issue(schoolID: school, period: try CalendarMonth(iso: "2026-09"), issuedOn: try CalendarDate(iso: "2026-09-01"),
                                        issuedBy: "test", on: connection)
            _ = try CashReceipts.record(CashPayment(schoolID: school, studentIDs: [student.id], amount: Money(dong: 450_000),
                                                    payerName: Self.payerName, receivedOn: try CalendarDate(iso: "2026-09-15"),
                                                    allocations: nil, recordedBy: "test"), on: connection)
            return (student.code, student.paymentCode)
        }
    }

    @Test func theFeedRoleReadsTheFeedAndNothingElse() throws {
        let server = try APITestServer()
        let feed = server.tokens[.feed]!
        #expect(try server.client.get("/v1/feed/schools", token: feed).status == 200)
        #expect(try server.client.get("/v1/feed/kpi?month=2026-09", token: feed).status == 200)
        for path in ["/v1/schools", "/v1/schools/TH-OWN", "/v1/reports/province?month=2026-09", "/v1/reports/kpi?month=2026-09", "/metrics"] {
            #expect(try server.client.get(path, token: feed).status == 403, "\(path)")
        }
        // Schools are not feed readers; the finance office is.
        #expect(try server.client.get("/v1/feed/schools", token: server.tokens[.accountant]!).status == 403)
        #expect(try server.client.get("/v1/feed/schools", token: server.tokens[.authorityOffice]!).status == 403)
        #expect(try server.client.get("/v1/feed/schools", token: server.tokens[.financeOffice]!).status == 200)
        #expect(try server.client.get("/v1/feed/schools").status == 401)
    }

    @Test func schoolsPageByCursorInOfficialCodeOrder() throws {
        let server = try APITestServer()
        _ = try prepare(server)
        let feed = server.tokens[.feed]!
        let first = try server.client.get("/v1/feed/schools?limit=1", token: feed)
        #expect(first.status == 200 && first.json["version"] as? Int == 1)
        let items = first.json["items"] as? [[String: Any]] ?? []
        #expect(items.map { $0["official_code"] as? String } == ["19000101"])
        #expect(items.first?["authority_code"] as? String == "UBND-05500" && items.first?["commune_name"] as? String == "Phường Phan Đình Phùng")
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = try server.client.get("/v1/feed/schools?limit=1&cursor=\(cursor)", token: feed)
        #expect((second.json["items"] as? [[String: Any]])?.map { $0["official_code"] as? String } == ["19000102"])
        #expect(second.json["next_cursor"] == nil || second.json["next_cursor"] is NSNull)
        for bad in ["limit=0", "limit=501", "limit=x", "cursor=!!", "cursor=\(String(repeating: "A", count: 80))", "cursor=dzI6MTkwMDAxMDE"] {
            let refused = try server.client.get("/v1/feed/schools?\(bad)", token: feed)
            #expect(refused.status == 400 && refused.json["code"] as? String == "invalid_parameter", "\(bad): \(refused.status)")
        }
    }

    @Test func anUnchangedPageAnswers304() throws {
        let server = try APITestServer()
        _ = try prepare(server)
        let feed = server.tokens[.feed]!
        for path in ["/v1/feed/schools", "/v1/feed/kpi?month=2026-09"] {
            let first = try server.client.get(path, token: feed)
            let etag = try #require(first.header("ETag"))
            #expect(etag.hasPrefix("\"") && etag.count == 66)
            let again = try server.client.request("GET", path, headers: [("Authorization", "Bearer \(feed)"), ("If-None-Match", etag)])
            #expect(again.status == 304 && again.body.isEmpty && again.header("ETag") == etag, "\(path)")
            let stale = try server.client.request("GET", path, headers: [("Authorization", "Bearer \(feed)"), ("If-None-Match", "\"old\"")])
            #expect(stale.status == 200 && stale.body == first.body)
        }
        // A change to the data changes the tag.
        let before = try server.client.get("/v1/feed/schools", token: feed).header("ETag")
        try server.pool.withConnection { connection in
            let commune = Commune(code: "05700", name: "Xã Minh họa")
            try Schools.relocate(schoolID: server.otherSchool.id, officialCode: "19000102", commune: commune,
                                 authority: .managing(level: .primary, commune: commune), on: connection)
        }
        #expect(try server.client.get("/v1/feed/schools", token: feed).header("ETag") != before)
    }

    @Test func theFeedCarriesNoPersonalData() throws {
        let server = try APITestServer()
        let pupil = try prepare(server)
        let feed = server.tokens[.feed]!
        let kpi = try server.client.get("/v1/feed/kpi?month=2026-09", token: feed)
        #expect(kpi.status == 200, "\(kpi.text)")
        let province = kpi.json["province"] as? [String: Any] ?? [:]
        #expect(province["cash_payments"] as? Int == 1 && province["cash_amount"] as? Int == 450_000)
        #expect(province["general_education_schools"] as? Int == 2 && province["schools_collecting_through_banks"] as? Int == 0)
        let schools = try server.client.get("/v1/feed/schools", token: feed)
        for body in [kpi.text, schools.text] {
            let folded = VietnameseText.normalized(body)
            for secret in [Self.pupilName, Self.payerName, pupil.studentCode, pupil.paymentCode, "0912345678", "1111222233"] {
                #expect(!body.contains(secret) && !folded.contains(VietnameseText.normalized(secret)), "\(secret) in the feed")
            }
        }
        // Only aggregate keys: every key of every object is one the feed documents.
        let allowed: Set<String> = ["version", "month", "definition", "target_bank_schools2025", "target_cashless2030", "province", "trend",
                                    "items", "next_cursor", "figures", "authority_code", "authority_name", "authority_kind",
                                    "general_education_schools", "schools_collecting_through_banks", "bank_school_share", "bank_payments",
                                    "cash_payments", "bank_amount", "cash_amount", "cashless_share_by_count", "cashless_share_by_value",
                                    "basis_points", "display"]
        #expect(Self.keys(kpi.json).subtracting(allowed).isEmpty, "\(Self.keys(kpi.json).subtracting(allowed))")
    }

    @Test func theKPIReportThroughTheAPIScopesAnAuthorityOffice() throws {
        let server = try APITestServer()
        let office = server.tokens[.authorityOffice]!
        let own = try server.client.get("/v1/reports/kpi?month=2026-09", token: office)
        #expect(own.status == 200, "\(own.text)")
        let authorities = (own.json["authorities"] as? [[String: Any]] ?? []).map { $0["code"] as? String ?? "" }
        #expect(authorities == [server.ownSchool.authority.code])
        #expect((own.json["provinceName"] as? String ?? "").hasSuffix(" — " + server.ownSchool.authority.name))
        let all = try server.client.get("/v1/reports/kpi?year=2026", token: server.tokens[.financeOffice]!)
        #expect((all.json["authorities"] as? [[String: Any]])?.count == 2 && (all.json["trend"] as? [Any])?.count == 12)
        let csv = try server.client.get("/v1/reports/kpi?month=2026-09&format=csv", token: office)
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF] && csv.header("Content-Type") == "text/csv; charset=utf-8")
        let page = try server.client.get("/v1/reports/kpi?month=2026-09&format=html", token: office)
        #expect(page.text.contains("<svg") && page.text.contains("Chỉ tiêu 2030: 80 %"))
        #expect(try server.client.get("/v1/reports/kpi", token: office).status == 400)
        #expect(try server.client.get("/v1/reports/kpi?month=2026-09&year=2026", token: office).status == 400)
        #expect(try server.client.get("/v1/reports/kpi?month=2026-09", token: server.tokens[.accountant]!).status == 403)
    }

    static func keys(_ value: Any) -> Set<String> {
        if let object = value as? [String: Any] { return object.reduce(into: Set(object.keys)) { $0.formUnion(keys($1.value)) } }
        if let array = value as? [Any] { return array.reduce(into: Set<String>()) { $0.formUnion(keys($1)) } }
        return []
    }
}
