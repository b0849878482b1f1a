import Core

/// The monthly report as JSON: the canonical serialisation that is hashed (SHA-256) for the run record.
///
/// Deterministic by construction: keys in a fixed order written here (no dictionary), integers only (money in whole
/// đồng, rates in basis points beside their display text), dates as ISO text, `generatedAt` in Vietnam time to the
/// second, strings in Unicode NFC. The same report gives the same bytes on every machine and in every locale.
/// `format` names the layout; a change to the layout changes its version.
public enum MonthlyReportJSON {
    public static let format = "tuition/monthly-reconciliation-report/1"

    /// Pretty-printed JSON text ending in a line feed.
    public static func render(_ report: MonthlyReconciliationReport) -> String {
        document(report).rendered()
    }

    /// The UTF-8 bytes of `render(_:)`: what to hash.
    public static func canonicalBytes(_ report: MonthlyReconciliationReport) -> [UInt8] {
        Array(render(report).utf8)
    }

    static func document(_ report: MonthlyReconciliationReport) -> ReportJSON {
        var object = ReportJSONObject()
        object.add("format", .string(format))
        object.add("school", .object([
            ReportJSONMember("id", .integer(report.school.id)),
            ReportJSONMember("code", .string(report.school.code)),
            ReportJSONMember("name", .string(report.school.name)),
            ReportJSONMember("district", .string(report.school.district)),
        ]))
        object.add("month", .string(report.month.iso))
        object.add("generatedAt", .string(ReportFormat.isoTimestamp(report.generatedAt)))
        object.add("asOfDate", .string(report.asOfDate.iso))
        object.add("runId", .optional(report.runId))
        object.add("state", .string(report.state.rawValue))
        object.add("totals", report.totals.json)
        object.add("bankAccounts", .array(report.bankAccounts.map(account)))
        object.add("unapplied", unapplied(report))
        object.add("outstandingAging", aging(report.outstandingAging))
        object.add("familyCredits", familyCredits(report))
        object.add("exceptions", exceptions(report.exceptions))
        object.add("collectionByMonth", .array(report.collectionByMonth.map { entry in
            .object([
                ReportJSONMember("month", .string(entry.month.iso)),
                ReportJSONMember("invoiced", .integer(entry.invoiced.dong)),
                ReportJSONMember("collected", .integer(entry.collected.dong)),
                ReportJSONMember("collectionRate", ReportFormat.rateJSON(entry.collectionRate)),
            ])
        }))
        if !report.collectionDays.isEmpty { object.add("collectionDays", CollectionDaySection.json(report.collectionDays)) }
        return object.json
    }

    static func account(_ account: BankAccountAgreement) -> ReportJSON {
        var object = ReportJSONObject()
        object.add("bankName", .string(account.bankName))
        object.add("accountNumber", .string(account.accountNumber))
        object.add("accountNumberMasked", .string(ReportFormat.maskedAccount(account.accountNumber)))
        object.add("ledgerBalance", .integer(account.ledgerBalance.dong))
        object.add("statementClosingBalance", .optional(account.statementClosingBalance?.dong))
        object.add("statementDate", .optional(account.statementDate?.iso))
        object.add("difference", .optional(account.difference?.dong))
        object.add("explained", .integer(account.explained.dong))
        object.add("unexplained", .optional(account.unexplained?.dong))
        object.add("explainingItems", .array(account.explainingItems.map { item in
            .object([
                ReportJSONMember("kind", .string(item.kind.rawValue)),
                ReportJSONMember("date", .string(item.date.iso)),
                ReportJSONMember("amount", .integer(item.amount.dong)),
                ReportJSONMember("reference", .optional(item.reference)),
                ReportJSONMember("memo", .string(item.memo)),
            ])
        }))
        return object.json
    }

    static func unapplied(_ report: MonthlyReconciliationReport) -> ReportJSON {
        let asOf = report.asOfDate
        return .object([
            ReportJSONMember("count", .integer(Int64(report.unapplied.count))),
            ReportJSONMember("total", .integer(report.unappliedTotal.dong)),
            ReportJSONMember("items", .array(report.unapplied.map { item in
                .object([
                    ReportJSONMember("transactionId", .integer(item.transactionId)),
                    ReportJSONMember("bookingDate", .string(item.bookingDate.iso)),
                    ReportJSONMember("amount", .integer(item.amount.dong)),
                    ReportJSONMember("payerName", .optional(item.payerName)),
                    ReportJSONMember("memo", .string(item.memo)),
                    ReportJSONMember("ageDays", .integer(Int64(item.ageDays(asOf: asOf)))),
                ])
            })),
        ])
    }

    static func aging(_ aging: OutstandingAging) -> ReportJSON {
        .object([
            ReportJSONMember("invoiceCount", .integer(Int64(aging.totalCount))),
            ReportJSONMember("amount", .integer(aging.totalAmount.dong)),
            ReportJSONMember("buckets", .array(aging.buckets.map { bucket in
                .object([
                    ReportJSONMember("age", .string(bucket.age.rawValue)),
                    ReportJSONMember("invoiceCount", .integer(Int64(bucket.invoiceCount))),
                    ReportJSONMember("amount", .integer(bucket.amount.dong)),
                ])
            })),
            ReportJSONMember("largest", .array(aging.largest.map { invoice in
                .object([
                    ReportJSONMember("invoiceCode", .string(invoice.invoiceCode)),
                    ReportJSONMember("studentName", .string(invoice.studentName)),
                    ReportJSONMember("studentCode", .string(invoice.studentCode)),
                    ReportJSONMember("className", .string(invoice.className)),
                    ReportJSONMember("period", .string(invoice.period.iso)),
                    ReportJSONMember("dueDate", .string(invoice.dueDate.iso)),
                    ReportJSONMember("outstanding", .integer(invoice.outstanding.dong)),
                ])
            })),
        ])
    }

    static func familyCredits(_ report: MonthlyReconciliationReport) -> ReportJSON {
        .object([
            ReportJSONMember("total", .integer(report.familyCreditTotal.dong)),
            ReportJSONMember("families", .array(report.familyCredits.map { credit in
                .object([
                    ReportJSONMember("familyKey", .string(credit.familyKey)),
                    ReportJSONMember("familyName", .string(credit.familyName)),
                    ReportJSONMember("balance", .integer(credit.balance.dong)),
                ])
            })),
        ])
    }

    static func exceptions(_ exceptions: ReportExceptions) -> ReportJSON {
        .object([
            ReportJSONMember("likelyDuplicates", .array(exceptions.likelyDuplicates.map { group in
                .object([
                    ReportJSONMember("transactionIds", .array(group.transactionIds.map(ReportJSON.integer))),
                    ReportJSONMember("payerName", .string(group.payerName)),
                    ReportJSONMember("amount", .integer(group.amount.dong)),
                    ReportJSONMember("memo", .string(group.memo)),
                    ReportJSONMember("firstBookingDate", .string(group.firstBookingDate.iso)),
                    ReportJSONMember("lastBookingDate", .string(group.lastBookingDate.iso)),
                ])
            })),
            ReportJSONMember("amountsFarFromInvoices", .array(exceptions.amountsFarFromInvoices.map { item in
                .object([
                    ReportJSONMember("transactionId", .integer(item.transactionId)),
                    ReportJSONMember("bookingDate", .string(item.bookingDate.iso)),
                    ReportJSONMember("amount", .integer(item.amount.dong)),
                    ReportJSONMember("nearestBilledAmount", .optional(item.nearestBilledAmount?.dong)),
                    ReportJSONMember("memo", .string(item.memo)),
                ])
            })),
        ])
    }
}
