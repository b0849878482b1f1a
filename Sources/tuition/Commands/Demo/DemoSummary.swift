import Core
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation

/// What the demo month came to: the province report's figures per school, and the ledger's verdict.
enum DemoSummary {
    static func print(_ schools: [DemoSchool], pool: PostgresPool, output: String) throws {
        let report = try pool.withConnection { try ProvinceReports.build(month: DemoProvince.month, on: $0) }
        Swift.print("\n5. \(DemoProvince.month): invoiced, collected, collection rate, cashless share, reconciliation, unapplied")
        let codes = Set(schools.map(\.school.code))
        for row in report.schools where codes.contains(row.code) {
            let figures = row.figures
            Swift.print("  " + row.code.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + MoneyFormat.vietnamese(figures.invoiced).leftPadded(to: 15)
                        + MoneyFormat.vietnamese(figures.collected).leftPadded(to: 15)
                        + (figures.collectionRate?.description ?? "-").leftPadded(to: 9)
                        + (figures.cashlessShare?.description ?? "-").leftPadded(to: 9)
                        + "  " + row.reconciliation.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + String(row.unappliedCount).leftPadded(to: 4) + " in the suspense queue")
        }
        try printAccounts(schools, pool: pool)
        let verified = try pool.withConnection { try LedgerVerifier.verify(on: $0) }
        Swift.print("  ledger verify: \(verified.entriesChecked) entries, \(verified.postingsChecked) postings, "
                    + (verified.isClean ? "every invariant holds" : "\(verified.findings.count) MISMATCHES"))
        Swift.print("\nFiles (statements, reports) in \(output)/")
    }

    /// The purposes whose balances tell the month's story, in the order a school accountant reads them.
    static let summaryPurposes: [AccountPurpose] = [
        .feeIncome, .serviceRevenue, .collection, .receivable, .budgetReceivable, .familyCredit, .advances, .inTransit,
        .interestIncome, .otherPayables, .other,
    ]

    /// Where the demo schools' money sits, by account purpose (summed over the schools, read through the Ledger).
    static func printAccounts(_ schools: [DemoSchool], pool: PostgresPool) throws {
        var totals: [AccountPurpose: Int64] = [:], names: [AccountPurpose: String] = [:]
        try pool.withConnection { connection in
            for school in schools {
                for account in try LedgerQueries.accounts(schoolID: school.school.id, on: connection) where summaryPurposes.contains(account.purpose) {
                    totals[account.purpose, default: 0] += account.normalBalance?.dong ?? 0
                    // Accounts come in code order: the chart's account (5311) before a fee's own (5311.AN_BANTRU).
                    if names[account.purpose] == nil { names[account.purpose] = "\(account.code) \(account.name)" }
                }
            }
        }
        Swift.print("  balances by account (all demo schools):")
        for purpose in summaryPurposes {
            let label = names[purpose] ?? purpose.rawValue
            Swift.print("    " + String(label.prefix(58)).padding(toLength: 60, withPad: " ", startingAt: 0)
                        + MoneyFormat.vietnamese(Money(dong: totals[purpose] ?? 0)).leftPadded(to: 16))
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
