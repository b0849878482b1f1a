import Core
import VietQR

/// One fee on a notice: tuition or an agreed collection (meals, uniform, insurance, clubs).
public struct FeeNoticeLine: Hashable, Sendable, Codable {
    public var feeName: String
    /// Before any discount; not negative.
    public var amount: Money
    /// Miễn giảm: 0 ≤ discount ≤ amount.
    public var discount: Money
    /// Printed beside the discount; required when there is one.
    public var discountReason: String?

    public init(feeName: String, amount: Money, discount: Money = .zero, discountReason: String? = nil) {
        self.feeName = feeName
        self.amount = amount
        self.discount = discount
        self.discountReason = discountReason
    }

    /// `amount − discount`: never negative on a validated notice.
    public var lineTotal: Money { Money(dong: amount.dong - discount.dong) }
}

/// How to pay by bank: the account, the VietQR image and the memo the QR code carries.
public struct FeeNoticeBankTransfer: Hashable, Sendable, Codable {
    public var account: DocumentBankAccount
    /// An SVG image from `QRCodeRendering.svg`, embedded inline.
    public var qrCodeSVG: String
    /// The memo of the QR payload (`VietQRPayload.memo`): the invoice code first.
    public var transferMemo: String

    public init(account: DocumentBankAccount, qrCodeSVG: String, transferMemo: String) {
        self.account = account
        self.qrCodeSVG = qrCodeSVG
        self.transferMemo = transferMemo
    }
}

/// A fee notice ("thông báo học phí") for one invoice of one student.
///
/// A value is always consistent: the initialiser (and decoding) refuses a notice whose total is not the sum of its
/// line totals, whose memo does not start with the invoice code, or whose QR image is not a bare SVG.
public struct FeeNotice: Hashable, Sendable, Codable {
    public let school: DocumentSchool
    public let student: DocumentStudent
    /// The invoice's payment code, as parents see it and as the memo starts.
    public let invoiceCode: String
    /// The billing month ("Tháng 9/2026").
    public let period: CalendarMonth
    public let issuedOn: CalendarDate
    public let dueDate: CalendarDate
    public let lines: [FeeNoticeLine]
    /// The invoice total: the sum of the line totals.
    public let total: Money
    /// Already paid or covered by the family's credit when the notice is printed; 0 ≤ alreadyPaid ≤ total.
    public let alreadyPaid: Money
    /// Nil for a school that collects in cash only.
    public let bankTransfer: FeeNoticeBankTransfer?

    public init(
        school: DocumentSchool, student: DocumentStudent, invoiceCode: String, period: CalendarMonth,
        issuedOn: CalendarDate, dueDate: CalendarDate, lines: [FeeNoticeLine], total: Money,
        alreadyPaid: Money = .zero, bankTransfer: FeeNoticeBankTransfer?
    ) throws(DocumentError) {
        self.school = school
        self.student = student
        self.invoiceCode = invoiceCode
        self.period = period
        self.issuedOn = issuedOn
        self.dueDate = dueDate
        self.lines = lines
        self.total = total
        self.alreadyPaid = alreadyPaid
        self.bankTransfer = bankTransfer
        try validate()
    }

    /// What remains to pay: `total − alreadyPaid`, the amount the QR code should carry.
    public var amountDue: Money { Money(dong: total.dong - alreadyPaid.dong) }

    func validate() throws(DocumentError) {
        try DocumentValidation.school(school)
        try DocumentValidation.student(student, "student")
        try DocumentValidation.text(invoiceCode, "invoiceCode")
        guard !lines.isEmpty else { throw .noItems(field: "lines") }
        try DocumentValidation.count(lines.count, max: DocumentLimits.noticeLinesMax, "lines")
        for (index, line) in lines.enumerated() { try FeeNotice.validate(line, "lines[\(index)]") }
        let computed = try DocumentValidation.sum(lines.map(\.lineTotal), "total")
        try DocumentValidation.nonNegative(total, "total")
        guard computed == total else { throw .totalMismatch(field: "total", stated: total.dong, computed: computed.dong) }
        try DocumentValidation.nonNegative(alreadyPaid, "alreadyPaid")
        guard alreadyPaid <= total else {
            throw .amountNotAllowed(field: "alreadyPaid", dong: alreadyPaid.dong, rule: "must not exceed the total")
        }
        if let bankTransfer { try FeeNotice.validate(bankTransfer, invoiceCode: invoiceCode) }
    }

    static func validate(_ line: FeeNoticeLine, _ field: String) throws(DocumentError) {
        try DocumentValidation.text(line.feeName, field + ".feeName")
        try DocumentValidation.nonNegative(line.amount, field + ".amount")
        try DocumentValidation.nonNegative(line.discount, field + ".discount")
        guard line.discount <= line.amount else {
            throw .amountNotAllowed(field: field + ".discount", dong: line.discount.dong, rule: "must not exceed the amount")
        }
        try DocumentValidation.optionalText(line.discountReason, field + ".discountReason")
        if line.discount.isPositive && (line.discountReason ?? "").allSatisfy(\.isWhitespace) {
            throw .discountWithoutReason(field: field)
        }
    }

    static func validate(_ transfer: FeeNoticeBankTransfer, invoiceCode: String) throws(DocumentError) {
        try DocumentValidation.text(transfer.account.bankName, "bankTransfer.account.bankName")
        try DocumentValidation.text(transfer.account.accountNumber, "bankTransfer.account.accountNumber")
        try DocumentValidation.text(transfer.account.accountHolder, "bankTransfer.account.accountHolder")
        let memoCharacters = transfer.transferMemo.count
        guard memoCharacters <= VietQRLimits.memoCharactersMax else {
            throw .transferMemoTooLong(characters: memoCharacters, max: VietQRLimits.memoCharactersMax)
        }
        guard transfer.transferMemo.hasPrefix(invoiceCode) else {
            throw .transferMemoMustStartWithInvoiceCode(memo: transfer.transferMemo, invoiceCode: invoiceCode)
        }
        try QRCodeSVGCheck.validate(transfer.qrCodeSVG)
    }
}

extension FeeNotice {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            school: container.decode(DocumentSchool.self, forKey: .school),
            student: container.decode(DocumentStudent.self, forKey: .student),
            invoiceCode: container.decode(String.self, forKey: .invoiceCode),
            period: container.decode(CalendarMonth.self, forKey: .period),
            issuedOn: container.decode(CalendarDate.self, forKey: .issuedOn),
            dueDate: container.decode(CalendarDate.self, forKey: .dueDate),
            lines: container.decode([FeeNoticeLine].self, forKey: .lines),
            total: container.decode(Money.self, forKey: .total),
            alreadyPaid: container.decode(Money.self, forKey: .alreadyPaid),
            bankTransfer: container.decodeIfPresent(FeeNoticeBankTransfer.self, forKey: .bankTransfer))
    }
}
