import Foundation
import Postgres
import Testing

/// The advisory-lock classes are one list, and the SQL that cannot import it agrees with it.
@Suite struct AdvisoryLockClassTests {
    private static func migration(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("migrations/\(name)"), encoding: .utf8)
    }

    @Test func migrationsTakeThePeriodClass() throws {
        let period = AdvisoryLockClass.period.rawValue
        #expect(period == 7001)
        #expect(try Self.migration("0001_ledger.sql").contains("pg_advisory_xact_lock_shared(\(period), (school_id % 2147483647)::integer)"))
        #expect(try Self.migration("0010_history_protection.sql").contains("pg_advisory_xact_lock(\(period), (school % 2147483647)::integer)"))
    }

    @Test func lockOrderPutsBankAccountsFirstAndPeriodsLast() {
        // docs/architecture.md "Lock order": statement locks, then payment key or issuing run, then the period.
        #expect(AdvisoryLockClass.bankAccount.order < AdvisoryLockClass.paymentKey.order)
        #expect(AdvisoryLockClass.paymentKey.order == AdvisoryLockClass.invoiceIssuing.order)
        #expect(AdvisoryLockClass.paymentKey.order < AdvisoryLockClass.period.order)
        #expect(Set(AdvisoryLockClass.allCases.map(\.rawValue)).count == AdvisoryLockClass.allCases.count)
    }

    @Test func keysFoldSixtyFourBitIdsLikeTheTrigger() {
        #expect(AdvisoryLockClass.key(42) == 42)
        #expect(AdvisoryLockClass.key(2_147_483_647) == 0)
        #expect(AdvisoryLockClass.key(2_147_483_650) == 3)
    }
}
