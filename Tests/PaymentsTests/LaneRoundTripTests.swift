import Billing
import Core
import Foundation
import Ledger
@testable import Payments
import Postgres
import Testing
import TestSupport

/// The lane's batch sends its independent statements together (docs/callbacks.md §6, sixth round):
/// these tests pin how many round trips a batch of paid callbacks costs, so a change that sends the
/// statements one by one again fails here instead of only in a bench.
@Suite struct LaneRoundTripTests {
    /// Four pupils, each with one open invoice, paid by four callbacks naming the invoice's code.
    static func paidBatch(_ fixture: CallbackFixture, prefix: String, invoices: [Invoice], account: Int64) throws -> [NewBankTransaction] {
        try invoices.enumerated().map { index, invoice in
            NewBankTransaction(schoolID: fixture.school.id, bankAccountID: account,
                               origin: .callback(provider: "tuition", transactionID: "\(prefix)-\(index)"), direction: .incoming,
                               amount: Money(dong: 100_000), bookedOn: try CalendarDate(iso: "2026-09-15"),
                               memo: "hoc phi \(invoice.paymentCode)", payerName: "NGUYEN VAN BINH")
        }
    }

    @Test func aBatchOfPaidCallbacksTakesFiveRoundTripsWithItsCommit() throws {
        let fixture = try CallbackFixture(poolSize: 1)
        let billing = fixture.billing
        try billing.addFee("HP", amount: 500_000)
        for index in 1...4 { _ = try billing.addStudent("HS00\(index)", name: "Học Sinh \(index)") }
        _ = try billing.issue()
        let invoices = try billing.invoices()
        let account = try IncomingBatchTests.bankAccount(fixture)
        let school = fixture.school
        func run(_ prefix: String) throws -> (outcomes: [IncomingBatch.Outcome], roundTrips: Int) {
            var used: (PostgresConnection, Int)?
            let outcomes = try fixture.pool.transaction(isolation: .readCommitted, plans: .generic, pipelinedBegin: true) { connection in
                used = (connection, connection.roundTrips)
                return try IncomingBatch.record(try Self.paidBatch(fixture, prefix: prefix, invoices: invoices, account: account),
                                                status: "provisional", school: school, on: connection).sendingReceipts(on: connection)
            }
            // Counted through the COMMIT: the pool of one lends the same connection to the next batch only after it.
            return (outcomes, used!.0.roundTrips - used!.1)
        }
        // The first batch prepares its statements (a round trip each, once per connection); the second is the lane's steady state.
        _ = try run("WARM")
        let (outcomes, roundTrips) = try run("PAID")
        for outcome in outcomes {
            guard case .recorded(_, let applied, _) = outcome else { Issue.record("not recorded: \(outcome)"); continue }
            #expect(applied)
        }
        // BEGIN with the claim; school facts with the match's first read; students with their invoices (locked,
        // then read: the payment batch plans over them); the ledger statement; the bank transactions, then the
        // receipt counter with the receipts and applications (last: docs/callbacks.md §6, tenth round), with the
        // COMMIT. Sent one by one these were 18 round trips; 7 before the counter moved into the last one
        // (seventh round); 6 while the payment batch locked and read the invoices again (thirteenth round).
        #expect(roundTrips == 5, "round trips: \(roundTrips)")
        #expect(try fixture.count("SELECT count(*) FROM payment_applications") == 8)
        #expect(try billing.verify().isClean)
    }
}
