import BankFormats
import Billing
import Core
import Foundation
@testable import Payments
import Postgres
import SchoolFixtures
import Testing
import TestSupport

/// A warm batch of payment notices sends its last statements — the receipts with their numbers (the
/// school's receipt counter), the bank transactions, the notices' rows — with its COMMIT, and its senders
/// read the receipt numbers after it (docs/callbacks.md §6, eighth round). These tests pin the round
/// trips, so a change that awaits the receipts again before the COMMIT fails here, not only in a bench.
@Suite struct NoticeRoundTripTests {
    @Test func aWarmBatchOfNoticesTakesFiveRoundTripsWithItsCommitAndRepliesWithItsReceipts() throws {
        let fixture = try CollectionFixture()
        try fixture.billing.addFee("HP", amount: 500_000)
        let codes = (1...4).map { "HS00\($0)" }
        for code in codes { _ = try fixture.billing.addStudent(code, name: "Học Sinh \(code)") }
        _ = try fixture.billing.issue()
        let route = try fixture.pool.withConnection { connection in
            try BankConnections.route(provider: fixture.tuition.connectionProvider, receivingAccount: CollectionFixture.service, on: connection)
        }!
        let context = CollectionContext(description: fixture.tuition, route: route, merchant: CollectionFixture.service, now: fixture.now)
        func run(_ prefix: String) throws -> (outcomes: [(payment: CollectionPayment, receiptNumbers: [Int64: String])], roundTrips: Int) {
            let batch = codes.map { code in
                CollectionNoticeBatch.Pending(notice: CollectionPaymentNotice(transactionID: "\(prefix)-\(code)", inquiryID: nil, items: [],
                                                                              amount: 100_000, paidAt: fixture.now, customerCode: code),
                                              context: context)
            }
            var used: (PostgresConnection, Int)?
            let recorded = try fixture.pool.transaction(isolation: .readCommitted, plans: .generic, pipelinedBegin: true) { connection in
                used = (connection, connection.roundTrips)
                return try CollectionNoticeBatch.record(batch, on: connection)
            }
            let roundTrips = used!.0.roundTrips - used!.1
            // Read as the lane's senders read them: after the COMMIT, with no round trip of their own.
            let outcomes = try recorded.map { try $0.get() }
            #expect(used!.0.roundTrips - used!.1 == roundTrips, "the replies were read from the database after the commit")
            return (outcomes, roundTrips)
        }
        // The first batch prepares its statements (a round trip each, once per connection); the second is the lane's steady state.
        _ = try run("WARM")
        let (outcomes, roundTrips) = try run("PAID")
        // BEGIN with the locks, the claim, the school and its facts; the pupils by code; their invoices' locks with
        // their open invoices; the ledger statement; the receipt counter with the receipts and applications, the
        // bank transactions and the notices' rows, with the COMMIT (docs/callbacks.md §6, eighth round).
        #expect(roundTrips == 5, "round trips: \(roundTrips)")
        // The reply's numbers are the receipts' as stored, and the notice's row names the same receipts.
        let stored = try fixture.pool.withConnection { connection in
            try connection.query("""
                SELECT c.bank_reference, r.receipt_id, r.school_year, r.number FROM collection_payments c
                JOIN receipts r ON r.school_id = c.school_id AND r.receipt_id = ANY(c.receipt_ids)
                WHERE c.school_id = \(fixture.school.id) AND c.bank_reference LIKE 'PAID-%'
                """).map { try $0.decode((String, Int64, Int, Int).self) }
        }
        #expect(stored.count == 4)
        for outcome in outcomes {
            #expect(outcome.payment.applied == Money(dong: 100_000))
            #expect(outcome.payment.paymentID > 0)
            #expect(outcome.payment.receiptIDs.count == 1)
            let row = stored.first { $0.0 == outcome.payment.bankReference }
            #expect(row != nil && outcome.payment.receiptIDs == [row!.1])
            #expect(row.map { outcome.receiptNumbers[$0.1] == InvoiceNumber(schoolYear: $0.2, sequence: $0.3).text } == true)
        }
        #expect(Set(outcomes.flatMap(\.receiptNumbers.values)).count == 4)
        #expect(try fixture.billing.verify().isClean)
    }
}
