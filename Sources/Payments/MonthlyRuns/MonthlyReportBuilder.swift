import Core
import Foundation
import Ledger
import Postgres
import Reconciliation

/// Everything a monthly report holds except its state, which depends on what the run decides.
struct MonthlyReportParts: Sendable {
    var school: ReportSchool
    var month: CalendarMonth
    var accounts: [BankAccountFacts]
    var totals: CollectionFigures
    var unapplied: [UnappliedItem]
    var aging: OutstandingAging
    var familyCredits: [FamilyCredit]
    var exceptions: ReportExceptions
    var collectionByMonth: [MonthlyCollection]
    var statementOnly: (count: Int, total: Money)
    var collectionDays: [CollectionDayResult] = []

    /// Every account agrees once the explaining items are counted.
    var agrees: Bool { accounts.allSatisfy(\.agreesWhenExplained) }
    /// Every account's statement equals the ledger: the month may be closed.
    var mayClose: Bool { accounts.allSatisfy(\.agreesExactly) }
    var disagreements: [String] { accounts.compactMap(\.disagreement) }

    func report(runID: Int64?, generatedAt: Date, state: MonthlyReconciliationState) throws(ReportError) -> MonthlyReconciliationReport {
        try MonthlyReconciliationReport(
            school: school, month: month, generatedAt: generatedAt, runId: runID, state: state, totals: totals,
            bankAccounts: accounts.map(\.agreement), unapplied: unapplied, outstandingAging: aging, familyCredits: familyCredits,
            exceptions: exceptions, collectionByMonth: collectionByMonth, collectionDays: collectionDays)
    }
}

/// Fills a `MonthlyReconciliationReport` from SQL: the ledger as it stood at the month end.
enum MonthlyReportBuilder {
    /// Exceptions copied into a report (its bounds).
    static let duplicateGroupsMax = ReportLimits.duplicateGroupsMax
    static let farAmountsMax = ReportLimits.farAmountsMax

    /// `context`, when given, is the school's current match context (for the far-amount check).
    static func parts(school: School, month: CalendarMonth, bankName: (String) -> String, context: MatchContext? = nil,
                      on connection: PostgresConnection) throws -> MonthlyReportParts {
        let end = month.lastDay
        let unapplied = try SchoolMonthQueries.unapplied(schoolID: school.id, monthEnd: end, on: connection)
        let owed = try SchoolMonthQueries.outstanding(schoolID: school.id, monthEnd: end, on: connection)
        let aging = try OutstandingAging(invoices: owed, month: month, largestCount: SchoolMonthQueries.largestOutstandingListed)
        let (series, money) = try collection(schoolID: school.id, month: month, on: connection)
        let totals = CollectionFigures(invoiced: series.last!.invoiced, collectedByBank: money.bank, collectedInCash: money.cash,
                                       outstanding: aging.totalAmount)
        return MonthlyReportParts(
            school: ReportSchool(id: school.id, code: school.code, name: school.name, district: school.placeName), month: month,
            accounts: try BankAgreementQueries.accounts(schoolID: school.id, monthEnd: end, bankName: bankName, on: connection),
            totals: totals, unapplied: unapplied, aging: aging,
            familyCredits: try SchoolMonthQueries.familyCredits(schoolID: school.id, monthEnd: end, on: connection),
            exceptions: try exceptions(school: school, month: month, unapplied: unapplied, context: context, on: connection),
            collectionByMonth: series,
            statementOnly: try BankAgreementQueries.statementOnly(schoolID: school.id, month: month, on: connection),
            collectionDays: try collectionDays(schoolID: school.id, month: month, on: connection))
    }

    /// The month's end-of-day collection results from their owner, the latest file of each day and
    /// provider standing for that day (a file run again after a correction supersedes the first).
    static func collectionDays(schoolID: Int64, month: CalendarMonth, on connection: PostgresConnection) throws -> [CollectionDayResult] {
        var latest: [String: CollectionDayReport] = [:]
        for report in try CollectionReconciliations.month(schoolID: schoolID, month: month, on: connection) {
            latest[report.date.iso + "|" + report.provider] = report
        }
        return latest.values.map(CollectionDayResult.init)
    }

    /// Invoiced and collected per month of the school year, September through `month`, as known
    /// at the end of `month` (money unapplied by then is not counted as collected in any month),
    /// and `month`'s money by bank and in cash.
    static func collection(schoolID: Int64, month: CalendarMonth,
                           on connection: PostgresConnection) throws -> ([MonthlyCollection], (bank: Money, cash: Money)) {
        let first = month.schoolYearStart
        let invoiced = try CollectionQueries.invoiced(.school(schoolID), from: first, through: month, on: connection)[schoolID] ?? [:]
        let collected = try CollectionQueries.collected(.school(schoolID), from: first.firstDay, through: month.lastDay,
                                                        on: connection)[schoolID] ?? [:]
        var series: [MonthlyCollection] = []
        var current = first
        while current <= month {
            let money = collected[current] ?? (.zero, .zero)
            series.append(MonthlyCollection(month: current, invoiced: invoiced[current] ?? .zero, collected: try money.bank.adding(money.cash)))
            current = current.adding(months: 1)
        }
        return (series, collected[month] ?? (.zero, .zero))
    }

    /// Likely duplicates among the month's incoming money, and unapplied amounts far from anything billed.
    static func exceptions(school: School, month: CalendarMonth, unapplied: [UnappliedItem], context: MatchContext?,
                           on connection: PostgresConnection) throws -> ReportExceptions {
        let incoming = try SchoolMonthQueries.incoming(schoolID: school.id, month: month, on: connection)
        let duplicates = ReconciliationExceptions.likelyDuplicates(incoming).prefix(duplicateGroupsMax).map { group -> DuplicatePayment in
            var payment = DuplicatePayment(group)
            payment.transactionIds = Array(payment.transactionIds.prefix(ReportLimits.transactionsPerDuplicateGroupMax))
            payment.memo = SchoolMonthQueries.clip(payment.memo)
            payment.payerName = SchoolMonthQueries.clip(payment.payerName)
            return payment
        }
        guard !unapplied.isEmpty else { return ReportExceptions(likelyDuplicates: Array(duplicates), amountsFarFromInvoices: []) }
        let context = try context ?? SchoolMatchData.full(school: school, on: connection)
        let waiting = unapplied.map {
            MatchTransaction(id: $0.transactionId, amount: $0.amount, bookingDate: $0.bookingDate, memo: $0.memo, payerName: $0.payerName)
        }
        let byID = Dictionary(uniqueKeysWithValues: waiting.map { ($0.id, $0) })
        let far = ReconciliationExceptions.amountsFarFromInvoices(waiting, in: context).prefix(farAmountsMax).map { item in
            FarAmountPayment(item, transaction: byID[item.transactionId]!)
        }
        return ReportExceptions(likelyDuplicates: Array(duplicates), amountsFarFromInvoices: Array(far))
    }
}
