import Billing
import Core
import Ledger

struct CashAllocationRequest: Codable {
    /// The invoice's number (`2026-000123` or `2026/000123`) or payment code.
    var invoice: String
    var amount: Money
}

/// Cash received at the school's counter for one student, or for siblings of one family.
struct CashPaymentRequest: Codable, APIExample {
    /// Student codes; siblings paid together must be one family.
    var students: [String]
    var amount: Money
    var payerName: String
    /// Today (Vietnam time) when absent.
    var receivedOn: CalendarDate?
    /// Absent: oldest due date first over the students' unpaid invoices. What the invoices do not take is kept as credit.
    var allocations: [CashAllocationRequest]?
    /// The desk's idempotency key (e.g. the slip number): a retry with the same key and amount returns the first result.
    var paymentKey: String?

    static let example = CashPaymentRequest(
        students: ["HS2026001"], amount: Money(dong: 2_000_000), payerName: "Trần Thị Hoa",
        receivedOn: try? CalendarDate(iso: "2026-09-20"),
        allocations: [CashAllocationRequest(invoice: "2026-000123", amount: Money(dong: 1_500_000))], paymentKey: "QUAY-2026-0457")
}

struct ApplicationView: Codable {
    var applicationId: Int64
    /// Absent for money kept as credit.
    var invoice: String?
    var studentCode: String
    var amount: Money
    var rule: String
    var explanation: String
    var receiptId: Int64?
}

struct ReceiptLinkView: Codable {
    var id: Int64
    var number: String
    var href: String
    var page: String
}

struct CashPaymentView: Codable, APIExample {
    var paymentKey: String
    /// True when this key was recorded before: nothing was written now.
    var replayed: Bool
    var applications: [ApplicationView]
    /// One receipt per student paid.
    var receiptIds: [Int64]
    var receipts: [ReceiptLinkView]
    /// What the invoices did not take, kept as the family's credit.
    var creditKept: Money

    static let example = CashPaymentView(
        paymentKey: "QUAY-2026-0457", replayed: false,
        applications: [ApplicationView(applicationId: 301, invoice: "2026/000123", studentCode: "HS2026001", amount: Money(dong: 1_500_000),
                                       rule: CashReceipts.explicitRule, explanation: "allocated as the accountant entered it; 500.000 đ kept as credit",
                                       receiptId: 88)],
        receiptIds: [88],
        receipts: [ReceiptLinkView(id: 88, number: "2026/000088", href: "/v1/schools/TH-BADINH/receipts/88",
                                   page: "/v1/schools/TH-BADINH/receipts/88/page")],
        creditKept: Money(dong: 500_000))
}

struct ReceiptStudentView: Codable {
    var studentCode: String
    var fullName: String
    var className: String
    var paymentCode: String
}

struct ReceiptItemView: Codable {
    var invoice: String
    var invoicePaymentCode: String
    var period: CalendarMonth
    var feeSummary: String
    var amount: Money
    /// True when this application was later undone; the receipt keeps its number.
    var unapplied: Bool
}

/// A receipt ("biên lai"): number, payer, student, what it paid, amount, cash or bank.
struct ReceiptView: Codable, APIExample {
    var id: Int64
    var number: String
    var href: String
    /// The printable page (HTML).
    var page: String
    var receivedOn: CalendarDate
    var payerName: String
    var student: ReceiptStudentView
    var items: [ReceiptItemView]
    var credit: Money
    var amount: Money
    var amountInWords: String
    /// `cash` or `bank`.
    var method: String
    var bankReference: String?
    /// True when every application of the receipt was undone.
    var cancelled: Bool
    var recordedBy: String

    static let example = ReceiptView(
        id: 88, number: "2026/000088", href: "/v1/schools/TH-BADINH/receipts/88", page: "/v1/schools/TH-BADINH/receipts/88/page",
        receivedOn: try! CalendarDate(year: 2026, month: 9, day: 20), payerName: "Trần Thị Hoa",
        student: ReceiptStudentView(studentCode: "HS2026001", fullName: "Nguyễn Văn An", className: "1A1", paymentCode: "HPK3M9QX"),
        items: [ReceiptItemView(invoice: "2026/000123", invoicePaymentCode: "HPA7K2Q9XM", period: try! CalendarMonth(year: 2026, month: 9),
                                feeSummary: "Học phí, Tiền ăn bán trú", amount: Money(dong: 1_500_000), unapplied: false)],
        credit: Money(dong: 500_000), amount: Money(dong: 2_000_000), amountInWords: "Hai triệu đồng", method: ReceiptMethod.bank.rawValue,
        bankReference: "FT26263123456", cancelled: false, recordedBy: "token 3 (kế toán)")

    init(id: Int64, number: String, href: String, page: String, receivedOn: CalendarDate, payerName: String, student: ReceiptStudentView,
         items: [ReceiptItemView], credit: Money, amount: Money, amountInWords: String, method: String, bankReference: String?,
         cancelled: Bool, recordedBy: String) {
        self.id = id
        self.number = number
        self.href = href
        self.page = page
        self.receivedOn = receivedOn
        self.payerName = payerName
        self.student = student
        self.items = items
        self.credit = credit
        self.amount = amount
        self.amountInWords = amountInWords
        self.method = method
        self.bankReference = bankReference
        self.cancelled = cancelled
        self.recordedBy = recordedBy
    }

    init(_ record: ReceiptRecord) {
        let link = ReceiptView.link(id: record.id, number: record.numberText, school: record.school)
        let student = ReceiptStudentView(studentCode: record.student.code, fullName: record.student.fullName,
                                         className: record.student.className, paymentCode: record.student.paymentCode)
        let items = record.items.map {
            ReceiptItemView(invoice: $0.invoiceNumber.text, invoicePaymentCode: $0.invoicePaymentCode, period: $0.period,
                            feeSummary: $0.feeSummary, amount: $0.amount, unapplied: $0.unapplied)
        }
        self.init(id: record.id, number: record.numberText, href: link.href, page: link.page, receivedOn: record.receivedOn,
                  payerName: record.payerName, student: student, items: items, credit: record.credit, amount: record.amount,
                  amountInWords: AmountInWords.vietnamese(record.amount), method: record.method.rawValue, bankReference: record.bankReference,
                  cancelled: record.isCancelled, recordedBy: record.recordedBy)
    }

    static func link(id: Int64, number: String, school: School) -> ReceiptLinkView {
        let href = BillingRequest.path(school, "receipts", String(id))
        return ReceiptLinkView(id: id, number: number, href: href, page: href + "/page")
    }
}

/// What `BillingPaymentEndpoints.check`, `CashReceipts.record` and `PaymentApplication.validate` check of the body itself.
extension CashPaymentRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] {
        ["amount": .integerRange(1...Money.absoluteDongMax),
         "allocations.amount": .integerRange(1...Money.absoluteDongMax),
         "payer_name": .text(pattern: StudentRules.visiblePattern, minLength: 1, maxLength: BillingLimits.nameCharactersMax),
         "payment_key": .patterned(pattern: BillingPaymentEndpoints.paymentKeyPattern)]
    }

    static var arrayCounts: [String: ClosedRange<Int>] {
        ["students": 1...BillingLimits.studentsPerPaymentMax, "allocations": 0...BillingLimits.allocationsPerPaymentMax]
    }
}
