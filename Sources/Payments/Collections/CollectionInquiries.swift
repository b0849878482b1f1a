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
        let description = context.description
        let found = try service.pool.withConnection { connection in
            try CollectionTargets.open(code: inquiry.customerCode, schoolID: context.schoolID, on: connection)
        }
        guard let (student, invoices) = found else { return service.reply(description, .notFound, reason: "unknown code") }
        guard !invoices.isEmpty else { return service.reply(description, .noOpenItems, reason: "nothing owed") }
        let shown = Array(invoices.prefix(CollectionLimits.itemsMax))
        let expiry = Int64(context.now.timeIntervalSince1970.rounded(.down)) + CollectionInquiryToken.validitySeconds
        let token = CollectionInquiryToken(schoolID: context.schoolID, studentID: student.id, expiresAt: expiry,
                                           items: shown.map { .init(invoiceID: $0.id, amount: $0.outstanding.dong) })
        var fields = CollectionReplyFields()
        fields.set("inquiryID", token.encoded(secret: context.route.credentials.secrets[0]))
        // A format style (a value) rather than a new ISO8601DateFormatter per inquiry: building the formatter is per-request setup.
        fields.set("expiresAt", Date(timeIntervalSince1970: TimeInterval(expiry)).formatted(.iso8601))
        fields.set("customerCode", inquiry.customerCode)
        fields.set("customerName", CollectionNames.masked(student.fullName))
        fields.set("schoolName", context.schoolName)
        fields.set("items", .array(shown.map(item)))
        fields.set("total", shown.reduce(Int64(0)) { $0 + $1.outstanding.dong })
        return service.reply(description, .ok, fields)
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

/// Who and what a code names in one school: a pupil code, a pupil's payment code, or one invoice's
/// payment code (then only that invoice). Scoped by the connection's school: a code of another school
/// is unknown here.
enum CollectionTargets {
    static func student(code: String, schoolID: Int64, on connection: PostgresConnection) throws -> (Student, Invoice?)? {
        if let student = try Students.find(schoolID: schoolID, code: code, on: connection) { return (student, nil) }
        if let student = try Students.find(schoolID: schoolID, paymentCode: code, on: connection) { return (student, nil) }
        guard let invoice = try InvoiceQueries.invoice(schoolID: schoolID, paymentCode: code, on: connection),
              let student = try Students.find(schoolID: schoolID, id: invoice.studentID, on: connection) else { return nil }
        return (student, invoice)
    }

    /// The pupil and the invoices still owing, oldest due first (void and paid ones never shown).
    static func open(code: String, schoolID: Int64, on connection: PostgresConnection) throws -> (Student, [Invoice])? {
        guard let (student, invoice) = try student(code: code, schoolID: schoolID, on: connection) else { return nil }
        if let invoice { return (student, invoice.status != .void && invoice.outstanding.isPositive ? [invoice] : []) }
        return (student, try InvoiceQueries.unpaid(schoolID: schoolID, studentIDs: [student.id], on: connection))
    }
}
