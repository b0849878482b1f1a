import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Fees of a school year: the items of the province's catalogue in force that apply to the school (its level and area
/// class, with their caps) and the school's fee types and schedules. Read through `FeeCatalogues.inForce`, `FeeTypes`
/// and `FeeSchedules`, as `GET …/fee-types`, `GET …/fee-schedules` and `tuition fees catalogue` read them.
enum ConsoleFeePages {
    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/fees", state: state) { request, session, school in
            try fees(request, session: session, school: school, state: state)
        }
    }

    static func schoolYear(_ request: Request) throws -> Int {
        guard let text = request.queryValue("year"), !text.isEmpty else { return VietnamTime.today.calendarMonth.schoolYear }
        guard let year = Int(text), FeeSchedules.schoolYears.contains(year) else {
            throw HTTPError(status: .badRequest, code: "invalid_year",
                            detail: "year: a year from \(FeeSchedules.schoolYears.lowerBound) to \(FeeSchedules.schoolYears.upperBound)")
        }
        return year
    }

    static func fees(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let year = try schoolYear(request)
        let (catalogue, types, schedules) = try state.pool.withConnection { connection in
            (try FeeCatalogues.inForce(schoolYear: year, on: connection), try FeeTypes.list(schoolID: school.id, on: connection),
             try FeeSchedules.list(schoolID: school.id, schoolYear: year, on: connection))
        }
        var body = "<form class=\"card\" method=\"get\" action=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/fees\">"
        body += "<label for=\"year\">Năm học bắt đầu năm</label><input type=\"text\" id=\"year\" name=\"year\" inputmode=\"numeric\" value=\"\(year)\">"
        body += " <button type=\"submit\">Xem</button></form>\n"
        body += "<p>\(HTMLText.escaped(school.level.vietnameseName)), \(HTMLText.escaped(school.ownership.vietnameseName).lowercased()), "
        body += "\(HTMLText.escaped(school.areaClass.vietnameseName.lowercased()))</p>\n"
        body += catalogueSection(catalogue, school: school, year: year)
        body += schedulesSection(types, schedules)
        return ConsoleSchoolPages.page("Các khoản thu năm học \(year)–\(year + 1)", body, session: session, school: school)
    }

    static func catalogueSection(_ catalogue: FeeCatalogue?, school: School, year: Int) -> String {
        guard let catalogue else { return "<h2>Danh mục của tỉnh</h2>\n<p>Chưa cài danh mục khoản thu nào cho năm học này.</p>\n" }
        var html = "<h2>Danh mục của tỉnh: \(HTMLText.escaped(catalogue.resolution))</h2>\n<p>\(HTMLText.escaped(catalogue.title))"
        if catalogue.illustrative { html += " (số liệu minh họa)" }
        html += "</p>\n<div class=\"scroll\"><table id=\"catalogue\"><thead><tr><th>Mã</th><th>Khoản thu</th><th>Loại</th>"
        html += "<th class=\"money\">Mức tối đa</th></tr></thead><tbody>\n"
        for item in catalogue.items {
            guard let cap = item.cap(level: school.level, area: school.areaClass) else { continue }
            html += "<tr><td>\(HTMLText.escaped(item.code))</td><td>\(HTMLText.escaped(item.name))</td><td>\(kindName(item.kind))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(cap.description))/\(HTMLText.escaped(item.unit.vietnameseName))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    static func schedulesSection(_ types: [FeeType], _ schedules: [FeeSchedule]) -> String {
        let byID = Dictionary(types.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var html = "<h2>Biểu phí của trường</h2>\n<div class=\"scroll\"><table id=\"schedules\"><thead><tr><th>Khoản thu</th><th>Áp dụng cho</th>"
        html += "<th class=\"money\">Mức thu</th><th>Các tháng</th><th>Hạn nộp</th></tr></thead><tbody>\n"
        for schedule in schedules {
            let fee = byID[schedule.feeTypeID]
            let name = fee.map { "\($0.name) (\($0.code))" + ($0.requiresEnrolment ? ", tự nguyện" : "") } ?? ""
            html += "<tr><td>\(HTMLText.escaped(name))</td><td>\(HTMLText.escaped(scopeName(schedule.scope)))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(schedule.monthlyAmount.description))/\(schedule.rateUnit == .day ? "ngày" : "tháng")</td>"
            html += "<td>\(HTMLText.escaped(schedule.billableMonths.map(String.init).joined(separator: ", ")))</td>"
            html += "<td>ngày \(schedule.dueDay)</td></tr>\n"
        }
        html += "</tbody></table></div>\n"
        if schedules.isEmpty { html += "<p>Chưa có biểu phí nào cho năm học này.</p>\n" }
        return html
    }

    static func kindName(_ kind: CatalogueItemKind) -> String {
        switch kind {
        case .service: return "Dịch vụ"
        case .passThrough: return "Thu hộ"
        case .voluntary: return "Tự nguyện"
        case .tuition: return "Học phí"
        }
    }

    static func scopeName(_ scope: FeeScheduleScope) -> String {
        switch scope {
        case .school: return "Cả trường"
        case .grade(let grade): return "Khối \(grade)"
        case .category(let category): return "Diện \(category)"
        case .classroom(let name): return "Lớp \(name)"
        }
    }
}
