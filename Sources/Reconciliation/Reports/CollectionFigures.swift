import Core

/// What was billed and collected, for a school, a district or the province.
///
/// `collectionRate` = collected / invoiced and `cashlessShare` = bank / (bank + cash), both in basis points,
/// rounded half away from zero, nil ("no data") when the denominator is zero.
/// Each amount is expected within `Money.absoluteDongMax` (a report refuses others), which keeps every sum in `Int64`.
public struct CollectionFigures: Hashable, Sendable, Codable {
    /// Billed for the month.
    public var invoiced: Money
    /// Received in the month on the school's bank accounts (transfers, VietQR, virtual accounts).
    public var collectedByBank: Money
    /// Received in the month in cash at the school.
    public var collectedInCash: Money
    /// Still owed at the end of the month, on all open invoices.
    public var outstanding: Money

    public init(invoiced: Money, collectedByBank: Money, collectedInCash: Money, outstanding: Money) {
        self.invoiced = invoiced
        self.collectedByBank = collectedByBank
        self.collectedInCash = collectedInCash
        self.outstanding = outstanding
    }

    public static let zero = CollectionFigures(invoiced: .zero, collectedByBank: .zero, collectedInCash: .zero, outstanding: .zero)

    /// Bank plus cash.
    public var collected: Money { Money(dong: ReportSum.of([collectedByBank.dong, collectedInCash.dong])) }

    /// Collected / invoiced; nil when nothing was invoiced. May pass 100 % when arrears are paid.
    public var collectionRate: BasisPoints? { BasisPoints.ratio(collected, of: invoiced) }

    /// Bank / (bank + cash); nil when nothing was collected.
    public var cashlessShare: BasisPoints? { BasisPoints.ratio(collectedByBank, of: collected) }

    /// The sum of two figures (district subtotals, province totals); within `Int64` by the report limits.
    func adding(_ other: CollectionFigures) -> CollectionFigures {
        CollectionFigures(
            invoiced: Money(dong: ReportSum.of([invoiced.dong, other.invoiced.dong])),
            collectedByBank: Money(dong: ReportSum.of([collectedByBank.dong, other.collectedByBank.dong])),
            collectedInCash: Money(dong: ReportSum.of([collectedInCash.dong, other.collectedInCash.dong])),
            outstanding: Money(dong: ReportSum.of([outstanding.dong, other.outstanding.dong])))
    }

    func validate(_ field: String) throws(ReportError) {
        try ReportValidation.amount(invoiced, field + ".invoiced")
        try ReportValidation.amount(collectedByBank, field + ".collectedByBank")
        try ReportValidation.amount(collectedInCash, field + ".collectedInCash")
        try ReportValidation.amount(outstanding, field + ".outstanding")
    }

    /// Amounts and rates, in a fixed key order.
    var json: ReportJSON {
        var object = ReportJSONObject()
        object.add("invoiced", .integer(invoiced.dong))
        object.add("collectedByBank", .integer(collectedByBank.dong))
        object.add("collectedInCash", .integer(collectedInCash.dong))
        object.add("collected", .integer(collected.dong))
        object.add("outstanding", .integer(outstanding.dong))
        object.add("collectionRate", ReportFormat.rateJSON(collectionRate))
        object.add("cashlessShare", ReportFormat.rateJSON(cashlessShare))
        return object.json
    }
}
