import Billing
import Core
import Crypto
import Foundation
import Ledger
import Payments
import Postgres
import Reconciliation
import SchoolFixtures
import Testing

/// The monthly run: re-matching, the report from SQL, agreement and close, the recorded run.
@Suite struct ReconciliationRunTests {
    /// September: two invoices paid by code through callbacks, one at the counter, one transfer
    /// applied from the suspense queue, one left unapplied; a statement confirming every callback.
    struct CleanMonth {
        let fixture: SuspenseFixture
        let callbacks: [Int64]
        let unapplied: Int64

        init() throws {
            fixture = try SuspenseFixture()
            let an = try fixture.receive("FT300", 500_000, memo: "HOC PHI \(try fixture.invoice(fixture.an).paymentCode)", on: "2026-09-05")
            let chi = try fixture.receive("FT301", 500_000, memo: "\(try fixture.invoice(fixture.chi).paymentCode) TRAN MINH CHI", on: "2026-09-12")
            let unknown = try fixture.receive("FT302", 500_000, memo: "HOC PHI", payer: "LE VAN HUNG", on: "2026-09-20")
            _ = try fixture.apply(unknown, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.dung, 500_000)],
                                                                      explanation: "Phụ huynh Dũng xác nhận"))
            unapplied = try fixture.receive("FT303", 150_000, memo: "UNG HO", payer: "PHAM VAN KHACH", on: "2026-09-28")
            _ = try fixture.billing.pay([fixture.binh], 200_000, date: "2026-09-18")
            callbacks = [an, chi, unknown, unapplied]
        }
    }

    @Test func aCleanMonthClosesAndTheRunIsRecorded() throws {
        let month = try CleanMonth()
        let fixture = month.fixture
        #expect(try fixture.bankBalance(asOf: "2026-09-30") == Money(dong: 1_650_000))
        try fixture.importStatement(closingBalance: 1_650_000, closingDate: "2026-09-30", confirming: month.callbacks)
        let result = try fixture.reconcile(close: true)
        #expect(result.run.state == .closed && result.run.closed && result.run.closeRequested)
        #expect(try fixture.closedThrough() == (try CalendarDate(iso: "2026-09-30")))
        let report = result.report
        #expect(report.runId == result.run.id)
        #expect(report.bankAccounts.count == 1)
        #expect(report.bankAccounts[0].difference == .zero && report.bankAccounts[0].explainingItems.isEmpty)
        #expect(report.totals.invoiced == Money(dong: 2_000_000))
        #expect(report.totals.collectedByBank == Money(dong: 1_500_000))
        #expect(report.totals.collectedInCash == Money(dong: 200_000))
        #expect(report.totals.outstanding == Money(dong: 300_000))
        #expect(report.totals.collectionRate == BasisPoints(8_500))
        #expect(report.totals.cashlessShare == BasisPoints(8_824)) // 1.5M of 1.7M, half up
        let methods = try fixture.pool.withConnection {
            try Receipts.methodTotals(schoolID: fixture.school.id, from: BillingFixture.september.firstDay,
                                      through: BillingFixture.september.lastDay, on: $0)
        }
        #expect(methods.cashlessShareBasisPoints == Int(report.totals.cashlessShare!.value))
        #expect(report.unapplied.map(\.transactionId) == [month.unapplied])
        #expect(report.unapplied[0].ageDays(asOf: report.asOfDate) == 2)
        #expect(report.outstandingAging.buckets[0].invoiceCount == 1 && report.outstandingAging.totalAmount == Money(dong: 300_000))
        #expect(report.outstandingAging.largest.first?.studentCode == "HS002")
        #expect(report.collectionByMonth.map(\.month) == [BillingFixture.september])
        #expect(result.run.statementOnlyCount == 0)
        // The run keeps the report byte for byte, with its hash.
        let stored = try #require(try fixture.pool.withConnection { try ReconciliationRuns.find(schoolID: fixture.school.id, runID: result.run.id, on: $0) })
        #expect(stored.reportJSON == MonthlyReportJSON.render(report))
        #expect(stored.reportSHA256 == Hex.encode(SHA256Digest.hash(Array(stored.reportJSON.utf8))))
        #expect(try ReconciliationRuns.report(of: stored) == report)
        // Nothing may be posted into the closed month any more; the run itself is history.
        // Changes every CHECK constraint allows, so only the append-only trigger can refuse them.
        for change in ["UPDATE reconciliation_runs SET run_by = 'someone else'", "DELETE FROM reconciliation_runs"] {
            let refused = #expect(throws: PostgresError.self) { try fixture.pool.withConnection { try $0.simpleQuery(unsafeSQL: change) } }
            #expect(refused?.sqlState?.rawValue == "TU003", "\(change): \(String(describing: refused))")
        }
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func aCallbackNoStatementConfirmedRefusesTheClose() throws {
        let month = try CleanMonth()
        let fixture = month.fixture
        // The statement does not list the last callback: the ledger holds 150.000 đ more than the bank.
        try fixture.importStatement(closingBalance: 1_500_000, closingDate: "2026-09-30", confirming: Array(month.callbacks.dropLast()))
        #expect {
            try fixture.reconcile(close: true)
        } throws: { error in
            guard case .closeRefused(let runID, let differences) = error as? ReconciliationError else { return false }
            return runID > 0 && differences.count == 1 && differences[0].contains("difference 150.000")
        }
        #expect(try fixture.closedThrough() == nil)
        let runs = try fixture.pool.withConnection { try ReconciliationRuns.list(schoolID: fixture.school.id, month: BillingFixture.september, on: $0) }
        #expect(runs.count == 1 && runs[0].closeRequested && !runs[0].closed)
        let report = try ReconciliationRuns.report(of: runs[0])
        let account = report.bankAccounts[0]
        #expect(account.difference == Money(dong: 150_000))
        #expect(account.explainingItems.map(\.kind) == [.callbackNotOnStatement])
        #expect(account.explainingItems[0].amount == Money(dong: 150_000) && account.unexplained == .zero)
        // Explained, so the report agrees; closing needs the statement itself to agree.
        #expect(report.state == .agrees)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func anUnexplainedDifferenceOrNoStatementIsADifference() throws {
        let month = try CleanMonth()
        let fixture = month.fixture
        var refused = try #require(try? fixture.reconcile(close: false))
        #expect(refused.report.state == .differences)
        #expect(refused.report.bankAccounts[0].statementClosingBalance == nil)
        // A bank charge the ledger does not know: 11.000 đ less at the bank, explained by nothing.
        try fixture.importStatement(closingBalance: 1_639_000, closingDate: "2026-09-30", confirming: month.callbacks)
        #expect {
            try fixture.reconcile(close: true)
        } throws: { error in
            // The refused close is recorded as a run of its own, after the one above.
            guard case .closeRefused(let runID, let differences) = error as? ReconciliationError else { return false }
            return runID > refused.run.id && differences == [
                "account Ngân hàng 970436 0011001234567: ledger 1.650.000 đ, statement 1.639.000 đ on 2026-09-30, difference 11.000 đ",
            ]
        }
        refused = try fixture.reconcile(close: false)
        #expect(refused.report.state == .differences && refused.report.bankAccounts[0].unexplained == Money(dong: 11_000))
        // Recording the charge (a statement line, not tuition) makes the month agree, and it closes.
        let charge = try fixture.statementLine(.outgoing, 11_000, memo: "PHI DICH VU", on: "2026-09-30", reference: "FEE-1")
        _ = try fixture.billing.transaction {
            try Suspense.markNotTuition(schoolID: fixture.school.id, transactionID: charge, account: .code("6421"), reason: "Phí ngân hàng",
                                        decidedBy: SuspenseFixture.accountant, on: $0)
        }
        let closed = try fixture.reconcile(close: true)
        #expect(closed.run.state == .closed && closed.run.statementOnlyCount == 1 && closed.run.statementOnlyTotal == Money(dong: -11_000))
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func theRunAppliesWhatBecameCertain() throws {
        let fixture = try SuspenseFixture()
        // The money names the code of an invoice that does not exist yet (October's, issued later).
        let serial = try fixture.pool.withConnection {
            try $0.query("SELECT last_value + 1 FROM billing_counters WHERE counter = 'invoice_serial'").singleRow()!.decode(column: 0, as: Int64.self)
        }
        let futureCode = try PaymentCode(prefix: "HP", kind: .invoice, serial: UInt64(serial)).text
        let early = try fixture.receive("FT400", 500_000, memo: "HOC PHI THANG 10 \(futureCode)", payer: "TRAN THI HOA", on: "2026-09-25")
        #expect(try fixture.remaining(early) == Money(dong: 500_000))
        _ = try fixture.billing.issue(BillingFixture.october)
        let october = try #require(try fixture.billing.invoices(InvoiceFilter(period: BillingFixture.october)).first { $0.paymentCode == futureCode })
        #expect(try fixture.list().entries.first?.isCertain == true)
        let result = try fixture.reconcile(close: false)
        #expect(result.run.appliedCount == 1)
        #expect(try fixture.remaining(early) == .zero)
        #expect(try fixture.billing.invoice(october.id).status == .paid)
        #expect(result.report.unapplied.isEmpty)
        let decision = try fixture.pool.withConnection {
            try DecisionStore.load(schoolID: fixture.school.id, bankTransactionID: early, on: $0)
        }
        #expect(decision?.isAutomatic == true)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func aClosedMonthIsReportedAgainUnchangedAndRenders() throws {
        let month = try CleanMonth()
        let fixture = month.fixture
        try fixture.importStatement(closingBalance: 1_650_000, closingDate: "2026-09-30", confirming: month.callbacks)
        let first = try fixture.reconcile(close: true)
        // Money learned of later for September is booked in October, and does not change September.
        let late = try fixture.receive("FT500", 90_000, memo: "MUON", payer: "TRAN THI HOA", on: "2026-09-29")
        let again = try fixture.reconcile(close: false)
        #expect(again.run.state == .closed && again.run.id != first.run.id)
        #expect(again.report.totals == first.report.totals)
        #expect(again.report.bankAccounts[0].ledgerBalance == first.report.bankAccounts[0].ledgerBalance)
        #expect(!again.report.unapplied.contains { $0.transactionId == late })
        let csv = MonthlyReportCSV.render(again.report)
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
        let html = MonthlyReportPage.html(again.report)
        #expect(html.contains("<svg") && html.contains(fixture.school.name))
        #expect(try fixture.billing.verify().isClean)
    }
}
