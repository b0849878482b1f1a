import BankFormats
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import VietQR

/// The bank page of a school: upload a statement (MT940, camt, a bank's CSV or .xlsx) → a preview that changes
/// nothing → the import, all or nothing, of the very bytes previewed, checked again; and the school's bank
/// connections (read-only, secrets never shown). Imports go through `StatementImporter` with the request
/// `POST /v1/schools/{school}/statements` builds, dry run for the preview.
enum ConsoleStatementPages {
    /// Lines shown in a preview at most (all are counted and checked).
    static let previewLinesMax = 200
    /// Warnings and conflicting lines listed in a preview at most (all are counted).
    static let problemsListedMax = 50

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, "/console/schools/{school}/bank", state: state) { request, session, school in
            try bankPage(session: session, school: school, state: state)
        }
        ConsoleFileForms.page(&builder, "/console/schools/{school}/bank/preview", fileBytesMax: StatementEndpoints.bodyBytesMax,
                              state: state) { _, session, school, form in
            try preview(form, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, "/console/schools/{school}/bank/uploads/{upload}/import", state: state,
                                    routeClass: .expensive) { request, session, school in
            try confirm(request, session: session, school: school, state: state)
        }
    }

    // MARK: - The bank page

    static func bankPage(session: ConsoleSessions.Live, school: School, state: ConsoleState, message: String? = nil,
                         status: HTTPStatus = .ok) throws -> Response {
        let (accounts, connections) = try state.pool.withConnection { connection in
            (try Schools.bankAccounts(schoolID: school.id, on: connection), try BankConnections.list(schoolID: school.id, on: connection))
        }
        var body = message.map { ConsolePage.notice($0) } ?? ""
        if ConsoleSchoolPages.mayAct(session, "/console/schools/{school}/bank/preview") {
            body += uploadForm(session: session, school: school, accounts: accounts, formats: state.context.statementFormats.ids)
        }
        body += "<h2>Tài khoản ngân hàng</h2>\n<div class=\"scroll\"><table id=\"accounts\"><thead><tr><th>Ngân hàng</th><th>Số tài khoản</th>"
        body += "<th>Chủ tài khoản</th></tr></thead><tbody>\n"
        for account in accounts {
            body += "<tr><td>\(HTMLText.escaped(VietQRBank.displayName(bin: account.bankBIN)))</td><td>\(HTMLText.escaped(account.accountNumber))</td>"
            body += "<td>\(HTMLText.escaped(account.holderName))</td></tr>\n"
        }
        body += "</tbody></table></div>\n" + connectionsTable(connections)
        return ConsoleSchoolPages.page("Ngân hàng – \(school.name)", body, session: session, school: school, status: status)
    }

    static func uploadForm(session: ConsoleSessions.Live, school: School, accounts: [SchoolBankAccount], formats: [String]) -> String {
        // The CSRF token goes first: the server finds it without reading past the file.
        var html = "<form class=\"card\" method=\"post\" enctype=\"multipart/form-data\" action=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/bank/preview\">\n"
        html += ConsolePage.csrfField(session.csrf) + "\n<h2>Nhập sao kê ngân hàng</h2>\n"
        html += "<label for=\"account\">Tài khoản</label><select id=\"account\" name=\"account\">"
        for account in accounts {
            html += "<option value=\"\(HTMLText.escaped(account.accountNumber))\">\(HTMLText.escaped(account.accountNumber)) – "
            html += "\(HTMLText.escaped(VietQRBank.displayName(bin: account.bankBIN)))</option>"
        }
        html += "</select>\n<label for=\"format\">Định dạng</label><select id=\"format\" name=\"format\">"
        html += "<option value=\"auto\">Tự nhận biết</option><option value=\"mt940\">MT940</option><option value=\"camt053\">camt.053</option>"
        for id in formats { html += "<option value=\"csv:\(HTMLText.escaped(id))\">CSV/Excel: \(HTMLText.escaped(id))</option>" }
        html += "</select>\n<label for=\"file\">Tệp sao kê (MT940, camt, CSV hoặc .xlsx)</label><input type=\"file\" id=\"file\" name=\"file\">\n"
        html += "<p>Xem trước không thay đổi gì; chỉ khi bạn xác nhận, sao kê mới được nhập (toàn bộ hoặc không gì cả).</p>\n"
        return html + "<p><button type=\"submit\" id=\"preview\">Xem trước</button></p>\n</form>\n"
    }

    static func connectionsTable(_ connections: [BankConnection]) -> String {
        var html = "<h2>Kết nối ngân hàng</h2>\n"
        guard !connections.isEmpty else { return html + "<p>Trường chưa có kết nối nào.</p>\n" }
        html += "<div class=\"scroll\"><table id=\"connections\"><thead><tr><th>Nhà cung cấp</th><th>Tên</th><th>Tài khoản nhận</th>"
        html += "<th>Khóa bí mật đang dùng</th><th>Tạo ngày</th></tr></thead><tbody>\n"
        for connection in connections {
            // The secrets never leave the database: only how many are active is shown.
            html += "<tr><td>\(HTMLText.escaped(connection.provider))</td><td>\(HTMLText.escaped(connection.label))</td>"
            html += "<td>\(HTMLText.escaped(connection.receivingAccounts.joined(separator: ", ")))</td><td>\(connection.activeSecretCount)</td>"
            html += "<td>\(HTMLText.escaped(VietnamTime.date(of: connection.createdAt).vietnamese))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    // MARK: - Preview and import

    /// The file's bytes and name, from the form the HTTP module's multipart parser read; nil when no file was chosen.
    static func uploadedFile(_ form: MultipartFormData) -> (fileName: String, bytes: [UInt8])? {
        guard let part = form["file"], let fileName = part.filename else { return nil }
        return (fileName, part.body)
    }

    static func preview(_ form: MultipartFormData, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let account = form.text("account") ?? ""
        let formatText = form.text("format") ?? "auto"
        guard let file = uploadedFile(form), !file.bytes.isEmpty else {
            return try bankPage(session: session, school: school, state: state, message: "Hãy chọn một tệp sao kê (tệp không được trống).",
                                status: .badRequest)
        }
        guard let format = StatementFormat(argument: formatText) else {
            return try bankPage(session: session, school: school, state: state, message: "Định dạng không hợp lệ: \(formatText)", status: .badRequest)
        }
        let fileName = sanitizedFileName(file.fileName)
        let importer = StatementImporter(pool: state.pool, descriptions: state.context.statementFormats)
        let checked: StatementImportResult
        do {
            checked = try importer.run(importRequest(school: school, account: account, format: format, fileName: fileName,
                                                     bytes: file.bytes, dryRun: true, session: session))
        } catch let error as StatementImportError {
            return problemPage(error, session: session, school: school)
        }
        var lines = PreviewLines(linesMax: previewLinesMax)
        _ = try? StatementParsing.parse(bytes: file.bytes, name: fileName, format: format, descriptions: state.context.statementFormats,
                                        consumer: &lines)
        let uploadID = try state.pool.withConnection { connection in
            try ConsoleUploads.keep(.statement, schoolID: school.id, owner: session.csrf, fileName: fileName, content: file.bytes,
                                    bankAccount: account, format: formatText, uploadedBy: session.actor.name, on: connection)
        }
        var body = ConsolePage.notice("Đây là bản xem trước: chưa có gì được ghi. Kiểm tra rồi bấm “Nhập sao kê”.", kind: "info")
        body += resultFigures(checked) + statementsTable(checked, totals: lines.statements) + warningsList(checked) + linesTable(lines)
        body += "<p>Xác nhận trong \(ConsoleUploads.lifetimeSeconds / 60) phút; tệp được kiểm tra lại khi nhập.</p>\n"
        let action = "\(ConsoleSchoolPages.base(school))/bank/uploads/\(uploadID)/import"
        body += ConsoleSchoolPages.confirmForm(action: action, fields: [("csrf", session.csrf)], button: "Nhập sao kê",
                                               back: ConsoleSchoolPages.base(school) + "/bank")
        return ConsoleSchoolPages.page("Xem trước sao kê \(fileName)", body, session: session, school: school)
    }

    static func confirm(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        // Taken (deleted) before the import: a second click, or another session, finds nothing (410).
        guard let uploadID = request.pathParameters["upload"],
              let upload = try state.pool.withConnection({
                  try ConsoleUploads.take(.statement, schoolID: school.id, uploadID: uploadID, owner: session.csrf, on: $0)
              }),
              let formatText = upload.format, let format = StatementFormat(argument: formatText) else {
            return ConsoleSchoolPages.page("Không tìm thấy tệp", ConsolePage.notice(
                "Tệp này đã được nhập hoặc đã quá \(ConsoleUploads.lifetimeSeconds / 60) phút kể từ khi xem trước. Hãy tải tệp lên lại."),
                session: session, school: school, status: .gone)
        }
        let importer = StatementImporter(pool: state.pool, descriptions: state.context.statementFormats)
        let imported: StatementImportResult
        do {
            // Checked again: the books may have changed since the preview (another import, a callback).
            imported = try importer.run(importRequest(school: school, account: upload.bankAccount ?? "", format: format, fileName: upload.fileName,
                                                      bytes: upload.content, dryRun: false, session: session))
        } catch let error as StatementImportError {
            return problemPage(error, session: session, school: school)
        }
        var body = ConsolePage.notice("Đã nhập sao kê \(upload.fileName) (lần nhập số \(imported.importID.map(String.init) ?? "—")).", kind: "info")
        body += resultFigures(imported) + statementsTable(imported, totals: []) + warningsList(imported)
        body += "<p><a href=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/suspense\">Xem giao dịch chờ xử lý</a></p>\n"
        return ConsoleSchoolPages.page("Đã nhập sao kê", body, session: session, school: school)
    }

    /// The request the statements API route builds: one importer for both.
    static func importRequest(school: School, account: String, format: StatementFormat, fileName: String, bytes: [UInt8], dryRun: Bool,
                              session: ConsoleSessions.Live) -> StatementImportRequest {
        StatementImportRequest(schoolID: school.id, bankAccountNumber: account, source: .bytes(bytes), fileName: fileName, format: format,
                               dryRun: dryRun, strict: false,
                               importedBy: String(session.actor.name.prefix(StatementImportLimits.importedByCharactersMax)))
    }

    /// The browser's file name without any folder, bounded; "upload" when there is none.
    static func sanitizedFileName(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let bounded = String(base.filter { !$0.isNewline }.prefix(fileNameCharactersMax))
        return bounded.isEmpty ? StatementEndpoints.fileNameDefault : bounded
    }

    static let fileNameCharactersMax = 120

    /// A refused file: the importer's words (file, line, field), 422 as the API answers; nothing was changed.
    static func problemPage(_ error: StatementImportError, session: ConsoleSessions.Live, school: School) -> Response {
        var body = ConsolePage.notice("Tệp không được nhập, không có gì thay đổi.")
        body += "<section class=\"card\" id=\"problem\"><dl>"
        body += "<dt>Tệp</dt><dd>\(HTMLText.escaped(error.file))</dd>"
        if let line = error.line { body += "<dt>Dòng</dt><dd>\(line)</dd>" }
        if let field = error.field { body += "<dt>Trường</dt><dd>\(HTMLText.escaped(field))</dd>" }
        body += "<dt>Lỗi</dt><dd>\(HTMLText.escaped(error.description))</dd></dl></section>\n"
        body += "<p><a href=\"\(HTMLText.escaped(ConsoleSchoolPages.base(school)))/bank\">Quay lại</a></p>\n"
        let status: HTTPStatus = error.code == .invalidRequest ? .badRequest : .unprocessableContent
        return ConsoleSchoolPages.page("Sao kê bị từ chối", body, session: session, school: school, status: status)
    }

    // MARK: - What a preview or an import shows

    static func resultFigures(_ result: StatementImportResult) -> String {
        let counts = result.counts
        var html = "<div class=\"figures\">"
        html += ConsolePage.figure("Số dòng", String(counts.linesTotal))
        html += ConsolePage.figure("Dòng mới", String(counts.linesNew))
        html += ConsolePage.figure("Đã có từ trước", String(counts.linesKnown))
        html += ConsolePage.figure("Tự động gán hóa đơn", String(counts.appliedAutomatically))
        html += ConsolePage.figure("Vào hàng chờ xử lý", String(counts.leftInSuspense + counts.debitsToSuspense))
        html += ConsolePage.figure("Phí ngân hàng", String(counts.bankFees))
        html += ConsolePage.figure("Cảnh báo", String(counts.warnings))
        html += ConsolePage.figure("Dòng mâu thuẫn", String(counts.linesConflicting))
        return html + "</div>\n<p>Định dạng: \(HTMLText.escaped(result.format)) · tài khoản \(HTMLText.escaped(result.bankAccount))</p>\n"
    }

    static func statementsTable(_ result: StatementImportResult, totals: [Statement]) -> String {
        var html = "<h2>Sao kê</h2>\n<div class=\"scroll\"><table id=\"statements\"><thead><tr><th>Số</th><th>Số dư đầu</th><th>Số dư cuối</th>"
        html += "<th class=\"money\">Tổng có</th><th class=\"money\">Tổng nợ</th><th>Số dòng</th><th>Kiểm tra số dư</th><th>Liên tục</th></tr></thead><tbody>\n"
        for statement in result.statements {
            let parsed = totals.first { $0.index == statement.index }?.totals
            html += "<tr><td>\(HTMLText.escaped(statement.reference ?? "—"))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(balance(statement.openingBalance, statement.openingDate)))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(balance(statement.closingBalance, statement.closingDate)))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(shown(parsed?.credits)))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(shown(parsed?.debits)))</td>"
            html += "<td>\(statement.lineCount)</td><td>\(HTMLText.escaped(balanceCheckName(statement.balanceCheck)))</td>"
            html += "<td>\(HTMLText.escaped(continuityName(statement.continuity)))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    /// A file's amount in đồng as the pages write money (`1.500.000 đ`); as the file wrote it when not whole đồng.
    static func shown(_ amount: StatementAmount?) -> String {
        guard let amount else { return "—" }
        return (try? amount.wholeDong().description) ?? amount.description
    }

    static func balance(_ dong: Int64?, _ date: CalendarDate?) -> String {
        guard let dong else { return "—" }
        return Money(dong: dong).description + (date.map { " (\($0.vietnamese))" } ?? "")
    }

    /// The importer's balance check ("balanced", or "not checkable: why") in Vietnamese, the reason kept as written.
    static func balanceCheckName(_ check: String) -> String {
        check == "balanced" ? "Khớp (đầu kỳ + các dòng = cuối kỳ)" : "Không kiểm tra được (\(check))"
    }

    static func continuityName(_ finding: ContinuityFinding) -> String {
        switch finding.status {
        case .continuous: return "Liền mạch với sao kê trước"
        case .first: return "Sao kê đầu tiên của tài khoản"
        case .notCheckable: return "Không kiểm tra được"
        case .gap: return "Thiếu sao kê: chênh \(Money(dong: finding.difference ?? 0).description)"
        }
    }

    /// Irregularities the parser tolerated and lines that contradict what is already booked, by line.
    static func warningsList(_ result: StatementImportResult) -> String {
        guard !result.warnings.isEmpty || !result.conflicts.isEmpty else { return "" }
        var html = "<h2>Cảnh báo theo dòng</h2>\n<ul id=\"warnings\">\n"
        for warning in result.warnings.prefix(problemsListedMax) {
            html += "<li>Dòng \(warning.line)\(warning.field.map { " (\(HTMLText.escaped($0)))" } ?? ""): \(HTMLText.escaped(warning.message))</li>\n"
        }
        for conflict in result.conflicts.prefix(problemsListedMax) {
            html += "<li>Dòng \(conflict.line): \(HTMLText.escaped(Money(dong: conflict.amount).description)) ngày "
            html += "\(HTMLText.escaped(conflict.bookedOn.vietnamese)) khác với dòng đã nhập trước "
            html += "(\(HTMLText.escaped(Money(dong: conflict.existingAmount).description)) ngày \(HTMLText.escaped(conflict.existingBookedOn.vietnamese)))</li>\n"
        }
        return html + "</ul>\n"
    }

    static func linesTable(_ lines: PreviewLines) -> String {
        var html = "<h2>Các dòng</h2>\n<div class=\"scroll\"><table id=\"lines\"><thead><tr><th>Dòng tệp</th><th>Ngày</th>"
        html += "<th class=\"money\">Số tiền</th><th>Người chuyển / nhận</th><th>Nội dung</th></tr></thead><tbody>\n"
        for line in lines.lines {
            html += "<tr><td>\(line.position.line)</td><td>\(HTMLText.escaped((line.bookingDate ?? line.valueDate)?.vietnamese ?? "—"))</td>"
            html += "<td class=\"money\">\(HTMLText.escaped(shown(line.amount)))</td><td>\(HTMLText.escaped(line.counterpartyName ?? ""))</td>"
            html += "<td>\(HTMLText.escaped(line.memo))</td></tr>\n"
        }
        html += "</tbody></table></div>\n"
        if lines.count > lines.lines.count { html += "<p>Chỉ hiện \(lines.lines.count) trên \(lines.count) dòng.</p>\n" }
        return html
    }
}

/// The first lines of a statement file and each statement's totals, for the preview (the importer checks them all).
struct PreviewLines: StatementConsumer {
    let linesMax: Int
    private(set) var lines: [StatementLine] = []
    private(set) var statements: [Statement] = []
    private(set) var count = 0

    init(linesMax: Int) { self.linesMax = linesMax }

    mutating func statementBegan(_ statement: Statement) throws {}
    mutating func statementLine(_ line: StatementLine) throws {
        count += 1
        if lines.count < linesMax { lines.append(line) }
    }
    mutating func statementEnded(_ statement: Statement) throws { statements.append(statement) }
}
