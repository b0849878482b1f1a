import Core

/// How old an unpaid invoice is: months from its billing period to the report's month.
public enum AgingAge: String, Sendable, Codable, CaseIterable {
    case currentMonth
    case oneMonth
    case twoMonths
    case threeMonthsOrMore

    /// Months late → age; a period after the report's month (billed ahead) counts as the current month.
    public init(monthsLate: Int) {
        switch monthsLate {
        case ...0: self = .currentMonth
        case 1: self = .oneMonth
        case 2: self = .twoMonths
        default: self = .threeMonthsOrMore
        }
    }

    public var vietnameseName: String {
        switch self {
        case .currentMonth: return "Trong tháng"
        case .oneMonth: return "Quá 1 tháng"
        case .twoMonths: return "Quá 2 tháng"
        case .threeMonthsOrMore: return "Từ 3 tháng trở lên"
        }
    }
}

public struct AgingBucket: Hashable, Sendable, Codable {
    public var age: AgingAge
    public var invoiceCount: Int
    public var amount: Money

    public init(age: AgingAge, invoiceCount: Int, amount: Money) {
        self.age = age
        self.invoiceCount = invoiceCount
        self.amount = amount
    }
}

/// An invoice still (partly) unpaid at the end of the month.
public struct OutstandingInvoice: Hashable, Sendable, Codable {
    public var invoiceCode: String
    public var studentName: String
    public var studentCode: String
    public var className: String
    public var period: CalendarMonth
    public var dueDate: CalendarDate
    public var outstanding: Money

    public init(
        invoiceCode: String, studentName: String, studentCode: String, className: String, period: CalendarMonth,
        dueDate: CalendarDate, outstanding: Money
    ) {
        self.invoiceCode = invoiceCode
        self.studentName = studentName
        self.studentCode = studentCode
        self.className = className
        self.period = period
        self.dueDate = dueDate
        self.outstanding = outstanding
    }

    /// Largest amount first, then the oldest period, then the code: a total order, so the list is stable.
    static func largestFirst(_ a: OutstandingInvoice, _ b: OutstandingInvoice) -> Bool {
        if a.outstanding != b.outstanding { return a.outstanding > b.outstanding }
        if a.period != b.period { return a.period < b.period }
        if a.invoiceCode != b.invoiceCode { return a.invoiceCode < b.invoiceCode }
        return (a.studentCode, a.studentName, a.className, a.dueDate) < (b.studentCode, b.studentName, b.className, b.dueDate)
    }
}

/// Unpaid invoices by age (count and amount per bucket) and the largest of them.
public struct OutstandingAging: Hashable, Sendable, Codable {
    /// The four ages, each once, in `AgingAge.allCases` order.
    public var buckets: [AgingBucket]
    /// The largest unpaid invoices, largest first.
    public var largest: [OutstandingInvoice]

    /// From figures computed elsewhere (e.g. in SQL).
    public init(buckets: [AgingBucket], largest: [OutstandingInvoice]) {
        self.buckets = buckets
        self.largest = largest
    }

    /// From every unpaid invoice: buckets by age relative to `month`, and the `largestCount` largest.
    /// Invoices with nothing outstanding are skipped.
    public init(invoices: [OutstandingInvoice], month: CalendarMonth, largestCount: Int) throws(MoneyError) {
        precondition((0...ReportLimits.largestOutstandingMax).contains(largestCount), "largest count out of range")
        var counts = [Int](repeating: 0, count: AgingAge.allCases.count)
        var amounts = [Money](repeating: .zero, count: AgingAge.allCases.count)
        let unpaid = invoices.filter { $0.outstanding.isPositive }
        for invoice in unpaid {
            let age = AgingAge(monthsLate: invoice.period.months(until: month))
            let index = AgingAge.allCases.firstIndex(of: age)!
            counts[index] += 1
            amounts[index] = try amounts[index].adding(invoice.outstanding)
        }
        self.buckets = AgingAge.allCases.enumerated().map { index, age in
            AgingBucket(age: age, invoiceCount: counts[index], amount: amounts[index])
        }
        self.largest = Array(unpaid.sorted(by: OutstandingInvoice.largestFirst).prefix(largestCount))
    }

    public static let empty = OutstandingAging(
        buckets: AgingAge.allCases.map { AgingBucket(age: $0, invoiceCount: 0, amount: .zero) }, largest: [])

    /// Invoices and amount over all buckets.
    public var totalCount: Int { buckets.reduce(0) { $0 + $1.invoiceCount } }
    public var totalAmount: Money { Money(dong: ReportSum.of(buckets.map(\.amount))) }

    func validated() throws(ReportError) -> OutstandingAging {
        guard buckets.map(\.age) == AgingAge.allCases else { throw .agingBucketsOutOfOrder }
        for (index, bucket) in buckets.enumerated() {
            try ReportValidation.statedCount(bucket.invoiceCount, "outstandingAging.buckets[\(index)].invoiceCount")
            try ReportValidation.amount(bucket.amount, "outstandingAging.buckets[\(index)].amount")
        }
        try ReportValidation.count(largest, max: ReportLimits.largestOutstandingMax, "outstandingAging.largest")
        for (index, invoice) in largest.enumerated() {
            let field = "outstandingAging.largest[\(index)]"
            try ReportValidation.text(invoice.invoiceCode, field + ".invoiceCode")
            try ReportValidation.text(invoice.studentName, field + ".studentName")
            try ReportValidation.optionalText(invoice.studentCode, field + ".studentCode")
            try ReportValidation.optionalText(invoice.className, field + ".className")
            try ReportValidation.amount(invoice.outstanding, field + ".outstanding")
        }
        var sorted = self
        sorted.largest.sort(by: OutstandingInvoice.largestFirst)
        return sorted
    }
}
