import Billing
import Core
import Foundation
import Ledger
import VietQR

/// The VietQR codes of an invoice: both payloads and the dynamic one drawn as SVG.
struct InvoiceQRView: Codable, APIExample {
    var invoice: String
    var paymentCode: String
    /// What the dynamic code asks for: what the invoice still owes now.
    var outstanding: Money
    /// One payment of `outstanding`; its memo starts with the invoice's payment code.
    var dynamicPayload: String
    /// The student's reusable code: no amount, the memo is their standing payment code.
    var staticPayload: String
    var memo: String
    var bankBin: String
    var bankName: String
    var accountNumber: String
    var accountHolder: String
    /// The dynamic code as a standalone SVG image.
    var svg: String

    static let example: InvoiceQRView = {
        let dynamic = try! VietQRPayload(bankBIN: "970436", accountNumber: "0011001234567", service: .toAccount,
                                         amount: Money(dong: 1_500_000), memo: "HPA7K2Q9XM NGUYEN VAN AN")
        let fixed = try! VietQRPayload(bankBIN: "970436", accountNumber: "0011001234567", service: .toAccount, amount: nil,
                                       memo: "HPK3M9QX NGUYEN VAN AN")
        return InvoiceQRView(invoice: "2026/000123", paymentCode: "HPA7K2Q9XM", outstanding: Money(dong: 1_500_000),
                             dynamicPayload: dynamic.text, staticPayload: fixed.text, memo: dynamic.memo!, bankBin: "970436",
                             bankName: "Vietcombank", accountNumber: "0011001234567", accountHolder: "TRUONG TIEU HOC BA DINH",
                             svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 41 41\">…</svg>")
    }()
}

/// Builds the printable documents from what Billing records.
enum DocumentModels {
    static func school(_ school: School) -> DocumentSchool {
        DocumentSchool(name: school.name, district: school.placeName)
    }

    static func qrView(_ invoice: Invoice, _ qr: InvoicePaymentQR) -> InvoiceQRView {
        let memo = qr.dynamicPayload.memo ?? invoice.paymentCode
        return InvoiceQRView(invoice: invoice.number.text, paymentCode: invoice.paymentCode, outstanding: qr.outstanding,
                             dynamicPayload: qr.dynamicPayload.text, staticPayload: qr.staticPayload.text, memo: memo,
                             bankBin: qr.bankAccount.bankBIN, bankName: VietQRBank.displayName(bin: qr.bankAccount.bankBIN),
                             accountNumber: qr.bankAccount.accountNumber, accountHolder: qr.bankAccount.holderName,
                             svg: svg(qr.dynamicPayload))
    }

    static func svg(_ payload: VietQRPayload) -> String {
        QRCodeRendering.svg(payload.qrCode(), title: "VietQR")
    }

    /// The fee notice of `invoice`; `qr` is nil when nothing is left to pay or the school takes no transfers.
    static func notice(_ invoice: Invoice, student: Student, school: School, qr: InvoicePaymentQR?) throws(DocumentError) -> FeeNotice {
        let lines = invoice.lines.map { line in
            FeeNoticeLine(feeName: line.itemText, amount: line.gross, discount: line.discount,
                          discountReason: line.discount.isPositive ? (line.discountReason ?? "Miễn giảm") : line.discountReason)
        }
        // An overpaid invoice prints as fully paid: the notice never shows more paid than billed.
        let paid = Money(dong: min(max(invoice.total.dong - invoice.outstanding.dong, 0), invoice.total.dong))
        let transfer = qr.map { qr in
            FeeNoticeBankTransfer(account: DocumentBankAccount(bankName: VietQRBank.displayName(bin: qr.bankAccount.bankBIN),
                                                               accountNumber: qr.bankAccount.accountNumber,
                                                               accountHolder: qr.bankAccount.holderName),
                                  qrCodeSVG: svg(qr.dynamicPayload), transferMemo: qr.dynamicPayload.memo ?? invoice.paymentCode)
        }
        return try FeeNotice(school: DocumentModels.school(school),
                             student: DocumentStudent(fullName: invoice.studentName, code: student.paymentCode, className: invoice.className),
                             invoiceCode: invoice.paymentCode, period: invoice.period, issuedOn: invoice.issuedOn, dueDate: invoice.dueDate,
                             lines: lines, total: invoice.total, alreadyPaid: paid, bankTransfer: transfer)
    }

    /// The printed receipt of `record`: every item it paid, as received (an item undone later still shows what was received).
    static func receipt(_ record: ReceiptRecord) throws(DocumentError) -> Receipt {
        let student = DocumentStudent(fullName: record.student.fullName, code: record.student.paymentCode, className: record.student.className)
        let items = record.items.map { item in
            ReceiptItem(studentCode: student.code, invoiceCode: item.invoicePaymentCode, period: item.period,
                        feeSummary: feeSummary(item), amountApplied: item.amount)
        }
        let method: ReceiptPaymentMethod = switch record.method {
        case .cash: .cash
        case .bank: .bankTransfer(reference: record.bankReference ?? "giao dịch \(record.bankTransactionID ?? 0)")
        }
        return try Receipt(number: try ReceiptNumber(schoolYear: record.schoolYear, sequence: record.sequence), date: record.receivedOn,
                           school: school(record.school), payerName: record.payerName, students: [student], items: items,
                           amount: record.amount, method: method, issuedBy: issuerName(record.recordedBy))
    }

    /// The name printed under "Người thu tiền": the token's label of an API actor (`token 12 (Kế toán Hoa)`),
    /// otherwise the recorded actor as is.
    static func issuerName(_ recordedBy: String) -> String {
        guard recordedBy.hasPrefix("token "), recordedBy.hasSuffix(")"), let open = recordedBy.firstIndex(of: "(") else { return recordedBy }
        let id = recordedBy[recordedBy.index(recordedBy.startIndex, offsetBy: 6)..<open].trimmingCharacters(in: .whitespaces)
        let label = recordedBy[recordedBy.index(after: open)..<recordedBy.index(before: recordedBy.endIndex)]
        guard !id.isEmpty, id.allSatisfy(\.isNumber), !label.allSatisfy(\.isWhitespace) else { return recordedBy }
        return String(label)
    }

    /// The invoice's fees by name, within what one printed text holds.
    static func feeSummary(_ item: ReceiptRecord.Item) -> String {
        let summary = item.feeSummary.isEmpty ? "Hóa đơn \(item.invoiceNumber.text)" : item.feeSummary
        return String(summary.prefix(DocumentLimits.textCharactersMax))
    }
}
