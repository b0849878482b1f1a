import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Testing

/// Refunds and money that is not tuition: ledger entries with reasons, recorded and reversible.
@Suite struct SuspenseDispositionTests {
    func markRefundDue(_ fixture: SuspenseFixture, _ transaction: Int64) throws -> SuspenseDisposition {
        try fixture.billing.transaction {
            try Suspense.markRefundDue(schoolID: fixture.school.id, transactionID: transaction, reason: "Chuyển nhầm trường",
                                       decidedBy: SuspenseFixture.accountant, on: $0)
        }
    }

    func reverse(_ fixture: SuspenseFixture, _ transaction: Int64) throws -> SuspenseDisposition {
        try fixture.billing.transaction {
            try Suspense.reverseDisposition(schoolID: fixture.school.id, transactionID: transaction, reason: "Quyết định lại", on: $0)
        }
    }

    @Test func aRefundDueThenThePaymentOfTheRefund() throws {
        let fixture = try SuspenseFixture()
        let incoming = try fixture.receive("FT200", 700_000, memo: "CHUYEN NHAM", payer: "VO VAN LAC")
        let due = try markRefundDue(fixture, incoming)
        #expect(due.kind == .refundDue && due.amount == Money(dong: 700_000))
        #expect(try fixture.remaining(incoming) == .zero)
        #expect(try fixture.balance(.refundsPayable, transaction: incoming) == Money(dong: -700_000))
        #expect(try fixture.count("""
            SELECT count(*) FROM bank_transactions WHERE bank_transaction_id = \(incoming) AND disposition = 'refund_due'
              AND disposition_entry_id = \(due.entryID)
            """) == 1)
        #expect(try fixture.list().entries.isEmpty)
        // The bank pays the refund out: the outgoing line waits in suspense and names its candidate.
        let outgoing = try fixture.statementLine(.outgoing, 700_000, memo: "HOAN TIEN VO VAN LAC", on: "2026-09-20", reference: "OUT-1")
        let listed = try fixture.list()
        #expect(listed.outgoingCount == 1 && listed.entries.first?.refundCandidateIDs == [incoming])
        let paid = try fixture.billing.transaction {
            try Suspense.recordRefundPaid(schoolID: fixture.school.id, refundedTransactionID: incoming, outgoingTransactionID: outgoing,
                                          reason: "Đã hoàn qua ngân hàng", decidedBy: SuspenseFixture.accountant, on: $0)
        }
        #expect(paid.kind == .refundPaid && paid.refundedTransactionID == incoming)
        #expect(try fixture.remaining(outgoing) == .zero)
        #expect(try fixture.balance(.refundsPayable) == .zero)
        #expect(try fixture.list().entries.isEmpty)
        // The refund due cannot be reversed while its payment stands; reversing the payment first works.
        #expect(throws: SuspenseError.refundAlreadyPaid(transactionID: incoming)) { try reverse(fixture, incoming) }
        #expect(try reverse(fixture, outgoing).reversalEntryID != nil)
        #expect(try fixture.remaining(outgoing) == Money(dong: 700_000))
        #expect(try reverse(fixture, incoming).kind == .refundDue)
        #expect(try fixture.remaining(incoming) == Money(dong: 700_000))
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions WHERE disposition IS NOT NULL") == 0)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func aRefundCannotBeMoreThanIsOwed() throws {
        let fixture = try SuspenseFixture()
        let incoming = try fixture.receive("FT210", 200_000, memo: "NHAM", payer: "VO VAN LAC")
        _ = try markRefundDue(fixture, incoming)
        let outgoing = try fixture.statementLine(.outgoing, 250_000, memo: "HOAN", on: "2026-09-21", reference: "OUT-2")
        #expect(throws: SuspenseError.refundExceedsPayable(amount: Money(dong: 250_000), payable: Money(dong: 200_000))) {
            try fixture.billing.transaction {
                try Suspense.recordRefundPaid(schoolID: fixture.school.id, refundedTransactionID: incoming, outgoingTransactionID: outgoing,
                                              reason: "x", decidedBy: "y", on: $0)
            }
        }
        // Money in cannot be applied once it is due back, nor marked twice.
        #expect(throws: SuspenseError.alreadyDisposed(transactionID: incoming, disposition: "refund_due")) {
            try fixture.apply(incoming, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.an, 100_000)], explanation: "x"))
        }
        #expect(throws: SuspenseError.alreadyDisposed(transactionID: incoming, disposition: "refund_due")) { try markRefundDue(fixture, incoming) }
    }

    @Test func moneyThatIsNotTuition() throws {
        let fixture = try SuspenseFixture()
        let interest = try fixture.receive("FT220", 12_345, memo: "TRA LAI TIEN GUI", payer: "NGAN HANG")
        #expect(throws: SuspenseError.accountNotAllowed(code: "3388", purpose: "suspense")) {
            try fixture.billing.transaction {
                try Suspense.markNotTuition(schoolID: fixture.school.id, transactionID: interest, account: .code("3388"), reason: "x",
                                            decidedBy: "y", on: $0)
            }
        }
        #expect(throws: SuspenseError.unknownAccount("with code 9999")) {
            try fixture.billing.transaction {
                try Suspense.markNotTuition(schoolID: fixture.school.id, transactionID: interest, account: .code("9999"), reason: "x",
                                            decidedBy: "y", on: $0)
            }
        }
        let decided = try fixture.billing.transaction {
            try Suspense.markNotTuition(schoolID: fixture.school.id, transactionID: interest, account: .purpose(.collection),
                                        reason: "Lãi tiền gửi, không phải học phí", decidedBy: SuspenseFixture.accountant, on: $0)
        }
        #expect(decided.kind == .notTuition && decided.amount == Money(dong: 12_345))
        #expect(try fixture.remaining(interest) == .zero)
        #expect(try fixture.balance(.collection) == Money(dong: -12_345))
        let description = try fixture.pool.withConnection {
            try $0.query("SELECT description FROM journal_entries WHERE entry_id = \(decided.entryID)").singleRow()!.decode(column: 0, as: String.self)
        }
        #expect(description.contains("Lãi tiền gửi"))
        // A bank charge paid out is not tuition either: the other way round.
        let charge = try fixture.statementLine(.outgoing, 11_000, memo: "PHI QUAN LY TAI KHOAN", on: "2026-09-30", reference: "FEE-9")
        _ = try fixture.billing.transaction {
            try Suspense.markNotTuition(schoolID: fixture.school.id, transactionID: charge, account: .code("6421"), reason: "Phí ngân hàng",
                                        decidedBy: SuspenseFixture.accountant, on: $0)
        }
        #expect(try fixture.balance(.bankFees) == Money(dong: 11_000))
        #expect(try fixture.list().entries.isEmpty)
        _ = try reverse(fixture, interest)
        #expect(try fixture.remaining(interest) == Money(dong: 12_345))
        #expect(try fixture.balance(.collection) == .zero)
        #expect(throws: SuspenseError.noDisposition(transactionID: interest)) { try reverse(fixture, interest) }
        #expect(try fixture.billing.verify().isClean)
    }
}
