import Core
import Ledger
import Postgres
import VietQR

/// The VietQR codes printed for an invoice: a dynamic one for what it still owes, and the
/// student's static one (their standing code, no amount) for any later payment.
public struct InvoicePaymentQR: Hashable, Sendable {
    public var invoiceID: Int64
    public var outstanding: Money
    /// To the school's first bank account, amount = outstanding, memo = invoice code + student name.
    public var dynamicPayload: VietQRPayload
    public var staticPayload: VietQRPayload
    public var bankAccount: SchoolBankAccount
}

extension InvoiceQueries {
    /// The payloads for paying an invoice by transfer; refused for a void invoice or one with nothing left to pay.
    public static func paymentQR(schoolID: Int64, invoiceID: Int64, on connection: PostgresConnection) throws(BillingError) -> InvoicePaymentQR {
        let (invoiceFound, student, school, banks) = try BillingError.wrapping { () throws -> (Invoice?, Student?, School?, [SchoolBankAccount]) in
            let invoice = try invoice(schoolID: schoolID, id: invoiceID, on: connection)
            let student = try invoice.flatMap { try Students.find(schoolID: schoolID, id: $0.studentID, on: connection) }
            return (invoice, student, try Schools.find(id: schoolID, on: connection), try Schools.bankAccounts(schoolID: schoolID, on: connection))
        }
        guard let invoice = invoiceFound, let student, let school else { throw .unknownInvoice("id \(invoiceID)") }
        guard invoice.status != .void else { throw .invoiceNotPayable("invoice \(invoice.number.text) is void: there is nothing to pay") }
        guard invoice.outstanding.isPositive else {
            throw .invoiceNotPayable("invoice \(invoice.number.text) is \(invoice.status.rawValue): there is nothing left to pay")
        }
        guard let bank = banks.first else { throw .noBankAccount(schoolCode: school.code) }
        do {
            let invoiceCode = try PaymentCode(parsing: invoice.paymentCode, prefix: school.paymentCodePrefix)
            let standingCode = try PaymentCode(parsing: student.paymentCode, prefix: school.paymentCodePrefix)
            let dynamic = try VietQRPayload.invoice(bankBIN: bank.bankBIN, accountNumber: bank.accountNumber, service: .toAccount,
                                                    outstanding: invoice.outstanding, invoiceCode: invoiceCode, note: invoice.studentName)
            let fixed = try VietQRPayload.student(bankBIN: bank.bankBIN, accountNumber: bank.accountNumber, service: .toAccount,
                                                  standingCode: standingCode, note: student.fullName)
            return InvoicePaymentQR(invoiceID: invoice.id, outstanding: invoice.outstanding, dynamicPayload: dynamic, staticPayload: fixed,
                                    bankAccount: bank)
        } catch {
            throw .invoiceNotPayable("cannot make a VietQR code for invoice \(invoice.number.text): \(error)")
        }
    }
}
