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
    @Test func aWarmBatchOfNoticesTakesThreeRoundTripsWithItsCommitAndRepliesWithItsReceipts() throws {
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
        // BEGIN with the locks, the claim, the school and its facts, the pupils by code, their invoices' locks and
        // their open invoices; the ledger statement; the receipt counter with the receipts and applications, the
        // bank transactions and the notices' rows, with the COMMIT (docs/callbacks.md §6, eighth and thirteenth rounds).
        #expect(roundTrips == 3, "round trips: \(roundTrips)")
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

    /// A batch mixing a notice by code, one naming an invoice number (its invoice locked after the coded
    /// pupils'), one naming nothing we know (suspense, no receipt) and a retry of a recorded one: each reply
    /// carries exactly the receipts stored on its notice's row, with their numbers.
    @Test func aMixedBatchRecordsEachNoticeWithTheReceiptsItsReplyNames() throws {
        let fixture = try CollectionFixture()
        try fixture.billing.addFee("HP", amount: 500_000)
        for code in ["HS001", "HS002"] { _ = try fixture.billing.addStudent(code, name: "Học Sinh \(code)") }
        _ = try fixture.billing.issue()
        let invoices = try fixture.billing.invoices()
        let coded = invoices.first { $0.studentCode == "HS001" }!, itemised = invoices.first { $0.studentCode == "HS002" }!
        let route = try fixture.pool.withConnection { connection in
            try BankConnections.route(provider: fixture.tuition.connectionProvider, receivingAccount: CollectionFixture.service, on: connection)
        }!
        let context = CollectionContext(description: fixture.tuition, route: route, merchant: CollectionFixture.service, now: fixture.now)
        func notice(_ id: String, code: String? = nil, items: [String] = []) -> CollectionNoticeBatch.Pending {
            .init(notice: CollectionPaymentNotice(transactionID: id, inquiryID: nil, items: items, amount: 200_000, paidAt: fixture.now,
                                                  customerCode: code), context: context)
        }
        func record(_ batch: [CollectionNoticeBatch.Pending]) throws -> [(payment: CollectionPayment, receiptNumbers: [Int64: String])] {
            try fixture.pool.transaction(isolation: .readCommitted, plans: .generic, pipelinedBegin: true) { connection in
                try CollectionNoticeBatch.record(batch, on: connection)
            }.map { try $0.get() }
        }
        let first = try record([notice("MIX-1", code: "HS001")])
        let mixed = try record([notice("MIX-2", code: "HS001"), notice("MIX-3", items: [itemised.number.text]),
                                notice("MIX-4", code: "NOBODY"), notice("MIX-1", code: "HS001")])
        let stored = try fixture.pool.withConnection { connection in
            Dictionary(uniqueKeysWithValues: try connection.query("""
                SELECT bank_reference, receipt_ids FROM collection_payments WHERE school_id = \(fixture.school.id)
                """).map { row in try row.decode((String, PostgresInt64Array).self) }.map { ($0.0, $0.1.values) })
        }
        #expect(mixed.map(\.payment.bankReference) == ["MIX-2", "MIX-3", "MIX-4", "MIX-1"])
        for (payment, numbers) in mixed {
            #expect(payment.receiptIDs == stored[payment.bankReference], "\(payment.bankReference)")
            #expect(Set(numbers.keys) == Set(payment.receiptIDs), "\(payment.bankReference)")
        }
        #expect(mixed[0].payment.applied == Money(dong: 200_000) && mixed[0].payment.receiptIDs.count == 1)
        #expect(mixed[1].payment.applied == Money(dong: 200_000) && mixed[1].payment.studentID == itemised.studentID)
        #expect(mixed[2].payment.exception == .unidentified && mixed[2].payment.receiptIDs.isEmpty)
        // The retry answers the first reply: the same payment and receipt numbers.
        #expect(mixed[3].payment == first[0].payment && mixed[3].receiptNumbers == first[0].receiptNumbers)
        #expect(Set(mixed.flatMap(\.receiptNumbers.values)).count == 3)
        // Paid twice by code (the retry not a third time), once by its number.
        let after = Dictionary(uniqueKeysWithValues: try fixture.billing.invoices().map { ($0.id, $0.outstanding) })
        #expect(after[coded.id] == Money(dong: 100_000) && after[itemised.id] == Money(dong: 300_000))
        #expect(try fixture.billing.verify().isClean)
    }
}
