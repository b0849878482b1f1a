import Core

/// How the money was paid.
public enum ReceiptPaymentMethod: Hashable, Sendable, Codable {
    /// Tiền mặt.
    case cash
    /// Chuyển khoản, with the bank's reference of the transfer.
    case bankTransfer(reference: String)

    /// "Tiền mặt" or "Chuyển khoản".
    public var vietnameseName: String {
        switch self {
        case .cash: return "Tiền mặt"
        case .bankTransfer: return "Chuyển khoản"
        }
    }
}

/// What one receipt paid on one invoice.
public struct ReceiptItem: Hashable, Sendable, Codable {
    /// The student (one of the receipt's `students`) the invoice belongs to.
    public var studentCode: String
    /// The invoice's payment code, as printed on its fee notice.
    public var invoiceCode: String
    public var period: CalendarMonth
    /// A short account of the fees, e.g. "Học phí, tiền ăn bán trú".
    public var feeSummary: String
    /// Positive.
    public var amountApplied: Money

    public init(studentCode: String, invoiceCode: String, period: CalendarMonth, feeSummary: String, amountApplied: Money) {
        self.studentCode = studentCode
        self.invoiceCode = invoiceCode
        self.period = period
        self.feeSummary = feeSummary
        self.amountApplied = amountApplied
    }
}

/// A receipt ("biên lai thu tiền") for one payment: number, payer, students, what it paid, how.
///
/// The amount is what was received; what the items do not take is the family's credit and is printed as such.
/// A value is always consistent: the initialiser (and decoding) refuses items that take more than the amount.
public struct Receipt: Hashable, Sendable, Codable {
    public let number: ReceiptNumber
    public let date: CalendarDate
    public let school: DocumentSchool
    public let payerName: String
    /// One student, or siblings paid together.
    public let students: [DocumentStudent]
    /// May be empty when the whole payment is kept as credit (paid ahead).
    public let items: [ReceiptItem]
    /// Received; positive.
    public let amount: Money
    public let method: ReceiptPaymentMethod
    /// The accountant or cashier who issues the receipt.
    public let issuedBy: String

    public init(
        number: ReceiptNumber, date: CalendarDate, school: DocumentSchool, payerName: String,
        students: [DocumentStudent], items: [ReceiptItem], amount: Money, method: ReceiptPaymentMethod, issuedBy: String
    ) throws(DocumentError) {
        self.number = number
        self.date = date
        self.school = school
        self.payerName = payerName
        self.students = students
        self.items = items
        self.amount = amount
        self.method = method
        self.issuedBy = issuedBy
        try validate()
    }

    /// The sum of the items.
    public var amountApplied: Money {
        Money(dong: items.reduce(Int64(0)) { $0 + $1.amountApplied.dong })
    }

    /// `amount − amountApplied`: kept as the family's credit.
    public var credit: Money { Money(dong: amount.dong - amountApplied.dong) }

    func validate() throws(DocumentError) {
        try DocumentValidation.school(school)
        try DocumentValidation.text(payerName, "payerName")
        try DocumentValidation.text(issuedBy, "issuedBy")
        guard !students.isEmpty else { throw .noItems(field: "students") }
        try DocumentValidation.count(students.count, max: DocumentLimits.receiptStudentsMax, "students")
        for (index, student) in students.enumerated() { try DocumentValidation.student(student, "students[\(index)]") }
        try DocumentValidation.count(items.count, max: DocumentLimits.receiptItemsMax, "items")
        let codes = Set(students.map(\.code))
        for (index, item) in items.enumerated() {
            let field = "items[\(index)]"
            guard codes.contains(item.studentCode) else { throw .unknownStudentCode(field: field, code: item.studentCode) }
            try DocumentValidation.text(item.invoiceCode, field + ".invoiceCode")
            try DocumentValidation.text(item.feeSummary, field + ".feeSummary")
            try DocumentValidation.positive(item.amountApplied, field + ".amountApplied")
        }
        try DocumentValidation.positive(amount, "amount")
        let applied = try DocumentValidation.sum(items.map(\.amountApplied), "items")
        guard applied <= amount else {
            throw .amountNotAllowed(field: "items", dong: applied.dong, rule: "the items take more than the amount received")
        }
        if case .bankTransfer(let reference) = method { try DocumentValidation.text(reference, "method.reference") }
    }
}

extension Receipt {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            number: container.decode(ReceiptNumber.self, forKey: .number),
            date: container.decode(CalendarDate.self, forKey: .date),
            school: container.decode(DocumentSchool.self, forKey: .school),
            payerName: container.decode(String.self, forKey: .payerName),
            students: container.decode([DocumentStudent].self, forKey: .students),
            items: container.decode([ReceiptItem].self, forKey: .items),
            amount: container.decode(Money.self, forKey: .amount),
            method: container.decode(ReceiptPaymentMethod.self, forKey: .method),
            issuedBy: container.decode(String.self, forKey: .issuedBy))
    }
}
