import Core

/// An invoice's number: the school year and a gapless sequence within the school and that year,
/// written `2026/000123`.
public struct InvoiceNumber: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let schoolYear: Int
    public let sequence: Int

    public static let sequenceDigits = 6

    public init(schoolYear: Int, sequence: Int) {
        self.schoolYear = schoolYear
        self.sequence = sequence
    }

    /// Parses `YYYY/N…` (the sequence with or without leading zeros).
    public init(parsing text: String) throws(BillingError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, (1...9).contains(parts[1].count),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let sequence = Int(parts[1]), sequence >= 1
        else { throw .invalidField(field: "invoice number", problem: "'\(text)' is not an invoice number like 2026/000123") }
        self.init(schoolYear: year, sequence: sequence)
    }

    public var text: String {
        let digits = String(sequence)
        return "\(schoolYear)/" + String(repeating: "0", count: max(0, InvoiceNumber.sequenceDigits - digits.count)) + digits
    }

    public var description: String { text }

    public static func < (lhs: InvoiceNumber, rhs: InvoiceNumber) -> Bool {
        (lhs.schoolYear, lhs.sequence) < (rhs.schoolYear, rhs.sequence)
    }
}

/// Where an invoice stands, derived from the ledger every time it is asked.
public enum InvoiceStatus: String, Sendable, Codable, CaseIterable {
    /// Nothing paid yet.
    case open
    case partlyPaid = "partly_paid"
    case paid
    /// More applied than billed (possible only through entries outside payment application).
    case overpaid
    /// Its entry was reversed.
    case void

    /// The rule, in one place: over columns `total`, `outstanding` (the receivable balance of the invoice
    /// dimension) and `reversed` (its entry was reversed). It is SQL, not Swift, because listings filter and
    /// page by status in the database; every read of an invoice takes its status from this expression
    /// (`InvoiceQueries.selectSQL`), so no second definition can disagree with it.
    static let sqlExpression = """
        CASE WHEN reversed THEN 'void' WHEN outstanding < 0 THEN 'overpaid' WHEN outstanding = 0 THEN 'paid'
             WHEN outstanding >= total THEN 'open' ELSE 'partly_paid' END
        """
}

/// One line of an invoice.
public struct InvoiceLine: Hashable, Sendable, Codable {
    public var line: Int
    public var feeTypeID: Int64
    public var feeCode: String
    public var feeName: String
    public var feeKind: FeeKind
    public var gross: Money
    public var discount: Money
    public var net: Money
    /// The policy reasons of the discounts on this line, joined by "; ".
    public var discountReason: String?
    /// For a per-day item: days billed × day rate (= gross), and absent days of earlier months credited.
    public var days: DayCount? = nil
    /// What the state budget pays of this item (a receivable from the budget, not in `gross`).
    public var stateShare: Money = .zero

    /// What the notice and receipt print: "Tiền ăn bán trú: 19 ngày × 25.000 đ (trừ 3 ngày vắng)", or the name alone;
    /// a state-paid share is named after it ("ngân sách nhà nước đóng 379.080 đ").
    public var itemText: String {
        var text = feeName
        if let days {
            let credit = days.credited > 0 ? " (trừ \(days.credited) ngày vắng)" : ""
            text += ": \(days.billed) ngày × \(days.rate)\(credit)"
        }
        if stateShare.isPositive { text += " (ngân sách nhà nước đóng \(stateShare))" }
        return text
    }
}

/// An invoice as recorded, with what the ledger says about it now.
public struct Invoice: Hashable, Sendable, Codable {
    public var id: Int64
    public var schoolID: Int64
    public var number: InvoiceNumber
    public var studentID: Int64
    public var familyID: Int64?
    public var period: CalendarMonth
    public var issuedOn: CalendarDate
    public var dueDate: CalendarDate
    /// The invoice's payment code (kind `.invoice`).
    public var paymentCode: String
    /// The student as invoiced (later changes to the student do not alter these).
    public var studentCode: String
    public var studentName: String
    public var className: String
    public var gross: Money
    public var discount: Money
    /// What the invoice bills: gross − discount, the sum of its lines' nets.
    public var total: Money
    /// The ledger entry that booked it.
    public var entryID: Int64
    /// The receivable balance of this invoice in the ledger: total minus what was applied.
    public var outstanding: Money
    public var status: InvoiceStatus
    /// Filled by the single-invoice query; empty in listings.
    public var lines: [InvoiceLine]
    /// The receivable account the invoice was booked in.
    public var receivableAccountID: Int64

    /// What was applied to it (zero for a void invoice, whose reversal cleared its receivable).
    public var paid: Money { status == .void ? .zero : Money(dong: total.dong - outstanding.dong) }
}
