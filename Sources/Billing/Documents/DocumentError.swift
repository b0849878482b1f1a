import Core

/// A document model that cannot be printed as given; each case names the field.
public enum DocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyText(field: String)
    case textTooLong(field: String, characters: Int, max: Int)
    case tooManyItems(field: String, count: Int, max: Int)
    case noItems(field: String)
    case amountOutOfBounds(field: String, dong: Int64)
    /// A fee, a discount, a payment or an applied amount that must not be negative (or must be positive) is not.
    case amountNotAllowed(field: String, dong: Int64, rule: String)
    /// A discount without the reason the notice must print.
    case discountWithoutReason(field: String)
    /// A stated total differs from what its parts add up to.
    case totalMismatch(field: String, stated: Int64, computed: Int64)
    case transferMemoMustStartWithInvoiceCode(memo: String, invoiceCode: String)
    case transferMemoTooLong(characters: Int, max: Int)
    /// The QR code is not a bare SVG image, or carries what a QR image never needs (scripts, links, foreign content).
    case unsafeQRCodeSVG(reason: String)
    case unknownStudentCode(field: String, code: String)
    case invalidReceiptNumber(String)

    public var description: String {
        switch self {
        case .emptyText(let field): return "\(field) is empty"
        case .textTooLong(let field, let characters, let max): return "\(field) has \(characters) characters (max \(max))"
        case .tooManyItems(let field, let count, let max): return "\(field) has \(count) items (max \(max))"
        case .noItems(let field): return "\(field) has no items"
        case .amountOutOfBounds(let field, let dong): return "\(field) = \(dong) đồng is beyond ±\(Money.absoluteDongMax)"
        case .amountNotAllowed(let field, let dong, let rule): return "\(field) = \(dong) đồng: \(rule)"
        case .discountWithoutReason(let field): return "\(field) has a discount but no reason"
        case .totalMismatch(let field, let stated, let computed):
            return "\(field) is \(stated) đồng but its parts add up to \(computed) đồng"
        case .transferMemoMustStartWithInvoiceCode(let memo, let code):
            return "transfer memo '\(memo)' does not start with the invoice code \(code)"
        case .transferMemoTooLong(let characters, let max): return "transfer memo has \(characters) characters (max \(max))"
        case .unsafeQRCodeSVG(let reason): return "QR code SVG refused: \(reason)"
        case .unknownStudentCode(let field, let code): return "\(field) names student \(code), who is not on the receipt"
        case .invalidReceiptNumber(let text): return "'\(text)' is not a receipt number (YYYY/NNNNNN)"
        }
    }
}

/// Checks shared by the document models.
enum DocumentValidation {
    static func text(_ text: String, _ field: String) throws(DocumentError) {
        guard !text.allSatisfy(\.isWhitespace) else { throw .emptyText(field: field) }
        try optionalText(text, field)
    }

    static func optionalText(_ text: String?, _ field: String) throws(DocumentError) {
        guard let text else { return }
        let characters = text.count
        guard characters <= DocumentLimits.textCharactersMax else {
            throw .textTooLong(field: field, characters: characters, max: DocumentLimits.textCharactersMax)
        }
    }

    static func amount(_ amount: Money, _ field: String) throws(DocumentError) {
        guard amount.dong.magnitude <= UInt64(Money.absoluteDongMax) else {
            throw .amountOutOfBounds(field: field, dong: amount.dong)
        }
    }

    static func nonNegative(_ amount: Money, _ field: String) throws(DocumentError) {
        try DocumentValidation.amount(amount, field)
        guard !amount.isNegative else { throw .amountNotAllowed(field: field, dong: amount.dong, rule: "must not be negative") }
    }

    static func positive(_ amount: Money, _ field: String) throws(DocumentError) {
        try DocumentValidation.amount(amount, field)
        guard amount.isPositive else { throw .amountNotAllowed(field: field, dong: amount.dong, rule: "must be positive") }
    }

    static func count(_ count: Int, max: Int, _ field: String) throws(DocumentError) {
        guard count <= max else { throw .tooManyItems(field: field, count: count, max: max) }
    }

    static func school(_ school: DocumentSchool) throws(DocumentError) {
        try text(school.name, "school.name")
        try text(school.district, "school.district")
        try optionalText(school.address, "school.address")
    }

    static func student(_ student: DocumentStudent, _ field: String) throws(DocumentError) {
        try text(student.fullName, field + ".fullName")
        try text(student.code, field + ".code")
        try text(student.className, field + ".className")
    }

    /// The sum of amounts each already within `Money.absoluteDongMax`; at most `count × 10¹⁵`, far below `Int64.max`
    /// for the item limits here, so only the bound of a Money total is checked.
    static func sum(_ amounts: [Money], _ field: String) throws(DocumentError) -> Money {
        var total: Int64 = 0
        for amount in amounts {
            let (sum, overflow) = total.addingReportingOverflow(amount.dong)
            precondition(!overflow, "item limits keep document sums within Int64")
            total = sum
        }
        let money = Money(dong: total)
        try DocumentValidation.amount(money, field)
        return money
    }
}
