/// Bounds on what one report holds; a report beyond them is refused with a `ReportError`.
///
/// The list limits also keep every sum a renderer forms inside `Int64`: each amount is within
/// `Money.absoluteDongMax` (10¹⁵ đồng) and no list is longer than 9 000 entries, so a sum stays below 9 × 10¹⁸.
public enum ReportLimits {
    /// Any single text (a name, a memo, a reference).
    public static let textCharactersMax = 1_000
    public static let bankAccountsMax = 20
    /// Explaining items of one bank account.
    public static let explainingItemsMax = 5_000
    public static let unappliedItemsMax = 5_000
    /// Largest outstanding invoices listed beside the aging buckets.
    public static let largestOutstandingMax = 200
    public static let familyCreditsMax = 5_000
    public static let duplicateGroupsMax = 1_000
    public static let transactionsPerDuplicateGroupMax = 100
    public static let farAmountsMax = 5_000
    /// Months in the collection-by-month series (and bars in its chart).
    public static let seriesMonthsMax = 60
    /// Schools in a province report: with bank and cash each up to 10¹⁵ per school, the province's collected total
    /// stays below `Int64.max`.
    public static let provinceSchoolsMax = 4_000
    /// Any count a report states (invoices in an aging bucket, unapplied payments of a school).
    public static let statedCountMax = 1_000_000_000
    /// Bank-collection days of a month (a day per provider; a school has one or two providers).
    public static let collectionDaysMax = 31 * 8
    /// Collection exceptions named per day in the monthly report (the day's own report names them all).
    public static let collectionExceptionsPerDayMax = 200
    /// Districts drawn in the province chart; a province has a few dozen.
    public static let chartDistrictsMax = 100
}
