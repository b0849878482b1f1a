import Billing
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres

/// The suspense decisions that correct or complete an earlier one, each a confirmation page plus one POST as
/// `ConsoleSuspenseActions`: reverse a refund or not-tuition decision (`Suspense.reverseDisposition`), undo an
/// application of the money (`Suspense.unapply`), record that an outgoing line paid a refund due
/// (`Suspense.recordRefundPaid`) — the services of `POST /v1/schools/{school}/suspense/{transaction}/reverse`,
/// `/unapply` and `/refund-paid`, run and refused through `ConsoleSuspenseActions.decide` as the API runs them.
enum ConsoleSuspenseReversals {
    static let template = ConsoleSuspenseActions.template

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, template + "/reverse", state: state) { request, session, school in
            try confirmReverse(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/reverse", state: state) { request, session, school in
            let form = ConsoleHTTP.form(request)
            return try ConsoleSuspenseActions.decide(request, session: session, school: school, state: state) { transaction, connection in
                _ = try Suspense.reverseDisposition(schoolID: school.id, transactionID: transaction,
                                                    reason: try ConsoleSuspenseActions.requiredReason(form), on: connection)
            }
        }
        ConsoleSchoolPages.register(&builder, .get, template + "/unapply", state: state) { request, session, school in
            try confirmUnapply(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/unapply", state: state) { request, session, school in
            let form = ConsoleHTTP.form(request)
            return try ConsoleSuspenseActions.decide(request, session: session, school: school, state: state) { transaction, connection in
                let application = try chosenID(form, "application")
                _ = try Suspense.unapply(schoolID: school.id, transactionID: transaction, applicationID: application,
                                         reason: try ConsoleSuspenseActions.requiredReason(form), on: connection)
            }
        }
        ConsoleSchoolPages.register(&builder, .get, template + "/refund-paid", state: state) { request, session, school in
            try confirmRefundPaid(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/refund-paid", state: state) { request, session, school in
            let form = ConsoleHTTP.form(request)
            return try ConsoleSuspenseActions.decide(request, session: session, school: school, state: state) { transaction, connection in
                let refunded = try chosenID(form, "refunded")
                _ = try Suspense.recordRefundPaid(schoolID: school.id, refundedTransactionID: refunded, outgoingTransactionID: transaction,
                                                  reason: try ConsoleSuspenseActions.requiredReason(form),
                                                  decidedBy: session.actor.name, on: connection)
            }
        }
    }

    /// A positive id a form chose (a radio button or a select); a clear 422 naming the field otherwise.
    static func chosenID(_ form: [String: String], _ field: String) throws -> Int64 {
        let text = form[field] ?? ""
        guard text.utf8.count <= 19, let id = Int64(text), id > 0 else {
            throw SuspenseError.invalidField(field: field, problem: "hãy chọn một mục")
        }
        return id
    }

    /// The school's bank transaction of the path; nil (404) for another school's or an unknown one.
    static func transaction(_ request: Request, school: School, on connection: PostgresConnection) throws -> BankTransaction? {
        guard let id = ConsoleSchoolPages.pathID(request, "transaction") else { return nil }
        return try BankTransactions.find(schoolID: school.id, id: id, on: connection)
    }

    static func action(_ school: School, _ transaction: BankTransaction, _ name: String) -> String {
        "\(ConsoleSchoolPages.base(school))/suspense/\(transaction.id)/\(name)"
    }

    static func header(_ transaction: BankTransaction) -> String {
        var html = "<section class=\"card\"><p>Giao dịch \(transaction.id): <strong>\(HTMLText.escaped(transaction.amount.description))</strong>, "
        html += "ngày \(HTMLText.escaped(transaction.bookedOn.vietnamese))</p>\n<p>Nội dung: <q>\(HTMLText.escaped(transaction.memo))</q></p></section>\n"
        return html
    }

    /// The decision still in force (refund due or not tuition) and what reversing it puts back in suspense.
    static func confirmReverse(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let found = try state.pool.withConnection { connection -> (BankTransaction, SuspenseDisposition)? in
            guard let transaction = try transaction(request, school: school, on: connection),
                  let live = try Suspense.dispositions(schoolID: school.id, transactionID: transaction.id, on: connection)
                    .last(where: { $0.reversalEntryID == nil }) else { return nil }
            return (transaction, live)
        }
        guard let (transaction, disposition) = found else { return ConsoleDashboards.notFound(session) }
        let kind = disposition.kind == .notTuition ? "không phải học phí" : disposition.kind == .refundDue ? "hoàn trả người chuyển" : "đã chi hoàn trả"
        var body = header(transaction)
        body += "<section class=\"card\" id=\"disposition\"><p>Quyết định đang có hiệu lực: <strong>\(kind)</strong>, "
        body += "\(HTMLText.escaped(disposition.amount.description)) — \(HTMLText.escaped(disposition.reason))</p>\n"
        body += "<p>Hủy quyết định đưa số tiền này trở lại hàng chờ xử lý (một bút toán đảo).</p></section>\n"
        body += ConsoleSchoolPages.confirmForm(action: action(school, transaction, "reverse"), fields: [("csrf", session.csrf)],
                                               button: "Xác nhận hủy quyết định", back: ConsoleSchoolPages.base(school) + "/suspense",
                                               extra: ConsoleSuspenseActions.reasonField())
        return ConsoleSchoolPages.page("Hủy quyết định", body, session: session, school: school)
    }

    /// The applications of the transaction's money still in force, one to choose.
    static func confirmUnapply(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let found = try state.pool.withConnection { connection -> (BankTransaction, [AppliedPayment], [Int64: InvoiceNumber])? in
            guard let transaction = try transaction(request, school: school, on: connection) else { return nil }
            let live = try Applications.list(schoolID: school.id, bankTransactionID: transaction.id, on: connection)
                .filter { $0.unappliedByEntryID == nil }
            guard !live.isEmpty else { return nil }
            let numbers = try InvoiceQueries.numbers(schoolID: school.id, ids: live.compactMap(\.invoiceID), on: connection)
            return (transaction, live, numbers)
        }
        guard let (transaction, applications, numbers) = found else { return ConsoleDashboards.notFound(session) }
        let chosen = request.queryValue("application").flatMap { Int64($0) }
        var choices = "<fieldset><legend>Khoản áp dụng cần hoàn tác</legend>\n"
        for (index, application) in applications.enumerated() {
            let target = application.invoiceID.map { "hóa đơn " + (numbers[$0]?.text ?? String($0)) } ?? "ghi có cho gia đình"
            let checked = application.applicationID == chosen || (chosen == nil && index == 0) ? " checked" : ""
            choices += "<label><input type=\"radio\" name=\"application\" value=\"\(application.applicationID)\"\(checked)> "
            choices += "\(HTMLText.escaped(target)): \(HTMLText.escaped(application.amount.description))</label>\n"
        }
        choices += "</fieldset>\n"
        var body = header(transaction)
        body += ConsoleSchoolPages.confirmForm(action: action(school, transaction, "unapply"), fields: [("csrf", session.csrf)],
                                               button: "Xác nhận hoàn tác", back: ConsoleSchoolPages.base(school) + "/suspense",
                                               extra: choices + ConsoleSuspenseActions.reasonField())
        return ConsoleSchoolPages.page("Hoàn tác áp dụng", body, session: session, school: school)
    }

    /// An outgoing line still in suspense and the refunds due of its amount it may have paid.
    static func confirmRefundPaid(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        guard let entry = try ConsoleSuspenseActions.entry(request, school: school, state: state),
              entry.transaction.direction == .outgoing else { return ConsoleDashboards.notFound(session) }
        var body = ConsoleSuspensePage.facts(entry)
        guard !entry.refundCandidateIDs.isEmpty else {
            body += ConsolePage.notice("Không có khoản hoàn trả nào chờ chi với số tiền này.", kind: "info")
            return ConsoleSchoolPages.page("Đã chi hoàn trả", body, session: session, school: school)
        }
        var select = "<label for=\"refunded\">Khoản tiền vào được hoàn trả</label><select id=\"refunded\" name=\"refunded\">"
        for id in entry.refundCandidateIDs { select += "<option value=\"\(id)\">Giao dịch \(id)</option>" }
        select += "</select>\n"
        body += ConsoleSchoolPages.confirmForm(action: ConsoleSuspenseActions.path(school, entry, "refund-paid"), fields: [("csrf", session.csrf)],
                                               button: "Xác nhận đã chi hoàn trả", back: ConsoleSchoolPages.base(school) + "/suspense",
                                               extra: select + ConsoleSuspenseActions.reasonField())
        return ConsoleSchoolPages.page("Đã chi hoàn trả", body, session: session, school: school)
    }
}
