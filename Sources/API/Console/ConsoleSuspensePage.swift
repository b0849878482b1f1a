import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres

/// The suspense queue of a school (decisions are `ConsoleSuspenseActions`' pages, linked from here): each transaction with money left, the matcher's explanation and its
/// ranked proposals with theirs. Built by `Suspense.list`, the service behind `GET /v1/schools/{school}/suspense`.
enum ConsoleSuspensePage {
    /// Transactions shown on the page at most (the listing itself is bounded by `Suspense.entriesMax`).
    static let entriesShownMax = 200
    /// Proposals shown per transaction, best first.
    static let proposalsShownMax = 3

    static func register(_ builder: inout APIBuilder, state: ConsoleState) {
        ConsoleRoutes.page(&builder, .get, "/console/schools/{school}/suspense", state: state) { request, session in
            try page(request, session: session, state: state)
        }
    }

    static func page(_ request: Request, session: ConsoleSessions.Live, state: ConsoleState) throws -> Response {
        let found = try state.pool.withConnection { connection -> (School, SuspenseListing)? in
            guard let school = try ConsoleDashboards.scopedSchool(request, session: session, on: connection) else { return nil }
            return (school, try Suspense.list(school: school, on: connection))
        }
        guard let (school, listing) = found else { return ConsoleDashboards.notFound(session) }
        let mayDecide = ConsoleSchoolPages.mayAct(session, ConsoleSuspenseActions.template + "/accept")
        var body = request.queryValue("done").map { done(String($0.prefix(20)), school: school, mayDecide: mayDecide) } ?? ""
        body += "<div class=\"figures\">"
        body += ConsolePage.figure("Tiền vào chờ xử lý", "\(listing.incomingCount) · \(listing.incomingTotal.description)")
        body += ConsolePage.figure("Tiền ra chờ xử lý", "\(listing.outgoingCount) · \(listing.outgoingTotal.description)")
        body += "</div>\n"
        if listing.entries.isEmpty { body += ConsolePage.notice("Không có giao dịch nào chờ xử lý.", kind: "info") }
        for entry in listing.entries.prefix(entriesShownMax) {
            body += section(entry, school: school, mayDecide: mayDecide)
        }
        return ConsoleHTTP.html(ConsolePage.shell(title: "Giao dịch chờ xử lý – \(school.name)", body: body, session: session,
                                                  navigation: ConsoleRoutes.navigation(session.caller, school: school)))
    }

    /// The note after a decision, with the ways to undo it: a decided transaction may have left the queue, so this
    /// is where its "undo" pages are linked (each answers 404 when there is nothing of its kind to undo).
    static func done(_ transaction: String, school: School, mayDecide: Bool) -> String {
        var text = ConsolePage.notice("Đã ghi quyết định cho giao dịch \(transaction).", kind: "info")
        if mayDecide, let id = Int64(transaction), id > 0 {
            let base = HTMLText.escaped("\(ConsoleSchoolPages.base(school))/suspense/\(id)")
            text += "<p class=\"actions\"><a href=\"\(base)/unapply\">Hoàn tác áp dụng…</a> · <a href=\"\(base)/reverse\">Hủy quyết định hoàn trả / không phải học phí…</a></p>\n"
        }
        return text
    }

    /// What the queue and the confirmation pages say of a transaction: amounts, date, memo, payer, the matcher's explanation.
    static func facts(_ entry: SuspenseEntry) -> String {
        let transaction = entry.transaction
        var html = "<section class=\"card suspense\" id=\"transaction-\(transaction.id)\">\n<p><strong>\(HTMLText.escaped(entry.remaining.description))</strong> còn lại của "
        html += "\(HTMLText.escaped(transaction.amount.description)), ngày \(HTMLText.escaped(transaction.bookedOn.vietnamese)) "
        html += "(\(entry.ageDays) ngày)</p>\n<p>Nội dung: <q>\(HTMLText.escaped(transaction.memo))</q>"
        if let payer = transaction.payerName { html += " — người chuyển: \(HTMLText.escaped(payer))" }
        return html + "</p>\n<p class=\"explanation\">\(HTMLText.escaped(entry.explanation))</p>\n</section>\n"
    }

    /// A transaction of the queue with its ranked proposals; with the decision links when the person may decide.
    static func section(_ entry: SuspenseEntry, school: School, mayDecide: Bool) -> String {
        var html = facts(entry)
        html.removeLast("</section>\n".count)
        let base = "\(ConsoleSchoolPages.base(school))/suspense/\(entry.transaction.id)"
        let decides = mayDecide && entry.transaction.direction == .incoming
        if entry.proposals.isEmpty { html += "<p>Không có đề xuất.</p>\n" }
        html += entry.proposals.isEmpty ? "" : "<ol class=\"proposals\">\n"
        for (index, proposal) in entry.proposals.prefix(proposalsShownMax).enumerated() {
            html += "<li><strong>\(proposal.score / 10)%</strong> — \(HTMLText.escaped(proposal.explanation))"
            if decides { html += " <a class=\"accept\" href=\"\(HTMLText.escaped(base))/accept?proposal=\(index + 1)\">Chấp nhận</a>" }
            html += "</li>\n"
        }
        html += entry.proposals.isEmpty ? "" : "</ol>\n"
        if decides {
            html += "<p class=\"actions\"><a href=\"\(HTMLText.escaped(base))/apply\">Áp dụng vào hóa đơn…</a> · "
            html += "<a href=\"\(HTMLText.escaped(base))/refund\">Hoàn trả…</a> · <a href=\"\(HTMLText.escaped(base))/not-tuition\">Không phải học phí…</a></p>\n"
        }
        if decides && entry.applications.contains(where: { $0.unappliedByEntryID == nil }) {
            html += "<p class=\"actions\"><a href=\"\(HTMLText.escaped(base))/unapply\">Hoàn tác áp dụng…</a></p>\n"
        }
        if mayDecide && entry.transaction.direction == .outgoing && !entry.refundCandidateIDs.isEmpty {
            html += "<p class=\"actions\"><a href=\"\(HTMLText.escaped(base))/refund-paid\">Đã chi hoàn trả…</a></p>\n"
        }
        return html + "</section>\n"
    }
}
