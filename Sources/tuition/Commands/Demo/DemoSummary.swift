import Billing
import Core
import Foundation
import Ledger
import Postgres

/// What the demo month came to, per school.
enum DemoSummary {
    static func print(_ schools: [DemoSchool], pool: PostgresPool, output: String) throws {
        Swift.print("\nSchool         invoiced        collected      in suspense   verify")
        try pool.withConnection { connection in
            for school in schools {
                let id = school.school.id
                let (invoiced, collected) = try connection.query("""
                    SELECT coalesce(sum(total), 0)::int8,
                           coalesce((SELECT sum(amount) FROM payment_applications WHERE school_id = \(id) AND invoice_id IS NOT NULL
                                     AND unapply_entry_id IS NULL), 0)::int8
                    FROM invoices WHERE school_id = \(id) AND void_entry_id IS NULL
                    """).singleRow()!.decode((Int64, Int64).self)
                let suspense = try LedgerQueries.account(schoolID: id, purpose: .suspense, on: connection)?.normalBalance ?? .zero
                let clean = try LedgerVerifier.verify(schoolID: id, on: connection).isClean
                Swift.print(school.school.code.padding(toLength: 12, withPad: " ", startingAt: 0)
                            + MoneyFormat.vietnamese(Money(dong: invoiced)).leftPadded(to: 16)
                            + MoneyFormat.vietnamese(Money(dong: collected)).leftPadded(to: 17)
                            + MoneyFormat.vietnamese(suspense).leftPadded(to: 16) + (clean ? "   ok" : "   MISMATCH"))
            }
        }
        Swift.print("\nStatements written to \(output)/")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
