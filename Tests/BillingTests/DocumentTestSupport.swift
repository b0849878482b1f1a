import Billing
import Core
import VietQR

enum DocumentFixture {
    static let school = DocumentSchool(name: "Trường Tiểu học Kim Đồng", district: "Quận Ba Đình", address: "12 Phố Đội Cấn, Hà Nội")
    static let an = DocumentStudent(fullName: "Nguyễn Văn An", code: "HP2345X", className: "3A")
    static let binh = DocumentStudent(fullName: "Nguyễn Thị Bình", code: "HP2346Y", className: "5B")
    static let september = try! CalendarMonth(year: 2026, month: 9)
    static let october = try! CalendarMonth(year: 2026, month: 10)
    static let issued = try! CalendarDate(year: 2026, month: 9, day: 1)
    static let due = try! CalendarDate(year: 2026, month: 9, day: 15)
    static let invoiceCode = try! PaymentCode(prefix: "HP", kind: .invoice, serial: 4_321)
    static let account = DocumentBankAccount(bankName: "VietinBank", accountNumber: "0011001932418", accountHolder: "TRUONG TIEU HOC KIM DONG")

    static let lines = [
        FeeNoticeLine(feeName: "Học phí", amount: Money(dong: 150_000)),
        FeeNoticeLine(feeName: "Tiền ăn bán trú", amount: Money(dong: 650_000), discount: Money(dong: 130_000),
                      discountReason: "Hộ nghèo (giảm 20%)"),
        FeeNoticeLine(feeName: "Câu lạc bộ tiếng Anh", amount: Money(dong: 1_200_000)),
    ]

    static func total(_ lines: [FeeNoticeLine]) -> Money {
        Money(dong: lines.reduce(0) { $0 + $1.amount.dong - $1.discount.dong })
    }

    /// A real VietQR image of `amount` with the invoice code first in the memo.
    static func transfer(amount: Money) throws -> FeeNoticeBankTransfer {
        let payload = try VietQRPayload.invoice(
            bankBIN: "970415", accountNumber: account.accountNumber, service: .toAccount, outstanding: amount,
            invoiceCode: invoiceCode, note: an.fullName)
        let svg = QRCodeRendering.svg(payload.qrCode(), title: "Mã VietQR")
        return FeeNoticeBankTransfer(account: account, qrCodeSVG: svg, transferMemo: payload.memo!)
    }

    static func notice(
        student: DocumentStudent = an, lines: [FeeNoticeLine] = lines, alreadyPaid: Money = .zero, cashOnly: Bool = false
    ) throws -> FeeNotice {
        let total = total(lines)
        let due = Money(dong: total.dong - alreadyPaid.dong)
        return try FeeNotice(
            school: school, student: student, invoiceCode: invoiceCode.text, period: september, issuedOn: issued,
            dueDate: self.due, lines: lines, total: total, alreadyPaid: alreadyPaid,
            bankTransfer: cashOnly || !due.isPositive ? nil : transfer(amount: due))
    }

    static func receipt(
        payer: String = "Nguyễn Văn Hùng", amount: Money = Money(dong: 2_000_000),
        method: ReceiptPaymentMethod = .bankTransfer(reference: "FT26251123456"), items: [ReceiptItem]? = nil
    ) throws -> Receipt {
        let items = items ?? [
            ReceiptItem(studentCode: an.code, invoiceCode: "HP7K2Q9XA", period: september, feeSummary: "Học phí, tiền ăn",
                        amountApplied: Money(dong: 800_000)),
            ReceiptItem(studentCode: binh.code, invoiceCode: "HP7K2R3XB", period: september, feeSummary: "Học phí, câu lạc bộ",
                        amountApplied: Money(dong: 1_050_000)),
        ]
        return try Receipt(
            number: ReceiptNumber(schoolYear: 2026, sequence: 123), date: try CalendarDate(year: 2026, month: 9, day: 20),
            school: school, payerName: payer, students: [an, binh], items: items, amount: amount, method: method,
            issuedBy: "Trần Thị Mai")
    }
}
