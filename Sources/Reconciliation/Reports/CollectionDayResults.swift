import Core

/// One day's bank-collection reconciliation (the bank's end-of-day file compared with the notices we
/// recorded), as the monthly report shows it: counts and amounts per result, and each collection
/// exception named. The latest file of a day and provider stands for that day.
public struct CollectionDayResult: Hashable, Sendable, Codable {
    public struct Tally: Hashable, Sendable, Codable {
        public var count: Int
        public var bankAmount: Money
        public var ourAmount: Money

        public init(count: Int, bankAmount: Money, ourAmount: Money) {
            self.count = count
            self.bankAmount = bankAmount
            self.ourAmount = ourAmount
        }
    }

    /// A payment that is not `matched`: `kind` is `bank_only`, `ours_only` or `amount_differs`.
    public struct Exception: Hashable, Sendable, Codable {
        public var kind: String
        public var transactionId: String
        public var customerCode: String
        public var bankAmount: Money?
        public var ourAmount: Money?

        public init(kind: String, transactionId: String, customerCode: String, bankAmount: Money?, ourAmount: Money?) {
            self.kind = kind
            self.transactionId = transactionId
            self.customerCode = customerCode
            self.bankAmount = bankAmount
            self.ourAmount = ourAmount
        }
    }

    public var date: CalendarDate
    public var provider: String
    public var matched: Tally
    public var bankOnly: Tally
    public var oursOnly: Tally
    public var amountDiffers: Tally
    /// Sorted by kind, then transaction id; at most `ReportLimits.collectionExceptionsPerDayMax`.
    public var exceptions: [Exception]

    public init(date: CalendarDate, provider: String, matched: Tally, bankOnly: Tally, oursOnly: Tally, amountDiffers: Tally,
                exceptions: [Exception]) {
        self.date = date
        self.provider = provider
        self.matched = matched
        self.bankOnly = bankOnly
        self.oursOnly = oursOnly
        self.amountDiffers = amountDiffers
        self.exceptions = exceptions
    }

    /// Payments that are not matched, of every kind.
    public var differingCount: Int { bankOnly.count + oursOnly.count + amountDiffers.count }
}

extension MonthlyReconciliationReport {
    /// Days in order, each provider once a day; no day after the report's month; exceptions in a fixed order and bounded.
    static func canonical(_ days: [CollectionDayResult], month: CalendarMonth) throws(ReportError) -> [CollectionDayResult] {
        guard days.count <= ReportLimits.collectionDaysMax else {
            throw ReportError.tooManyItems(field: "collectionDays", count: days.count, max: ReportLimits.collectionDaysMax)
        }
        var sorted = days.sorted { ($0.date, $0.provider) < ($1.date, $1.provider) }
        for index in sorted.indices {
            guard sorted[index].date <= month.lastDay else {
                throw ReportError.dateAfterMonth(field: "collectionDays[\(index)].date", date: sorted[index].date)
            }
            guard sorted[index].exceptions.count <= ReportLimits.collectionExceptionsPerDayMax else {
                throw ReportError.tooManyItems(field: "collectionDays[\(index)].exceptions", count: sorted[index].exceptions.count,
                                               max: ReportLimits.collectionExceptionsPerDayMax)
            }
            sorted[index].exceptions.sort { ($0.kind, $0.transactionId) < ($1.kind, $1.transactionId) }
        }
        return sorted
    }
}

/// The collection days in the monthly report's renderings. A school without collection connections
/// has none, and its report is then exactly as before (the JSON key and the page section are left
/// out), so existing canonical hashes keep their bytes.
enum CollectionDaySection {
    static func json(_ days: [CollectionDayResult]) -> ReportJSON {
        func tally(_ tally: CollectionDayResult.Tally) -> ReportJSON {
            .object([ReportJSONMember("count", .integer(Int64(tally.count))), ReportJSONMember("bankAmount", .integer(tally.bankAmount.dong)),
                     ReportJSONMember("ourAmount", .integer(tally.ourAmount.dong))])
        }
        return .array(days.map { day in
            .object([
                ReportJSONMember("date", .string(day.date.iso)),
                ReportJSONMember("provider", .string(day.provider)),
                ReportJSONMember("matched", tally(day.matched)),
                ReportJSONMember("bankOnly", tally(day.bankOnly)),
                ReportJSONMember("oursOnly", tally(day.oursOnly)),
                ReportJSONMember("amountDiffers", tally(day.amountDiffers)),
                ReportJSONMember("exceptions", .array(day.exceptions.map { exception in
                    .object([
                        ReportJSONMember("kind", .string(exception.kind)),
                        ReportJSONMember("transactionId", .string(exception.transactionId)),
                        ReportJSONMember("customerCode", .string(exception.customerCode)),
                        ReportJSONMember("bankAmount", .optional(exception.bankAmount?.dong)),
                        ReportJSONMember("ourAmount", .optional(exception.ourAmount?.dong)),
                    ])
                })),
            ])
        })
    }

    /// Two CSV sections (the days, then the exceptions), after the others; none without collection days.
    static func csv(_ days: [CollectionDayResult], into writer: inout ReportCSVWriter) {
        guard !days.isEmpty else { return }
        MonthlyReportCSV.section("Đối soát thu hộ cuối ngày", [
            "Ngày", "Kênh thu hộ", "Khớp", "Khớp (đồng)", "Chỉ ngân hàng có", "Chỉ ngân hàng có (đồng)", "Chỉ nhà trường có",
            "Chỉ nhà trường có (đồng)", "Lệch số tiền", "Lệch: ngân hàng (đồng)", "Lệch: nhà trường (đồng)",
        ], into: &writer)
        for day in days {
            writer.append([
                .text(day.date.iso), .text(day.provider), .integer(Int64(day.matched.count)), .integer(day.matched.bankAmount.dong),
                .integer(Int64(day.bankOnly.count)), .integer(day.bankOnly.bankAmount.dong), .integer(Int64(day.oursOnly.count)),
                .integer(day.oursOnly.ourAmount.dong), .integer(Int64(day.amountDiffers.count)), .integer(day.amountDiffers.bankAmount.dong),
                .integer(day.amountDiffers.ourAmount.dong),
            ])
        }
        MonthlyReportCSV.section("Ngoại lệ thu hộ", [
            "Ngày", "Kênh thu hộ", "Loại", "Mã giao dịch", "Mã khách hàng", "Ngân hàng (đồng)", "Nhà trường (đồng)",
        ], into: &writer)
        for day in days {
            for exception in day.exceptions {
                writer.append([
                    .text(day.date.iso), .text(day.provider), .text(exception.kind), .text(exception.transactionId), .text(exception.customerCode),
                    .optional(exception.bankAmount?.dong), .optional(exception.ourAmount?.dong),
                ])
            }
        }
    }

    static let kindNames = ["bank_only": "Chỉ ngân hàng có (đã ghi sổ)", "ours_only": "Chỉ nhà trường có (cần hủy hoặc kiểm tra)",
                            "amount_differs": "Lệch số tiền"]

    static func html(_ days: [CollectionDayResult]) -> String {
        guard !days.isEmpty else { return "" }
        var table = ReportHTMLTable(
            headers: ["Ngày", "Kênh thu hộ", "Khớp", "Số tiền khớp", "Chênh lệch", "Ngân hàng (chênh lệch)", "Nhà trường (chênh lệch)"],
            numericColumns: [2, 3, 4, 5, 6])
        table.rows = days.map { day in
            let bank = Money(dong: ReportSum.of([day.bankOnly.bankAmount.dong, day.amountDiffers.bankAmount.dong]))
            let ours = Money(dong: ReportSum.of([day.oursOnly.ourAmount.dong, day.amountDiffers.ourAmount.dong]))
            return [day.date.vietnamese, day.provider, String(day.matched.count), MoneyFormat.vietnamese(day.matched.bankAmount),
                    String(day.differingCount), MoneyFormat.vietnamese(bank), MoneyFormat.vietnamese(ours)]
        }
        var exceptions = ReportHTMLTable(caption: "Ngoại lệ thu hộ",
                                         headers: ["Ngày", "Kênh", "Loại", "Mã giao dịch", "Mã khách hàng", "Ngân hàng", "Nhà trường"],
                                         numericColumns: [5, 6])
        exceptions.rows = days.flatMap { day in
            day.exceptions.map { exception in
                [day.date.vietnamese, day.provider, kindNames[exception.kind] ?? exception.kind, exception.transactionId, exception.customerCode,
                 exception.bankAmount.map(MoneyFormat.vietnamese) ?? "—", exception.ourAmount.map(MoneyFormat.vietnamese) ?? "—"]
            }
        }
        return ReportHTML.heading("8. Đối soát thu hộ cuối ngày",
                                  note: "Tệp cuối ngày của ngân hàng so với các giao dịch thu hộ nhà trường đã ghi nhận.")
            + table.html() + (exceptions.rows.isEmpty ? "" : exceptions.html())
    }
}
