import Billing
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres

/// The decisions of the suspense queue, each one click on the queue's page plus a confirmation page: accept a
/// ranked proposal (`Suspense.accept`, the rule `tuition suspense accept` uses), apply to invoices the accountant
/// names (`Suspense.apply`), refund (`Suspense.markRefundDue`), not tuition (`Suspense.markNotTuition`) — the
/// services of `POST /v1/schools/{school}/suspense/{transaction}/…`, in a READ COMMITTED transaction as there,
/// with the API's refusals (`SuspenseEndpoints.translating`).
enum ConsoleSuspenseActions {
    static let template = "/console/schools/{school}/suspense/{transaction}"
    /// Invoices one "apply" form names at most (a family's children).
    static let applyRowsMax = 4
    /// A reason or explanation typed into a form, at most (the services bound what they store too).
    static let reasonCharactersMax = 500

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleSchoolPages.register(&builder, .get, template + "/accept", state: state) { request, session, school in
            try confirmAccept(request, session: session, school: school, state: state)
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/accept", state: state) { request, session, school in
            let rank = Int(ConsoleHTTP.form(request)["proposal"] ?? "") ?? 0
            return try decide(request, session: session, school: school, state: state) { transaction, connection in
                guard try Suspense.accept(school: school, transactionID: transaction, rank: rank, explanation: nil,
                                          recordedBy: session.actor.name, on: connection) != nil else {
                    throw SuspenseError.invalidField(field: "proposal", problem: "giao dịch \(transaction) không còn đề xuất số \(rank)")
                }
            }
        }
        ConsoleSchoolPages.register(&builder, .get, template + "/apply", state: state) { request, session, school in
            try confirmation(request, session: session, school: school, state: state, action: "apply")
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/apply", state: state) { request, session, school in
            let form = ConsoleHTTP.form(request)
            return try decide(request, session: session, school: school, state: state) { transaction, connection in
                let applied = try chosenInvoices(form, schoolID: school.id, on: connection)
                let explanation = reason(form["explanation"]) ?? "Kế toán xác định hóa đơn"
                _ = try Suspense.apply(schoolID: school.id, transactionID: transaction,
                                       SuspenseApplicationRequest(allocations: applied, explanation: explanation),
                                       recordedBy: session.actor.name, on: connection)
            }
        }
        ConsoleSchoolPages.register(&builder, .get, template + "/refund", state: state) { request, session, school in
            try confirmation(request, session: session, school: school, state: state, action: "refund")
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/refund", state: state) { request, session, school in
            let form = ConsoleHTTP.form(request)
            return try decide(request, session: session, school: school, state: state) { transaction, connection in
                _ = try Suspense.markRefundDue(schoolID: school.id, transactionID: transaction, reason: try requiredReason(form),
                                               decidedBy: session.actor.name, on: connection)
            }
        }
        ConsoleSchoolPages.register(&builder, .get, template + "/not-tuition", state: state) { request, session, school in
            try confirmation(request, session: session, school: school, state: state, action: "not-tuition")
        }
        ConsoleSchoolPages.register(&builder, .post, template + "/not-tuition", state: state) { request, session, school in
            let form = ConsoleHTTP.form(request)
            let purpose = form["purpose"] == AccountPurpose.collection.rawValue ? AccountPurpose.collection : .other
            return try decide(request, session: session, school: school, state: state) { transaction, connection in
                _ = try Suspense.markNotTuition(schoolID: school.id, transactionID: transaction, account: .purpose(purpose),
                                                reason: try requiredReason(form), decidedBy: session.actor.name, on: connection)
            }
        }
    }

    /// The suspense refusals in Vietnamese, by the API's problem code (`SuspenseError.code`); the service's own words follow.
    static let refusalWords: [String: String] = [
        "transaction_not_found": "Không có giao dịch này ở trường.",
        "application_not_found": "Không có khoản áp dụng này của giao dịch.",
        "invalid_field": "Thông tin nhập chưa đúng.",
        "nothing_in_suspense": "Giao dịch không còn tiền chờ xử lý.",
        "exceeds_remaining": "Số tiền lớn hơn phần còn chờ xử lý.",
        "wrong_direction": "Thao tác không áp dụng cho chiều tiền của giao dịch này.",
        "already_disposed": "Giao dịch đã có quyết định.",
        "no_disposition": "Giao dịch không có quyết định hoàn trả hay không phải học phí để hủy.",
        "refund_already_paid": "Khoản hoàn trả đã được chi; hãy hủy khoản chi trước.",
        "refund_exceeds_payable": "Số tiền hoàn trả lớn hơn số còn phải trả người chuyển.",
        "already_unapplied": "Khoản áp dụng này đã được hoàn tác.",
    ]

    /// Runs one decision as the API's suspense routes do; back to the queue with a note, or a page saying why not.
    static func decide(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState,
                       _ body: @escaping (Int64, PostgresConnection) throws -> Void) throws -> Response {
        let queue = ConsoleSchoolPages.base(school) + "/suspense"
        guard let transaction = ConsoleSchoolPages.pathID(request, "transaction") else { return ConsoleDashboards.notFound(session) }
        do {
            try SuspenseEndpoints.translating {
                try state.pool.transaction(isolation: .readCommitted) { connection in try body(transaction, connection) }
            }
        } catch let error as any HTTPResponseError {
            return ConsoleSchoolPages.refusal(error, session: session, school: school, back: queue, words: refusalWords[error.code])
        }
        return ConsoleHTTP.redirect(queue + "?done=\(transaction)")
    }

    // MARK: - Confirmation pages

    /// The entry of `{transaction}` as the queue shows it; nil (404) when nothing of it is in suspense in this school.
    static func entry(_ request: Request, school: School, state: ConsoleState) throws -> SuspenseEntry? {
        guard let transaction = ConsoleSchoolPages.pathID(request, "transaction") else { return nil }
        return try state.pool.withConnection { try Suspense.entry(school: school, transactionID: transaction, on: $0) }
    }

    static func confirmAccept(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState) throws -> Response {
        let rank = request.queryValue("proposal").flatMap { Int($0) } ?? 1
        guard let entry = try entry(request, school: school, state: state) else { return ConsoleDashboards.notFound(session) }
        guard rank >= 1, rank <= entry.proposals.count else { return ConsoleDashboards.notFound(session) }
        let proposal = entry.proposals[rank - 1]
        let numbers = try state.pool.withConnection {
            try InvoiceQueries.numbers(schoolID: school.id, ids: proposal.allocations.map(\.invoiceID), on: $0)
        }
        var body = ConsoleSuspensePage.facts(entry)
        body += "<section class=\"card\" id=\"proposal\"><h2>Đề xuất \(rank) (\(proposal.score / 10)%)</h2>\n"
        body += "<p>\(HTMLText.escaped(proposal.explanation))</p>\n<ul>\n"
        for allocation in proposal.allocations {
            let number = numbers[allocation.invoiceID]?.text ?? String(allocation.invoiceID)
            body += "<li>Hóa đơn \(HTMLText.escaped(number)): \(HTMLText.escaped(allocation.amount.description))</li>\n"
        }
        if proposal.credit.isPositive { body += "<li>Ghi có cho học sinh: \(HTMLText.escaped(proposal.credit.description))</li>\n" }
        body += "</ul></section>\n"
        body += ConsoleSchoolPages.confirmForm(action: path(school, entry, "accept"), fields: [("csrf", session.csrf), ("proposal", String(rank))],
                                           button: "Xác nhận áp dụng đề xuất", back: ConsoleSchoolPages.base(school) + "/suspense")
        return ConsoleSchoolPages.page("Chấp nhận đề xuất", body, session: session, school: school)
    }

    static func confirmation(_ request: Request, session: ConsoleSessions.Live, school: School, state: ConsoleState,
                             action: String) throws -> Response {
        guard let entry = try entry(request, school: school, state: state) else { return ConsoleDashboards.notFound(session) }
        let back = ConsoleSchoolPages.base(school) + "/suspense"
        var body = ConsoleSuspensePage.facts(entry)
        let title: String
        switch action {
        case "apply":
            title = "Áp dụng vào hóa đơn"
            var fields = "<p>Nhập số hóa đơn (vd. 2026/000123) hoặc mã thanh toán, và số tiền (đồng).</p>\n"
            for row in 1...applyRowsMax {
                fields += "<label for=\"invoice\(row)\">Hóa đơn \(row)</label><input type=\"text\" id=\"invoice\(row)\" name=\"invoice\(row)\">"
                fields += "<label for=\"amount\(row)\">Số tiền \(row)</label><input type=\"text\" id=\"amount\(row)\" name=\"amount\(row)\" inputmode=\"numeric\">\n"
            }
            fields += "<label for=\"explanation\">Lý do</label><input type=\"text\" id=\"explanation\" name=\"explanation\" maxlength=\"\(reasonCharactersMax)\">\n"
            body += ConsoleSchoolPages.confirmForm(action: path(school, entry, action), fields: [("csrf", session.csrf)], button: "Xác nhận áp dụng",
                                               back: back, extra: fields)
        case "refund":
            title = "Hoàn trả người chuyển"
            body += ConsoleSchoolPages.confirmForm(action: path(school, entry, action), fields: [("csrf", session.csrf)],
                                               button: "Xác nhận hoàn trả \(entry.remaining.description)", back: back, extra: reasonField())
        default:
            title = "Không phải học phí"
            var extra = "<label for=\"purpose\">Hạch toán vào</label><select id=\"purpose\" name=\"purpose\">"
            extra += "<option value=\"other\">Thu khác của trường</option><option value=\"collection\">Khoản thu hộ</option></select>\n"
            body += ConsoleSchoolPages.confirmForm(action: path(school, entry, action), fields: [("csrf", session.csrf)],
                                               button: "Xác nhận không phải học phí", back: back, extra: extra + reasonField())
        }
        return ConsoleSchoolPages.page(title, body, session: session, school: school)
    }

    static func reasonField() -> String {
        "<label for=\"reason\">Lý do (bắt buộc)</label><input type=\"text\" id=\"reason\" name=\"reason\" required maxlength=\"\(reasonCharactersMax)\">\n"
    }

    static func path(_ school: School, _ entry: SuspenseEntry, _ action: String) -> String {
        "\(ConsoleSchoolPages.base(school))/suspense/\(entry.transaction.id)/\(action)"
    }

    // MARK: - Form fields

    static func reason(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return String(text.prefix(reasonCharactersMax))
    }

    static func requiredReason(_ form: [String: String]) throws -> String {
        guard let reason = reason(form["reason"]) else { throw SuspenseError.invalidField(field: "reason", problem: "hãy ghi lý do") }
        return reason
    }

    /// The invoices and amounts of an "apply" form: each filled row names an invoice of the school and a positive amount.
    static func chosenInvoices(_ form: [String: String], schoolID: Int64, on connection: PostgresConnection) throws -> [PaymentAllocation] {
        var allocations: [PaymentAllocation] = []
        for row in 1...applyRowsMax {
            let reference = (form["invoice\(row)"] ?? "").trimmingCharacters(in: .whitespaces)
            let amountText = (form["amount\(row)"] ?? "").trimmingCharacters(in: .whitespaces)
            if reference.isEmpty && amountText.isEmpty { continue }
            guard let invoice = try InvoiceQueries.invoice(schoolID: schoolID, reference: reference, on: connection) else {
                throw SuspenseError.invalidField(field: "invoice\(row)", problem: "không có hóa đơn '\(reference.prefix(32))' của trường")
            }
            guard let amount = Money.typedDong(amountText) else {
                throw SuspenseError.invalidField(field: "amount\(row)", problem: "'\(amountText.prefix(24))' không phải số đồng dương")
            }
            allocations.append(PaymentAllocation(invoiceID: invoice.id, amount: amount))
        }
        guard !allocations.isEmpty else { throw SuspenseError.invalidField(field: "invoice1", problem: "hãy nhập ít nhất một hóa đơn") }
        return allocations
    }
}
