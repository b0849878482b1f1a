import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// What parents see: an invoice's VietQR codes, its printable fee notice, and the printable receipt.
enum DocumentEndpoints {
    static let htmlContentType = "text/html; charset=utf-8"

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let invoice = BillingEndpoints.base + "/invoices/{invoice}"
        builder.add(.get, invoice + "/qr",
                    summary: "The invoice's VietQR payloads (dynamic: what it still owes; static: the student's code) and the dynamic "
                        + "code as SVG; refused for a void or paid invoice",
                    tag: "documents", roles: BillingEndpoints.readers, response: InvoiceQRView.self) { request in
            let view = try BillingRequest.read(context) { connection -> InvoiceQRView in
                let invoice = try BillingLookup.pathInvoice(request, on: connection)
                let qr = try InvoiceQueries.paymentQR(schoolID: request.scopedSchool.id, invoiceID: invoice.id, on: connection)
                return DocumentModels.qrView(invoice, qr)
            }
            return try APIJSON.response(view)
        }
        builder.add(.get, invoice + "/notice", summary: "The printable fee notice (HTML, Vietnamese) with the VietQR code and transfer memo",
                    tag: "documents", roles: BillingEndpoints.readers, response: nil, contentType: htmlContentType) { request in
            let html = try BillingRequest.read(context) { try notice(request, on: $0) }
            return Response.text(html, contentType: htmlContentType)
        }
        builder.add(.get, BillingEndpoints.base + "/receipts/{receipt}/page",
                    summary: "The printable receipt (HTML, Vietnamese): payer, student, what it paid, amount in figures and words, cash or bank",
                    tag: "documents", roles: BillingEndpoints.readers, response: nil, contentType: htmlContentType) { request in
            let record = try BillingRequest.read(context) { try BillingLookup.pathReceipt(request, on: $0) }
            let receipt = try printable { () throws(DocumentError) in try DocumentModels.receipt(record) }
            return Response.text(ReceiptPage.html(receipt), contentType: htmlContentType)
        }
    }

    static func notice(_ request: APIRequest, on connection: PostgresConnection) throws -> String {
        let invoice = try BillingLookup.pathInvoice(request, on: connection)
        return FeeNoticePage.html(try noticeModel(invoice, school: request.scopedSchool, on: connection))
    }

    /// The fee notice of an invoice of `school` (the console prints a class's notices with it too).
    static func noticeModel(_ invoice: Invoice, school: School, on connection: PostgresConnection) throws -> FeeNotice {
        guard invoice.status != .void else {
            throw BillingError.invoiceNotPayable("invoice \(invoice.number.text) is void: it has no fee notice")
        }
        guard let student = try Students.find(schoolID: school.id, id: invoice.studentID, on: connection) else {
            throw APIError.notFound("student_not_found", "the student of invoice \(invoice.number.text) is not in this school")
        }
        var qr: InvoicePaymentQR?
        if invoice.outstanding.isPositive {
            do {
                qr = try InvoiceQueries.paymentQR(schoolID: school.id, invoiceID: invoice.id, on: connection)
            } catch .noBankAccount {
                qr = nil // A school without a bank account collects in cash: the notice says so.
            }
        }
        return try printable { () throws(DocumentError) in try DocumentModels.notice(invoice, student: student, school: school, qr: qr) }
    }

    /// A document the recorded data cannot fill within the printed limits (e.g. more items than a page holds).
    static func printable<T>(_ build: () throws(DocumentError) -> T) throws -> T {
        do {
            return try build()
        } catch {
            throw HTTPError(status: .unprocessableContent, code: "document_not_printable", detail: error.description)
        }
    }
}
