import Billing
import Core
import Ledger

/// An invoice in a listing. `outstanding`, `paid` and `status` come from the ledger at the time of the request.
struct InvoiceSummaryView: Codable, APIExample {
    /// As printed: `2026/000123`. In paths it is written `2026-000123`.
    var number: String
    var href: String
    /// The invoice's payment code: the memo of its dynamic VietQR code starts with it.
    var paymentCode: String
    /// The student as invoiced (later changes to the student do not alter an issued invoice).
    var studentCode: String
    var studentName: String
    var className: String
    var period: CalendarMonth
    var issuedOn: CalendarDate
    var dueDate: CalendarDate
    var total: Money
    var paid: Money
    var outstanding: Money
    /// `open`, `partly_paid`, `paid`, `overpaid` or `void`.
    var status: String

    static let example = InvoiceSummaryView(
        number: "2026/000123", href: "/v1/schools/TH-BADINH/invoices/2026-000123", paymentCode: "HPA7K2Q9XM",
        studentCode: "HS2026001", studentName: "Nguyễn Văn An", className: "1A1", period: try! CalendarMonth(year: 2026, month: 9),
        issuedOn: try! CalendarDate(year: 2026, month: 9, day: 1), dueDate: try! CalendarDate(year: 2026, month: 9, day: 10),
        total: Money(dong: 1_500_000), paid: Money(dong: 500_000), outstanding: Money(dong: 1_000_000),
        status: InvoiceStatus.partlyPaid.rawValue)

    init(number: String, href: String, paymentCode: String, studentCode: String, studentName: String, className: String,
         period: CalendarMonth, issuedOn: CalendarDate, dueDate: CalendarDate, total: Money, paid: Money, outstanding: Money,
         status: String) {
        self.number = number
        self.href = href
        self.paymentCode = paymentCode
        self.studentCode = studentCode
        self.studentName = studentName
        self.className = className
        self.period = period
        self.issuedOn = issuedOn
        self.dueDate = dueDate
        self.total = total
        self.paid = paid
        self.outstanding = outstanding
        self.status = status
    }

    init(_ invoice: Invoice, school: School) {
        self.init(number: invoice.number.text, href: InvoiceSummaryView.href(invoice.number, school: school),
                  paymentCode: invoice.paymentCode, studentCode: invoice.studentCode, studentName: invoice.studentName,
                  className: invoice.className, period: invoice.period, issuedOn: invoice.issuedOn, dueDate: invoice.dueDate,
                  total: invoice.total, paid: invoice.paid, outstanding: invoice.outstanding, status: invoice.status.rawValue)
    }

    /// `2026-000123`: the number as a path segment can carry it.
    static func pathKey(_ number: InvoiceNumber) -> String { number.text.replacingOccurrences(of: "/", with: "-") }

    static func href(_ number: InvoiceNumber, school: School) -> String {
        BillingRequest.path(school, "invoices", pathKey(number))
    }
}

struct InvoiceList: Codable, APIExample {
    var items: [InvoiceSummaryView]
    var nextAfter: String?
    static let example = InvoiceList(items: [InvoiceSummaryView.example], nextAfter: "2026-000123")
}

struct InvoiceLineView: Codable {
    var line: Int
    var feeType: String
    var feeName: String
    var feeKind: String
    var gross: Money
    var discount: Money
    var net: Money
    var discountReason: String?
}

/// One invoice with its lines (the listing's fields, then `gross`, `discount` and `lines`); the lines' nets add up to the total.
struct InvoiceView: Encodable, APIExample {
    var summary: InvoiceSummaryView
    var gross: Money
    var discount: Money
    var lines: [InvoiceLineView]

    enum CodingKeys: String, CodingKey {
        case gross, discount, lines
    }

    static let example = InvoiceView(
        summary: InvoiceSummaryView.example, gross: Money(dong: 1_800_000), discount: Money(dong: 300_000),
        lines: [InvoiceLineView(line: 1, feeType: "HP", feeName: "Học phí", feeKind: FeeKind.tuition.rawValue, gross: Money(dong: 1_800_000),
                                discount: Money(dong: 300_000), net: Money(dong: 1_500_000),
                                discountReason: "Giảm 300.000 đ/tháng: con giáo viên")])

    init(summary: InvoiceSummaryView, gross: Money, discount: Money, lines: [InvoiceLineView]) {
        self.summary = summary
        self.gross = gross
        self.discount = discount
        self.lines = lines
    }

    init(_ invoice: Invoice, school: School) {
        self.init(summary: InvoiceSummaryView(invoice, school: school), gross: invoice.gross, discount: invoice.discount,
                  lines: invoice.lines.map {
                      InvoiceLineView(line: $0.line, feeType: $0.feeCode, feeName: $0.feeName, feeKind: $0.feeKind.rawValue, gross: $0.gross,
                                      discount: $0.discount, net: $0.net, discountReason: $0.discountReason)
                  })
    }

    /// Flat: the summary's members and this view's in one object.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gross, forKey: .gross)
        try container.encode(discount, forKey: .discount)
        try container.encode(lines, forKey: .lines)
    }
}

struct IssueRequest: Codable, APIExample {
    var period: CalendarMonth
    /// The issue date printed on the invoices; today (Vietnam time) when absent.
    var issuedOn: CalendarDate?
    static let example = IssueRequest(period: try! CalendarMonth(year: 2026, month: 9), issuedOn: try! CalendarDate(year: 2026, month: 9, day: 1))
}

struct PrepayRequest: Codable, APIExample {
    var student: String
    /// Up to 12 months; months already issued are skipped.
    var periods: [CalendarMonth]
    var issuedOn: CalendarDate?
    static let example = PrepayRequest(student: "HS2026001", periods: [try! CalendarMonth(year: 2026, month: 10), try! CalendarMonth(year: 2026, month: 11)],
                                       issuedOn: try! CalendarDate(year: 2026, month: 9, day: 15))
}

/// What an issuing run did: "issued N, already issued M".
struct IssueSummaryView: Codable, APIExample {
    var periods: [CalendarMonth]
    var issued: Int
    var alreadyIssued: Int
    /// Student-months no schedule bills.
    var withoutFees: Int
    /// Students whose tuition was left out: they already have the 9 tuition months a school year allows (Decree 81/2021).
    var cappedCount: Int
    var cappedStudentCodes: [String]
    var totalIssued: Money
    var summary: String

    static let example = IssueSummaryView(
        periods: [try! CalendarMonth(year: 2026, month: 9)], issued: 412, alreadyIssued: 3, withoutFees: 1, cappedCount: 1,
        cappedStudentCodes: ["HS2026077"], totalIssued: Money(dong: 618_000_000),
        summary: "issued 412, already issued 3, 1 without fees, tuition left out for 1 (9-month cap)")

    init(periods: [CalendarMonth], issued: Int, alreadyIssued: Int, withoutFees: Int, cappedCount: Int, cappedStudentCodes: [String],
         totalIssued: Money, summary: String) {
        self.periods = periods
        self.issued = issued
        self.alreadyIssued = alreadyIssued
        self.withoutFees = withoutFees
        self.cappedCount = cappedCount
        self.cappedStudentCodes = cappedStudentCodes
        self.totalIssued = totalIssued
        self.summary = summary
    }

    init(_ summary: IssueSummary) {
        self.init(periods: summary.periods, issued: summary.issued, alreadyIssued: summary.alreadyIssued, withoutFees: summary.withoutFees,
                  cappedCount: summary.cappedCount, cappedStudentCodes: summary.cappedStudentCodes, totalIssued: summary.totalIssued,
                  summary: summary.summary)
    }
}

struct VoidRequest: Codable, APIExample {
    var reason: String
    /// The reversal's date; today, or the invoice's own date if later, when absent.
    var effectiveDate: CalendarDate?
    static let example = VoidRequest(reason: "Học sinh chuyển trường từ tháng 9", effectiveDate: try! CalendarDate(year: 2026, month: 9, day: 5))
}

struct VoidedInvoiceView: Codable, APIExample {
    var number: String
    var href: String
    var status: String
    /// The ledger entry reversing the invoice's entry. The number stays used.
    var reversalEntryId: Int64

    static let example = VoidedInvoiceView(number: "2026/000123", href: "/v1/schools/TH-BADINH/invoices/2026-000123",
                                           status: InvoiceStatus.void.rawValue, reversalEntryId: 9_876)
}

/// What the prepayment route checks before it looks the student up.
extension PrepayRequest: APIRequestBody {
    static var arrayCounts: [String: ClosedRange<Int>] { ["periods": 1...BillingLimits.prepaidPeriodsMax] }
}
