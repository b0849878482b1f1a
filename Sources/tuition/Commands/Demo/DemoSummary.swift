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
        let verified = try pool.withConnection { try LedgerVerifier.verify(on: $0) }
        Swift.print("  ledger verify: \(verified.entriesChecked) entries, \(verified.postingsChecked) postings, "
                    + (verified.isClean ? "every invariant holds" : "\(verified.findings.count) MISMATCHES"))
        Swift.print("\nFiles (statements, reports) in \(output)/")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
