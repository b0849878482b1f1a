import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres

/// The suspense queue of a school, read-only: each transaction with money left, the matcher's explanation and its
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
        var body = "<div class=\"figures\">"
        body += ConsolePage.figure("Tiền vào chờ xử lý", "\(listing.incomingCount) · \(listing.incomingTotal.description)")
        body += ConsolePage.figure("Tiền ra chờ xử lý", "\(listing.outgoingCount) · \(listing.outgoingTotal.description)")
        body += "</div>\n"
        if listing.entries.isEmpty { body += ConsolePage.notice("Không có giao dịch nào chờ xử lý.", kind: "info") }
        for entry in listing.entries.prefix(entriesShownMax) {
            body += section(entry)
        }
        return ConsoleHTTP.html(ConsolePage.shell(title: "Giao dịch chờ xử lý – \(school.name)", body: body, session: session,
                                                  navigation: ConsoleRoutes.navigation(session.caller, school: school)))
    }

    static func section(_ entry: SuspenseEntry) -> String {
        let transaction = entry.transaction
        var html = "<section class=\"card suspense\">\n<p><strong>\(HTMLText.escaped(entry.remaining.description))</strong> còn lại của "
        html += "\(HTMLText.escaped(transaction.amount.description)), ngày \(HTMLText.escaped(transaction.bookedOn.vietnamese)) "
        html += "(\(entry.ageDays) ngày)</p>\n<p>Nội dung: <q>\(HTMLText.escaped(transaction.memo))</q>"
        if let payer = transaction.payerName { html += " — người chuyển: \(HTMLText.escaped(payer))" }
        html += "</p>\n<p class=\"explanation\">\(HTMLText.escaped(entry.explanation))</p>\n"
        guard !entry.proposals.isEmpty else { return html + "<p>Không có đề xuất.</p>\n</section>\n" }
        html += "<ol class=\"proposals\">\n"
        for proposal in entry.proposals.prefix(proposalsShownMax) {
            html += "<li><strong>\(proposal.score / 10)%</strong> — \(HTMLText.escaped(proposal.explanation))</li>\n"
        }
        return html + "</ol>\n</section>\n"
    }
}
