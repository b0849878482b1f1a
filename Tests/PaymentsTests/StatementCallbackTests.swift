import BankFormats
import Billing
import Core
import Foundation
import Ledger
@testable import Payments
import Postgres
import Testing
import TestSupport

/// The same money announced twice — by a callback and by its statement line — is booked once,
/// whichever arrives first.
@Suite struct StatementCallbackTests {
    static func statement(_ lines: [MT940Statement.Line]) -> String {
        var statement = MT940Statement()
        statement.lines = lines
        return statement.text
    }

    func bookings(_ fixture: StatementFixture) throws -> Int64 {
        try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'")
    }

    @Test func aCallbackThenItsStatementLineIsOneBookingAndOneConfirmation() throws {
        let fixture = try StatementFixture()
        let memo = "MBVCB.88.\(fixture.code(fixture.an)) NGUYEN VAN AN"
        let callback = fixture.callbacks.deliver(CallbackFixture.body(id: "FT26258001", amount: 500_000, memo: memo))
        #expect(try callback.outcome == .accepted && fixture.invoice(fixture.an).status == .paid)
        #expect(try fixture.transaction(callback.bankTransactionID!).isConfirmed == false)
        let text = Self.statement([.init(date: MT940Statement.day(16), amount: 500_000, memo: memo + " CT tu 0123", reference: "5217-1"),
                                   .init(date: MT940Statement.day(16), amount: 80_000, memo: "KHAC", reference: "5217-2")])
        let result = try fixture.run(text)
        #expect(result.counts.callbacksConfirmed == 1 && result.counts.linesNew == 1 && result.ambiguousConfirmations.isEmpty)
        #expect(try fixture.transaction(callback.bankTransactionID!).isConfirmed)
        #expect(try bookings(fixture) == 2, "the callback's booking and the other line's; none for the confirmation")
        #expect(try fixture.count("""
            SELECT count(*) FROM statement_lines WHERE outcome = 'confirmed_callback' AND bank_transaction_id = \(callback.bankTransactionID!)
            """) == 1)
        #expect(try fixture.count("SELECT count(*) FROM payment_applications") == 1)
        #expect(try fixture.bankBalance() == Money(dong: 580_000))
        // Importing again confirms nothing more.
        let again = try fixture.run(text).counts
        #expect(again.linesKnown == 2 && again.callbacksConfirmed == 0)
        #expect(try fixture.verify().isEmpty)
    }

    /// The line books and applies the money; the callback that arrives afterwards is recognised as
    /// its late announcement: answered as a duplicate, audited, never booked. Its retry too.
    @Test func aStatementLineThenALateCallbackIsOneBooking() throws {
        let fixture = try StatementFixture()
        let memo = "\(fixture.code(fixture.dung)) LE HOANG DUNG"
        let result = try fixture.run(Self.statement([.init(date: MT940Statement.day(15), amount: 500_000, memo: "IBFT " + memo,
                                                            reference: "FT26258002")]))
        #expect(try result.counts.appliedAutomatically == 1 && fixture.invoice(fixture.dung).status == .paid)
        let lineTransaction = try fixture.count("SELECT bank_transaction_id FROM statement_lines")
        let late = fixture.callbacks.deliver(CallbackFixture.body(id: "SEPAY-77", amount: 500_000, memo: memo))
        #expect(late.outcome == .duplicate && late.reply.status == 200 && late.bankTransactionID == lineTransaction, "\(late.reason ?? "")")
        let retry = fixture.callbacks.deliver(CallbackFixture.body(id: "SEPAY-77", amount: 500_000, memo: memo))
        #expect(retry.outcome == .duplicate && retry.bankTransactionID == lineTransaction)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 1)
        #expect(try bookings(fixture) == 1 && fixture.count("SELECT count(*) FROM payment_applications") == 1)
        #expect(try fixture.count("SELECT count(*) FROM callback_deliveries WHERE verdict = 'duplicate' AND bank_transaction_id = \(lineTransaction)") == 2)
        // Another identical payment's callback finds the line already announced and is booked.
        let other = fixture.callbacks.deliver(CallbackFixture.body(id: "SEPAY-78", amount: 500_000, memo: memo))
        #expect(other.outcome == .accepted && other.bankTransactionID != lineTransaction)
        #expect(try bookings(fixture) == 2)
        #expect(try fixture.verify().isEmpty)
    }

    /// Two equal payments announced late in one group commit: the first claims the line, the second
    /// (whose audit row cannot see the first's yet) is not its announcement and is booked; a repeat of
    /// the first in the same batch finds its own claim.
    @Test func oneStatementLineIsClaimedByOneLateCallbackOfABatch() throws {
        let fixture = try StatementFixture()
        let memo = "\(fixture.code(fixture.dung)) LE HOANG DUNG"
        _ = try fixture.run(Self.statement([.init(date: MT940Statement.day(15), amount: 500_000, memo: "IBFT " + memo, reference: "FT26258003")]))
        let line = try fixture.count("SELECT bank_transaction_id FROM statement_lines")
        let account = try fixture.pool.withConnection { try Schools.bankAccounts(schoolID: fixture.school.id, on: $0)[0].id }
        func callback(_ id: String) -> NewBankTransaction {
            NewBankTransaction(schoolID: fixture.school.id, bankAccountID: account, origin: .callback(provider: "tuition", transactionID: id),
                               direction: .incoming, amount: Money(dong: 500_000), bookedOn: try! CalendarDate(iso: "2026-09-15"), memo: memo)
        }
        try fixture.pool.transaction(isolation: .readCommitted) { connection in
            let first = try LateCallbacks.recognize(callback("LATE-1"), claimedInBatch: [:], on: connection)
            #expect(first?.bankTransactionID == line)
            let claims = [line: LateCallbacks.Claim(callback("LATE-1"))!]
            #expect(try LateCallbacks.recognize(callback("LATE-2"), claimedInBatch: claims, on: connection) == nil)
            #expect(try LateCallbacks.recognize(callback("LATE-1"), claimedInBatch: claims, on: connection)?.bankTransactionID == line)
        }
    }

    @Test func anEqualReferenceWinsOverACloserDate() throws {
        let fixture = try StatementFixture()
        let near = fixture.callbacks.deliver(CallbackFixture.body(id: "CB-NEAR", amount: 123_000, memo: "TIEN SACH",
                                                                  bookedAt: "2026-09-15T09:00:00+07:00"))
        let referenced = fixture.callbacks.deliver(CallbackFixture.body(id: "FT-REF-9", amount: 123_000, memo: "KHONG GIONG",
                                                                        bookedAt: "2026-09-13T09:00:00+07:00"))
        let result = try fixture.run(Self.statement([.init(date: MT940Statement.day(15), amount: 123_000, memo: "TIEN SACH LOP 6",
                                                            reference: "FT-REF-9")]))
        #expect(result.counts.callbacksConfirmed == 1)
        #expect(try fixture.transaction(referenced.bankTransactionID!).isConfirmed)
        #expect(try fixture.transaction(near.bankTransactionID!).isConfirmed == false)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func aSimilarMemoWinsOverACloserDate() throws {
        let fixture = try StatementFixture()
        let near = fixture.callbacks.deliver(CallbackFixture.body(id: "CB-1", amount: 77_000, memo: "MUA AO",
                                                                  bookedAt: "2026-09-15T09:00:00+07:00"))
        let similar = fixture.callbacks.deliver(CallbackFixture.body(id: "CB-2", amount: 77_000, memo: "dong phuc lop 7a",
                                                                     bookedAt: "2026-09-17T09:00:00+07:00"))
        let result = try fixture.run(Self.statement([.init(date: MT940Statement.day(15), amount: 77_000, memo: "IBFT DONG PHUC LOP 7A CT",
                                                            reference: "X1")]))
        #expect(result.counts.callbacksConfirmed == 1)
        #expect(try fixture.transaction(similar.bankTransactionID!).isConfirmed)
        #expect(try fixture.transaction(near.bankTransactionID!).isConfirmed == false)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func twoEquallyGoodCallbacksConfirmTheLowestIdAndAreReported() throws {
        let fixture = try StatementFixture()
        let ids = try ["CB-A", "CB-B"].map { id in
            try #require(fixture.callbacks.deliver(CallbackFixture.body(id: id, amount: 55_000, memo: "AAA \(id)")).bankTransactionID)
        }
        let text = Self.statement([.init(date: MT940Statement.day(15), amount: 55_000, memo: "ZZZ", reference: "Y1")])
        let result = try fixture.run(text)
        #expect(result.counts.callbacksConfirmed == 1)
        #expect(result.ambiguousConfirmations.first?.confirmedBankTransactionID == ids.min())
        #expect(result.ambiguousConfirmations.first?.otherCandidateIDs == [ids.max()!] && result.ambiguousConfirmations.first?.line == 5)
        #expect(try fixture.transaction(ids.min()!).isConfirmed && !fixture.transaction(ids.max()!).isConfirmed)
        #expect(try fixture.verify().isEmpty)
    }

    /// Beyond the window, or with another amount, a line is new money, not a confirmation.
    @Test func aCallbackOutsideTheWindowIsNotConfirmed() throws {
        let fixture = try StatementFixture()
        let callback = fixture.callbacks.deliver(CallbackFixture.body(id: "CB-OLD", amount: 66_000, memo: "SAME MEMO",
                                                                      bookedAt: "2026-09-10T09:00:00+07:00"))
        let result = try fixture.run(Self.statement([
            .init(date: MT940Statement.day(14), amount: 66_000, memo: "SAME MEMO", reference: "W1"),
            .init(date: MT940Statement.day(10), amount: 66_001, memo: "SAME MEMO", reference: "W2"),
        ]))
        #expect(result.counts.callbacksConfirmed == 0 && result.counts.linesNew == 2)
        #expect(try fixture.transaction(callback.bankTransactionID!).isConfirmed == false)
        #expect(try fixture.verify().isEmpty)
    }

    @Test func oneLineConfirmsOneCallbackAndTheNextIsNew() throws {
        let fixture = try StatementFixture()
        let callback = fixture.callbacks.deliver(CallbackFixture.body(id: "CB-ONE", amount: 44_000, memo: "NOP TIEN"))
        let result = try fixture.run(Self.statement([
            .init(date: MT940Statement.day(15), amount: 44_000, memo: "NOP TIEN", reference: "V1"),
            .init(date: MT940Statement.day(15), amount: 44_000, memo: "NOP TIEN", reference: "V2"),
        ]))
        #expect(result.counts.callbacksConfirmed == 1 && result.counts.linesNew == 1)
        #expect(try fixture.transaction(callback.bankTransactionID!).isConfirmed)
        #expect(try fixture.bankBalance() == Money(dong: 88_000))
        #expect(try fixture.verify().isEmpty)
    }
}
