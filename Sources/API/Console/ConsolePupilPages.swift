import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Pupils: search the school's roster, one pupil with their enrolments in opt-in fees, enrol and end an enrolment.
/// Reads through `Students` and `Enrolments`, writes through `Enrolments.enrol` / `Enrolments.end` — what
/// `POST …/enrolments` and `tuition fees enrol` call.
enum ConsolePupilPages {
    /// Pupils listed on one page at most (a search narrows it).
    static let pupilsListedMax = 300
    static let searchCharactersMax = 64
    /// Receipts listed on a pupil's page at most, newest first.
    static let receiptsListedMax = 24

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/pupils", state: state) { request, session, school in
            try search(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/pupils/{student}", state: state) { request, session, school in
            try pupil(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, "/console/schools/{school}/pupils/{student}/enrolments", state: state) { request, session, school in
            try enrol(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, "/console/schools/{school}/pupils/{student}/enrolments/end", state: state) { request, session, school in
            try endEnrolment(request, session: session, school: school, state: state)
        }
    }

    /// Pupils whose code starts with, or whose name (diacritics and case aside) contains, `q`; of one class when given.
    static func search(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let query = String((request.queryValue("q") ?? "").trimmingCharacters(in: .whitespaces).prefix(searchCharactersMax))
        let className = request.queryValue("class").flatMap { $0.isEmpty ? nil : String($0.prefix(StudentRules.classCharactersMax)) }
        let students = try state.pool.withConnection { try Students.list(schoolID: school.id, on: $0) }
        let folded = VietnameseText.normalized(query)
        let found = students.filter { student in
            (className == nil || student.className == className)
                && (query.isEmpty || student.code.lowercased().hasPrefix(query.lowercased()) || student.normalizedName.contains(folded))
        }
        let base = ConsoleSchoolPages.base(school)
        // Only roles that may import see the link (ConsoleSchoolPages.roles of the roster pages).
        let imports = ConsoleSchoolPages.allowedRoles(.get, "/console/schools/{school}/roster").contains(session.caller.role)
        var body = imports ? "<p><a href=\"\(HTMLText.escaped(base))/roster\">Nhập danh sách từ tệp</a></p>\n" : ""
        body += "<form class=\"card\" method=\"get\" action=\"\(HTMLText.escaped(base))/pupils\">"
        body += "<label for=\"q\">Tên hoặc mã học sinh</label><input type=\"text\" id=\"q\" name=\"q\" value=\"\(HTMLText.escaped(query))\">"
        body += "<label for=\"class\">Lớp</label><input type=\"text\" id=\"class\" name=\"class\" value=\"\(HTMLText.escaped(className ?? ""))\">"
        body += "<p><button type=\"submit\">Tìm</button></p></form>\n"
        body += "<div class=\"scroll\"><table id=\"pupils\"><thead><tr><th>Mã</th><th>Họ và tên</th><th>Lớp</th><th>Ngày sinh</th>"
        body += "<th>Mã thanh toán</th><th>Trạng thái</th></tr></thead><tbody>\n"
        for student in found.prefix(pupilsListedMax) {
            let link = "\(base)/pupils/\(ConsoleDashboards.percentEncoded(student.code))"
            body += "<tr><td><a href=\"\(HTMLText.escaped(link))\">\(HTMLText.escaped(student.code))</a></td>"
            body += "<td>\(HTMLText.escaped(student.fullName))</td><td>\(HTMLText.escaped(student.className))</td>"
            body += "<td>\(HTMLText.escaped(student.details.dateOfBirth?.vietnamese ?? ""))</td><td>\(HTMLText.escaped(student.paymentCode))</td>"
            body += "<td>\(student.status.isActive ? "Đang học" : "Đã nghỉ")</td></tr>\n"
        }
        body += "</tbody></table></div>\n<p>\(found.count) học sinh"
        body += found.count > pupilsListedMax ? ", hiện \(pupilsListedMax) đầu tiên; hãy tìm hẹp hơn.</p>\n" : ".</p>\n"
        return ConsoleSchoolPages.page("Học sinh", body, session: session, school: school)
    }

    static func pupil(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let found = try state.pool.withConnection { connection -> (Student, [Enrolment], [FeeType], [ReceiptRecord])? in
            guard let student = try BillingLookup.student(request.pathParameters["student"] ?? "", school: school, on: connection) else { return nil }
            let receiptIDs = try Receipts.list(schoolID: school.id, studentID: student.id, on: connection).suffix(receiptsListedMax).reversed()
            return (student, try Enrolments.list(schoolID: school.id, studentID: student.id, on: connection),
                    try FeeTypes.list(schoolID: school.id, on: connection),
                    try receiptIDs.compactMap { try Receipts.receipt(schoolID: school.id, receiptID: $0, on: connection) })
        }
        guard let (student, enrolments, fees, receipts) = found else { return ConsoleDashboards.notFound(session) }
        let feeByID = Dictionary(fees.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let action = "\(ConsoleSchoolPages.base(school))/pupils/\(ConsoleDashboards.percentEncoded(student.code))/enrolments"
        var body = "<section class=\"card\"><table><tbody>\n"
        let facts = [("Mã học sinh", student.code), ("Lớp", student.className), ("Ngày sinh", student.details.dateOfBirth?.vietnamese ?? ""),
                     ("Phụ huynh", student.details.guardianName ?? ""), ("Mã thanh toán", student.paymentCode)]
        for (label, value) in facts { body += "<tr><th>\(HTMLText.escaped(label))</th><td>\(HTMLText.escaped(value))</td></tr>\n" }
        body += "</tbody></table></section>\n<h2>Đăng ký khoản thu tự nguyện</h2>\n"
        body += "<div class=\"scroll\"><table id=\"enrolments\"><thead><tr><th>Khoản thu</th><th>Từ ngày</th><th>Đến ngày</th><th></th></tr></thead><tbody>\n"
        let today = VietnamTime.today
        for enrolment in enrolments {
            let fee = feeByID[enrolment.feeTypeID]
            body += "<tr><td>\(HTMLText.escaped(fee.map { "\($0.name) (\($0.code))" } ?? ""))</td>"
            body += "<td>\(HTMLText.escaped(enrolment.from.vietnamese))</td><td>\(HTMLText.escaped(enrolment.through?.vietnamese ?? "—"))</td><td>"
            if enrolment.through.map({ $0 > today }) ?? true, let fee {
                body += "<form method=\"post\" action=\"\(HTMLText.escaped(action))/end\">" + ConsolePage.csrfField(session.csrf)
                body += "<input type=\"hidden\" name=\"fee\" value=\"\(HTMLText.escaped(fee.code))\">"
                body += "<input type=\"hidden\" name=\"from\" value=\"\(enrolment.from.iso)\">"
                body += "<label for=\"through-\(fee.id)-\(enrolment.from.iso)\">Ngày cuối</label>"
                body += "<input type=\"date\" id=\"through-\(fee.id)-\(enrolment.from.iso)\" name=\"through\" value=\"\(today.iso)\" required> "
                body += "<button type=\"submit\">Kết thúc</button></form>"
            }
            body += "</td></tr>\n"
        }
        body += "</tbody></table></div>\n"
        let optIn = fees.filter(\.requiresEnrolment)
        if optIn.isEmpty {
            body += "<p>Trường chưa có khoản thu tự nguyện nào.</p>\n"
        } else {
            body += "<form class=\"card\" method=\"post\" action=\"\(HTMLText.escaped(action))\">" + ConsolePage.csrfField(session.csrf)
            body += "<label for=\"fee\">Khoản thu</label><select id=\"fee\" name=\"fee\">"
            for fee in optIn { body += "<option value=\"\(HTMLText.escaped(fee.code))\">\(HTMLText.escaped("\(fee.name) (\(fee.code))"))</option>" }
            body += "</select><label for=\"from\">Từ ngày</label><input type=\"date\" id=\"from\" name=\"from\" value=\"\(today.iso)\" required>"
            body += "<label for=\"through\">Đến ngày (để trống nếu chưa biết)</label><input type=\"date\" id=\"through\" name=\"through\">"
            body += "<p><button type=\"submit\">Đăng ký</button></p></form>\n"
        }
        body += receiptsSection(receipts, school: school)
        return ConsoleSchoolPages.page(student.fullName, body, session: session, school: school)
    }

    /// The pupil's newest receipts, each linking to its printable page (to print it again).
    static func receiptsSection(_ receipts: [ReceiptRecord], school: School) -> String {
        var html = "<h2>Biên lai</h2>\n"
        guard !receipts.isEmpty else { return html + "<p>Chưa có biên lai nào.</p>\n" }
        html += "<div class=\"scroll\"><table id=\"receipts\"><thead><tr><th>Số</th><th>Ngày</th><th>Người nộp</th>"
        html += "<th class=\"money\">Số tiền</th></tr></thead><tbody>\n"
        for receipt in receipts {
            let link = "\(ConsoleSchoolPages.base(school))/receipts/\(receipt.id)"
            html += "<tr><td><a href=\"\(HTMLText.escaped(link))\">\(HTMLText.escaped(receipt.numberText))</a></td>"
            html += "<td>\(HTMLText.escaped(receipt.receivedOn.vietnamese))</td><td>\(HTMLText.escaped(receipt.payerName))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(receipt.amount.description))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    static func enrol(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let form = ConsoleHTTP.form(request)
        let from = try date(form["from"], field: "from")
        let through = (form["through"] ?? "").isEmpty ? nil : try date(form["through"], field: "through")
        let code = try state.pool.transaction(isolation: .readCommitted) { connection -> String? in
            guard let student = try BillingLookup.student(request.pathParameters["student"] ?? "", school: school, on: connection) else { return nil }
            let fee = try BillingLookup.bodyFeeType(form["fee"] ?? "", field: "fee", school: school, on: connection)
            try Enrolments.enrol(schoolID: school.id, Enrolment(studentID: student.id, feeTypeID: fee.id, from: from, through: through),
                                 recordedBy: session.billingActor, on: connection)
            return student.code
        }
        guard let code else { return ConsoleDashboards.notFound(session) }
        return ConsoleHTTP.redirect("\(ConsoleSchoolPages.base(school))/pupils/\(ConsoleDashboards.percentEncoded(code))")
    }

    static func endEnrolment(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let form = ConsoleHTTP.form(request)
        let from = try date(form["from"], field: "from")
        let through = try date(form["through"], field: "through")
        let code = try state.pool.transaction(isolation: .readCommitted) { connection -> String? in
            guard let student = try BillingLookup.student(request.pathParameters["student"] ?? "", school: school, on: connection) else { return nil }
            let fee = try BillingLookup.bodyFeeType(form["fee"] ?? "", field: "fee", school: school, on: connection)
            try Enrolments.end(schoolID: school.id, studentID: student.id, feeTypeID: fee.id, from: from, through: through, on: connection)
            return student.code
        }
        guard let code else { return ConsoleDashboards.notFound(session) }
        return ConsoleHTTP.redirect("\(ConsoleSchoolPages.base(school))/pupils/\(ConsoleDashboards.percentEncoded(code))")
    }

    /// A date field of a form (`YYYY-MM-DD`, as the date input sends it); 422 naming the field otherwise.
    static func date(_ text: String?, field: String) throws -> CalendarDate {
        guard let text, text.utf8.count <= 10, let date = try? CalendarDate(iso: text) else {
            throw HTTPError(status: .unprocessableContent, code: "invalid_field", detail: "\(field): expected a date YYYY-MM-DD")
        }
        return date
    }
}
