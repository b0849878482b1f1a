import API
import Core
import Foundation
import Ledger
import TestSupport

/// Calls to one school's billing routes with one token, against a live `APITestServer`.
struct BillingAPIClient {
    let server: APITestServer
    let token: String
    let school: String

    init(_ server: APITestServer, token: String, school: String? = nil) {
        self.server = server
        self.token = token
        self.school = school ?? server.ownSchool.code
    }

    func target(_ path: String) -> String { "/v1/schools/\(school)\(path)" }

    func get(_ path: String) throws -> TestHTTPClient.Response {
        try server.client.get(target(path), token: token)
    }

    func post(_ path: String, _ json: String) throws -> TestHTTPClient.Response {
        try server.client.postJSON(target(path), json, token: token)
    }

    func put(_ path: String, _ json: String) throws -> TestHTTPClient.Response {
        try server.client.request("PUT", target(path), headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                  body: Array(json.utf8))
    }

    func postCSV(_ path: String, _ csv: String) throws -> TestHTTPClient.Response {
        try server.client.request("POST", target(path), headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")],
                                  body: Array(csv.utf8))
    }

    /// The school's September: the roster (three students, two of one family), tuition of 1,500,000 đ a month
    /// for September to May, and September issued on the first.
    func seedSeptember() throws {
        try expect(postCSV("/students/import", BillingRosters.good), 200)
        try expect(post("/fee-types", #"{"code":"HP","name":"Học phí","kind":"tuition"}"#), 201)
        try expect(post("/fee-schedules", #"{"fee_type":"HP","school_year":2026,"monthly_amount":1500000}"#), 201)
        try expect(post("/invoices/issue", #"{"period":"2026-09","issued_on":"2026-09-01"}"#), 200)
    }

    /// Seeding steps must succeed; a failure names the step's response.
    func expect(_ response: TestHTTPClient.Response, _ status: Int) throws {
        guard response.status == status else { throw BillingTestError.missing("expected \(status): \(response.status) \(response.text)") }
    }

    /// The September invoice of a student, from the listing.
    func invoice(of studentCode: String, period: String = "2026-09") throws -> [String: Any] {
        let list = try get("/invoices?period=\(period)&student=\(studentCode)")
        guard let item = (list.json["items"] as? [[String: Any]])?.first else {
            throw BillingTestError.missing("no \(period) invoice of \(studentCode): \(list.text)")
        }
        return item
    }
}

enum BillingTestError: Error {
    case missing(String)
}

/// Roster files as schools export them from the national database: Vietnamese headers, dd/MM/yyyy dates.
enum BillingRosters {
    /// The roster the API takes: the 8 required columns in order, ISO dates, no quoting (written out here, not taken
    /// from `RosterImport.apiFile`, so a change to the shape fails these tests).
    static let header = "student_code,full_name,date_of_birth,class,grade,guardian_name,guardian_phone,family_key\n"
    /// A name that must be escaped on every printed page (no `"`: the API's file has no quoting).
    static let trickyName = "Lê Thị <Bé> & 'Na'"

    static let good = header
        + "HS001,Lê Thị <Bé> & 'Na',2019-03-02,1A1,1,Lê Văn Cha,0912345678,GD1\n"
        + "HS002,Trần Văn Bình,2019-07-15,1A1,1,Trần Thị Mẹ,0987654321,GD2\n"
        + "HS003,Lê Văn Anh,2018-11-20,2A1,2,Lê Văn Cha,0912345678,GD1\n"

    /// The same with a day February does not have on line 3 and a grade no level teaches on line 4: outside the pattern.
    static let bad = header
        + "HS001,Lê Thị <Bé> & 'Na',2019-03-02,1A1,1,Lê Văn Cha,0912345678,GD1\n"
        + "HS002,Trần Văn Bình,2019-02-31,1A1,1,Trần Thị Mẹ,0987654321,GD2\n"
        + "HS003,Lê Văn Anh,2018-11-20,2A1,13,Lê Văn Cha,0912345678,GD1\n"

    /// A people's spreadsheet, as the console and `tuition students import` take it: Vietnamese headers, a quoted name,
    /// dd/MM/yyyy; a bad date of birth on line 3 and a grade a primary school does not teach on line 4.
    static let spreadsheetBad = "Mã HS,Họ và tên,Ngày sinh,Lớp,Khối,Phụ huynh,SĐT,Mã gia đình\n"
        + "HS001,\"Lê Thị <Bé> & \"\"Na\"\"\",02/03/2019,1A1,1,Lê Văn Cha,0912345678,GD1\n"
        + "HS002,Trần Văn Bình,31/02/2019,1A1,1,Trần Thị Mẹ,0987654321,GD2\n"
        + "HS003,Lê Văn Anh,20/11/2018,2A1,7,Lê Văn Cha,0912345678,GD1\n"
}

extension TestHTTPClient.Response {
    /// The `items` of a listing (empty when the body has none).
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
}
