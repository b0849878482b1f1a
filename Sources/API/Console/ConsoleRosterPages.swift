import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Importing a roster from the browser: upload a CSV file, see a preview — every problem by line and field, or what would
/// be created and changed — with nothing written, then confirm. Both steps run `RosterImport.run`, the importer of
/// `POST …/students/import` and `tuition students import`: the preview as its dry run, the confirmation on the file kept
/// in the database (`ConsoleUploads`), validated again and written all or nothing.
enum ConsoleRosterPages {
    /// Rows of the preview's "new" and "changed" tables shown at most (the counts are always whole).
    static let previewRowsShownMax = 200
    /// File names a browser may send for a roster: CSV only (an Excel workbook is refused with how to save it as CSV).
    static let acceptedExtensions = [".csv", ".txt"]
    static let filenameCharactersShownMax = 80

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/roster", state: state) { _, session, school in
            ConsoleSchoolPages.page("Nhập danh sách học sinh", uploadForm(session, school: school), session: session, school: school)
        }
        ConsoleFileForms.page(&builder, "/console/schools/{school}/roster/preview", fileBytesMax: RosterImport.fileBytesMax,
                              state: state) { _, session, school, form in
            try preview(form, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, "/console/schools/{school}/roster/confirm", state: state,
                                    routeClass: .expensive) { request, session, school in
            try confirm(request, session: session, school: school, state: state)
        }
    }

    static func uploadForm(_ session: ConsoleSessions.Live, school: School, problem: String? = nil) -> String {
        var body = problem.map { ConsolePage.notice($0) } ?? ""
        body += "<form class=\"card\" method=\"post\" enctype=\"multipart/form-data\" action=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/roster/preview\">\n"
        body += ConsolePage.csrfField(session.csrf) + "\n"
        body += "<label for=\"file\">Tệp danh sách (CSV UTF-8, tối đa \(RosterImport.fileBytesMax / (1024 * 1024)) MB)</label>"
        body += "<input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\" required>\n"
        body += "<p>Các cột: mã học sinh, họ và tên, ngày sinh, lớp, khối, phụ huynh, số điện thoại, mã gia đình "
        body += "(tên cột tiếng Việt hoặc tiếng Anh). Bước này chỉ kiểm tra tệp, chưa ghi gì.</p>\n"
        body += "<p><button type=\"submit\">Kiểm tra tệp</button></p>\n</form>\n"
        return body
    }

    /// The file part of the form, or the words saying why it cannot be a roster (before any parsing of its rows).
    static func file(_ form: MultipartFormData) -> Result<(name: String, bytes: [UInt8]), RosterUploadRefusal> {
        guard let part = form["file"], let filename = part.filename, !filename.isEmpty else { return .failure(.noFile) }
        let name = String(filename.prefix(filenameCharactersShownMax))
        guard acceptedExtensions.contains(where: { filename.lowercased().hasSuffix($0) }) else { return .failure(.notCSV(name)) }
        guard part.body.count <= RosterImport.fileBytesMax else { return .failure(.tooLarge(name, bytes: part.body.count)) }
        guard !part.body.isEmpty else { return .failure(.emptyFile(name)) }
        return .success((name, part.body))
    }

    static func preview(_ form: MultipartFormData, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let upload: (name: String, bytes: [UInt8])
        switch file(form) {
        case .success(let found): upload = found
        case .failure(let refusal):
            return ConsoleSchoolPages.page("Nhập danh sách học sinh", uploadForm(session, school: school, problem: refusal.message),
                                      session: session, school: school, status: refusal.status)
        }
        let outcome = try run(upload.bytes, dryRun: true, session: session, school: school, state: state)
        var body = "<p>Tệp <strong>\(HTMLText.escaped(upload.name))</strong>: kiểm tra xong, <strong>chưa ghi gì</strong>.</p>\n"
        switch outcome {
        case .refused(let html):
            body += html + uploadForm(session, school: school)
            return ConsoleSchoolPages.page("Tệp có lỗi", body, session: session, school: school, status: .unprocessableContent)
        case .checked(let report):
            let id = try state.pool.withConnection { connection in
                try ConsoleUploads.keep(.roster, schoolID: school.id, owner: session.csrf, fileName: upload.name, content: upload.bytes,
                                        uploadedBy: session.actor.name, on: connection)
            }
            body += summary(report) + changes(report)
            body += "<p>Xác nhận trong \(ConsoleUploads.lifetimeSeconds / 60) phút; tệp được kiểm tra lại khi ghi.</p>\n"
            let base = ConsoleSchoolPages.base(school)
            body += ConsoleSchoolPages.confirmForm(action: base + "/roster/confirm", fields: [("csrf", session.csrf), ("upload", id)],
                                                   button: "Xác nhận nhập danh sách", back: base + "/roster")
            return ConsoleSchoolPages.page("Xem trước danh sách", body, session: session, school: school)
        }
    }

    static func confirm(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let id = ConsoleHTTP.form(request)["upload"] ?? ""
        guard let upload = try state.pool.withConnection({
            try ConsoleUploads.take(.roster, schoolID: school.id, uploadID: id, owner: session.csrf, on: $0)
        }) else {
            let message = "Tệp đã hết hạn hoặc đã được nhập. Hãy tải tệp lên lại."
            return ConsoleSchoolPages.page("Nhập danh sách học sinh", uploadForm(session, school: school, problem: message), session: session,
                                      school: school, status: .gone)
        }
        switch try run(upload.content, dryRun: false, session: session, school: school, state: state) {
        case .refused(let html):
            // The roster changed since the preview (another import, a new pupil): nothing was written.
            return ConsoleSchoolPages.page("Tệp có lỗi", "<p>Không ghi gì.</p>\n" + html + uploadForm(session, school: school), session: session,
                                      school: school, status: .unprocessableContent)
        case .checked(let report):
            var body = ConsolePage.notice("Đã nhập danh sách từ tệp \(upload.fileName).", kind: "info") + summary(report)
            body += "<p><a href=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/pupils\">Xem danh sách học sinh</a></p>\n"
            return ConsoleSchoolPages.page("Đã nhập danh sách", body, session: session, school: school)
        }
    }

    enum Outcome {
        case checked(RosterImportReport)
        /// The problems of the file as markup (nothing was written).
        case refused(String)
    }

    /// Runs the importer in a READ COMMITTED transaction (as `POST …/students/import` does); a refused file rolls back.
    static func run(_ bytes: [UInt8], dryRun: Bool, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Outcome {
        do {
            return .checked(try state.pool.transaction(isolation: .readCommitted) { connection in
                try RosterImport.run(schoolID: school.id, file: bytes, dryRun: dryRun, importedBy: session.billingActor, on: connection)
            })
        } catch RosterImportError.invalidRows(let problems, let total), RosterImportError.conflictingRows(let problems, let total) {
            return .refused(problemsTable(problems, total: total))
        } catch let error as RosterImportError {
            return .refused(ConsolePage.notice("Tệp không đọc được: \(error.description)"))
        }
    }

    static func problemsTable(_ problems: [RosterRowProblem], total: Int) -> String {
        var html = ConsolePage.notice("\(total) lỗi trong tệp; không có học sinh nào được ghi. Sửa tệp rồi tải lên lại.")
        html += "<div class=\"scroll\"><table id=\"problems\"><thead><tr><th>Dòng</th><th>Cột</th><th>Lỗi</th></tr></thead><tbody>\n"
        for problem in problems {
            html += "<tr><td>\(problem.line)</td><td>\(HTMLText.escaped(columnName(problem.field)))</td>"
            html += "<td>\(HTMLText.escaped(problem.problem))</td></tr>\n"
        }
        html += "</tbody></table></div>\n"
        if total > problems.count { html += "<p>… và \(total - problems.count) lỗi nữa.</p>\n" }
        return html
    }

    /// "Ngày sinh (date_of_birth)": the column's Vietnamese header beside the name the importer reports.
    static func columnName(_ field: String) -> String {
        guard let column = RosterColumn(rawValue: field),
              let vietnamese = column.aliases.first(where: { $0.unicodeScalars.contains { !$0.isASCII } }) else { return field }
        return "\(vietnamese.prefix(1).uppercased())\(vietnamese.dropFirst()) (\(field))"
    }

    static func summary(_ report: RosterImportReport) -> String {
        var html = "<div class=\"figures\" id=\"roster-summary\">"
        html += ConsolePage.figure(report.dryRun ? "Sẽ thêm mới" : "Đã thêm mới", String(report.created.count))
        html += ConsolePage.figure(report.dryRun ? "Sẽ cập nhật" : "Đã cập nhật", String(report.updated.count))
        html += ConsolePage.figure("Không đổi", String(report.unchanged))
        html += ConsolePage.figure("Đang học, không có trong tệp", String(report.notInFile))
        html += "</div>\n"
        if !report.ignoredColumns.isEmpty {
            html += "<p>Cột không dùng: \(HTMLText.escaped(report.ignoredColumns.joined(separator: ", ")))</p>\n"
        }
        return html
    }

    static func changes(_ report: RosterImportReport) -> String {
        var html = ""
        if !report.created.isEmpty {
            html += "<h2>Học sinh mới</h2>\n<p>" + report.created.prefix(previewRowsShownMax)
                .map { "dòng \($0.line): \(HTMLText.escaped($0.studentCode))" }.joined(separator: "; ") + "</p>\n"
        }
        if !report.updated.isEmpty {
            html += "<h2>Thay đổi</h2>\n<div class=\"scroll\"><table><thead><tr><th>Dòng</th><th>Mã học sinh</th><th>Cột</th><th>Cũ</th><th>Mới</th></tr></thead><tbody>\n"
            for row in report.updated.prefix(previewRowsShownMax) {
                for change in row.changes {
                    html += "<tr><td>\(row.line)</td><td>\(HTMLText.escaped(row.studentCode))</td><td>\(HTMLText.escaped(columnName(change.field)))</td>"
                    html += "<td>\(HTMLText.escaped(change.oldValue ?? ""))</td><td>\(HTMLText.escaped(change.newValue ?? ""))</td></tr>\n"
                }
            }
            html += "</tbody></table></div>\n"
        }
        let rows = report.created.count + report.updated.count
        if rows > previewRowsShownMax { html += "<p>(Chỉ hiện \(previewRowsShownMax) dòng đầu.)</p>\n" }
        return html
    }
}

/// Why an uploaded file is not taken as a roster, in the accountant's words.
enum RosterUploadRefusal: Error {
    case noFile
    case notCSV(String)
    case tooLarge(String, bytes: Int)
    case emptyFile(String)

    var message: String {
        switch self {
        case .noFile: return "Chưa chọn tệp nào."
        case .notCSV(let name):
            return "Tệp \(name) không phải CSV. Trong Excel chọn Lưu thành → CSV UTF-8 (*.csv) rồi tải tệp đó lên."
        case .tooLarge(let name, let bytes):
            return "Tệp \(name) có \(bytes) byte, quá giới hạn \(RosterImport.fileBytesMax) byte."
        case .emptyFile(let name): return "Tệp \(name) trống."
        }
    }

    var status: HTTPStatus {
        switch self {
        case .tooLarge: return .contentTooLarge
        case .notCSV: return .unsupportedMediaType
        case .noFile, .emptyFile: return .unprocessableContent
        }
    }
}
