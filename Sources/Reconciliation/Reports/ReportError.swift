import Core

/// A report model that cannot be rendered as given; each case names the field (`bankAccounts[1].memo`).
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyText(field: String)
    case textTooLong(field: String, characters: Int, max: Int)
    case tooManyItems(field: String, count: Int, max: Int)
    case amountOutOfBounds(field: String, dong: Int64)
    /// A count below zero or above `ReportLimits.statedCountMax`.
    case countOutOfRange(field: String, value: Int)
    case duplicateMonth(field: String, month: CalendarMonth)
    case duplicateSchoolCode(String)
    /// The aging buckets are not the four ages, each once, in order.
    case agingBucketsOutOfOrder
    /// A date after the report's month (an unapplied payment, a statement) that cannot belong to it.
    case dateAfterMonth(field: String, date: CalendarDate)

    public var description: String {
        switch self {
        case .emptyText(let field): return "\(field) is empty"
        case .textTooLong(let field, let characters, let max): return "\(field) has \(characters) characters (max \(max))"
        case .tooManyItems(let field, let count, let max): return "\(field) has \(count) items (max \(max))"
        case .amountOutOfBounds(let field, let dong): return "\(field) = \(dong) đồng is beyond ±\(Money.absoluteDongMax)"
        case .countOutOfRange(let field, let value): return "\(field) = \(value) is outside 0…\(ReportLimits.statedCountMax)"
        case .duplicateMonth(let field, let month): return "\(field) lists \(month.iso) twice"
        case .duplicateSchoolCode(let code): return "school code \(code) appears twice"
        case .agingBucketsOutOfOrder: return "outstandingAging.buckets must be the four ages, each once, in order"
        case .dateAfterMonth(let field, let date): return "\(field) = \(date.iso) is after the report's month"
        }
    }
}

/// Checks shared by the report models.
enum ReportValidation {
    static func text(_ text: String, _ field: @autoclosure () -> String) throws(ReportError) {
        guard !text.allSatisfy(\.isWhitespace) else { throw .emptyText(field: field()) }
        try optionalText(text, field())
    }

    static func optionalText(_ text: String?, _ field: @autoclosure () -> String) throws(ReportError) {
        guard let text, text.utf8.count > ReportLimits.textCharactersMax else { return }
        let characters = text.count
        guard characters <= ReportLimits.textCharactersMax else {
            throw .textTooLong(field: field(), characters: characters, max: ReportLimits.textCharactersMax)
        }
    }

    static func amount(_ amount: Money, _ field: @autoclosure () -> String) throws(ReportError) {
        guard amount.dong.magnitude <= UInt64(Money.absoluteDongMax) else {
            throw .amountOutOfBounds(field: field(), dong: amount.dong)
        }
    }

    static func amount(_ amount: Money?, _ field: @autoclosure () -> String) throws(ReportError) {
        if let amount { try ReportValidation.amount(amount, field()) }
    }

    static func count<C: Collection>(_ items: C, max: Int, _ field: String) throws(ReportError) {
        guard items.count <= max else { throw .tooManyItems(field: field, count: items.count, max: max) }
    }

    static func statedCount(_ value: Int, _ field: @autoclosure () -> String) throws(ReportError) {
        guard (0...ReportLimits.statedCountMax).contains(value) else { throw .countOutOfRange(field: field(), value: value) }
    }
}

/// Sums of validated amounts. The limits in `ReportLimits` make an overflow impossible; one would be a bug.
enum ReportSum {
    static func of<S: Sequence>(_ values: S) -> Int64 where S.Element == Int64 {
        var total: Int64 = 0
        for value in values {
            let (sum, overflow) = total.addingReportingOverflow(value)
            precondition(!overflow, "report limits keep sums within Int64")
            total = sum
        }
        return total
    }

    static func of<S: Sequence>(_ amounts: S) -> Int64 where S.Element == Money { of(amounts.lazy.map(\.dong)) }
}
