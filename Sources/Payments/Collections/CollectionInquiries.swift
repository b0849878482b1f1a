import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Postgres

/// Answers "what does this pupil owe?": the masked name, the school, the open items (invoices with
/// what is still owed, oldest due first) with a total, and an inquiry id valid for 15 minutes.
/// Only reads: an inquiry writes nothing.
enum CollectionInquiries {
    static func answer(_ inquiry: CollectionInquiryRequest, context: CollectionContext, service: CollectionService) throws -> CollectionService.Result {
        let found = try service.pool.withConnection { connection in
            try CollectionTargets.open(code: inquiry.customerCode, schoolID: context.schoolID, on: connection)
        }
        return answer(inquiry, found: found, context: context, service: service)
    }

    /// The reply to an inquiry from what its code names (`CollectionTargets`), on whichever thread read it.
    static func answer(_ inquiry: CollectionInquiryRequest, found: OpenItemsQuery.Answer?, context: CollectionContext,
                       service: CollectionService) -> CollectionService.Result {
        let description = context.description
        guard let found else { return service.reply(description, .notFound, reason: "unknown code") }
        guard !found.invoices.isEmpty else { return service.reply(description, .noOpenItems, reason: "nothing owed") }
        let shown = found.invoices
        let expiry = Int64(context.now.timeIntervalSince1970.rounded(.down)) + CollectionInquiryToken.validitySeconds
        let token = CollectionInquiryToken(schoolID: context.schoolID, studentID: found.studentID, expiresAt: expiry,
                                           items: shown.map { .init(invoiceID: $0.id, amount: $0.outstanding.dong) })
        var fields = CollectionReplyFields()
        fields.set("inquiryID", token.encoded(secret: context.route.credentials.secrets[0]))
        fields.set("expiresAt", utcText(unixSeconds: expiry))
        fields.set("customerCode", inquiry.customerCode)
        fields.set("customerName", CollectionNames.masked(found.studentName))
        fields.set("schoolName", context.schoolName)
        fields.set("items", .array(shown.map(item)))
        fields.set("total", shown.reduce(Int64(0)) { $0 + $1.outstanding.dong })
        return service.reply(description, .ok, fields)
    }

    /// `2026-09-15T03:36:09Z`: RFC 3339 in UTC, built from the day number, without a Foundation formatter per inquiry.
    static func utcText(unixSeconds seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = Int(seconds - days * 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return CalendarDate(daysSinceEpoch: Int(days)).iso + "T" + two(second / 3600) + ":" + two(second / 60 % 60) + ":" + two(second % 60) + "Z"
    }

    static func item(_ invoice: Invoice) -> JSONValue {
        let month = invoice.period
        return .object([
            JSONMember(key: "itemID", value: .string(invoice.number.text)),
            JSONMember(key: "description", value: .string("Các khoản thu tháng \(month.month < 10 ? "0" : "")\(month.month)/\(month.year)")),
            JSONMember(key: "amount", value: .number(String(invoice.outstanding.dong))),
            JSONMember(key: "dueDate", value: .string(invoice.dueDate.iso)),
        ])
    }
}

/// Who and what a code names in one school, and what is still owed: a pupil code, a pupil's payment
/// code, or one invoice's payment code (then only that invoice), at most `CollectionLimits.itemsMax`
/// items, oldest due first. Scoped by the connection's school: a code of another school is unknown here.
///
/// Two statements, the second only when the first finds nothing: a pupil code (`pupilCodeQuery`), what
/// banks send almost always, then every kind of code (`query`).
enum CollectionTargets {
    static func open(code: String, schoolID: Int64, on connection: PostgresConnection) throws -> OpenItemsQuery.Answer? {
        if let pupil = try OpenItemsQuery.decode(connection.query(pupilCodeQuery(code: code, schoolID: schoolID))) { return pupil }
        return try openAnyCode(code: code, schoolID: schoolID, on: connection)
    }

    /// `open`'s second statement alone: what a code names as any kind of code.
    static func openAnyCode(code: String, schoolID: Int64, on connection: PostgresConnection) throws -> OpenItemsQuery.Answer? {
        try OpenItemsQuery.decode(connection.query(query(code: code, schoolID: schoolID)))
    }

    /// `open`'s first statement; its rows are read by `OpenItemsQuery.decode`.
    static func pupilCodeQuery(code: String, schoolID: Int64) -> PostgresQuery {
        OpenItemsQuery.query(schoolID: schoolID, pupilCode: code, invoicesMax: CollectionLimits.itemsMax)
    }

    /// `open`'s second statement; its rows are read by `OpenItemsQuery.decode`.
    static func query(code: String, schoolID: Int64) -> PostgresQuery {
        OpenItemsQuery.query(schoolID: schoolID, code: code, invoicesMax: CollectionLimits.itemsMax)
    }
}
