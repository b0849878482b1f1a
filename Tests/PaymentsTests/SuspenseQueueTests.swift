import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Testing

/// The accountants' suspense queue: proposals, applying in steps, undoing.
@Suite struct SuspenseQueueTests {
    @Test func aNameAndAmountPaymentProposesTheRightStudentFirst() throws {
        let fixture = try SuspenseFixture()
        let anonymous = try fixture.receive("FT100", 123_456, memo: "CHUYEN TIEN", payer: "PHAM VAN KHACH")
        let named = try fixture.receive("FT101", 500_000, memo: "NOP HOC PHI CHO LE HOANG DUNG LOP 6A1", payer: "LE VAN HUNG")
        let listing = try fixture.list()
        #expect(listing.incomingCount == 2 && listing.incomingTotal == Money(dong: 623_456))
        #expect(listing.entries.map(\.transaction.id) == [named, anonymous])
        let top = try #require(listing.entries.first?.proposals.first)
        #expect(top.studentIDs == [fixture.dung.id])
        #expect(top.allocations == [try fixture.allocation(fixture.dung, 500_000)])
        #expect(top.credit == .zero)
        #expect(listing.entries[0].isCertain == false && listing.entries[0].ageDays == 15)
        // Accepting the proposal as offered pays the invoice.
        let result = try fixture.apply(named, SuspenseApplicationRequest(allocations: top.allocations, explanation: "Đúng học sinh Dũng"))
        #expect(result.applications.count == 1 && result.applications[0].rule == Suspense.manualRule)
        #expect(try fixture.invoice(fixture.dung).status == .paid)
        #expect(try fixture.list().entries.map(\.transaction.id) == [anonymous])
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func proposalsFollowPaymentsMadeSinceTheMoneyArrived() throws {
        let fixture = try SuspenseFixture()
        let named = try fixture.receive("FT110", 500_000, memo: "HOC PHI LE HOANG DUNG", payer: "LE VAN HUNG")
        #expect(try fixture.list().entries[0].proposals.first?.studentIDs == [fixture.dung.id])
        // Dũng's invoice is paid at the counter meanwhile: the transfer no longer fits his invoice.
        _ = try fixture.billing.pay([fixture.dung], 500_000)
        let entry = try #require(try fixture.list().entries.first { $0.transaction.id == named })
        let paidInvoice = try fixture.invoice(fixture.dung).id
        #expect(!entry.proposals.contains { $0.allocations.contains { $0.invoiceID == paidInvoice } })
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func oneTransferAppliedToTwoInvoices() throws {
        let fixture = try SuspenseFixture()
        let transaction = try fixture.receive("FT120", 1_000_000, memo: "HOC PHI HAI CHAU", payer: "TRAN THI HOA")
        let result = try fixture.apply(transaction, SuspenseApplicationRequest(
            allocations: [try fixture.allocation(fixture.an, 500_000), try fixture.allocation(fixture.chi, 500_000)],
            explanation: "Phụ huynh gọi điện xác nhận"))
        #expect(result.applications.count == 2)
        #expect(result.receiptIDs.count == 2)
        #expect(try fixture.invoice(fixture.an).status == .paid)
        #expect(try fixture.invoice(fixture.chi).status == .paid)
        #expect(try fixture.remaining(transaction) == .zero)
        #expect(try fixture.count("SELECT count(*) FROM payment_applications WHERE payment_key = 'suspense:\(transaction):1'") == 2)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func partlyNowTheRestLaterNeverMoreThanWhatRemains() throws {
        let fixture = try SuspenseFixture()
        let transaction = try fixture.receive("FT130", 800_000, memo: "TIEN HOC", payer: "TRAN THI HOA")
        _ = try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.an, 300_000)],
                                                                      explanation: "Phần của An"))
        #expect(try fixture.remaining(transaction) == Money(dong: 500_000))
        #expect(try fixture.invoice(fixture.an).outstanding == Money(dong: 200_000))
        #expect(throws: SuspenseError.exceedsRemaining(transactionID: transaction, requested: Money(dong: 600_000), remaining: Money(dong: 500_000))) {
            try fixture.apply(transaction, SuspenseApplicationRequest(
                allocations: [try fixture.allocation(fixture.binh, 500_000)], credit: Money(dong: 100_000), explanation: "Quá số còn lại"))
        }
        let rest = try fixture.apply(transaction, SuspenseApplicationRequest(
            allocations: [try fixture.allocation(fixture.an, 200_000), try fixture.allocation(fixture.binh, 300_000)],
            explanation: "Phần còn lại"))
        #expect(rest.paymentKey == "suspense:\(transaction):2")
        #expect(try fixture.remaining(transaction) == .zero)
        #expect(try fixture.invoice(fixture.an).status == .paid)
        #expect(throws: SuspenseError.nothingInSuspense(transactionID: transaction)) {
            try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.binh, 1)], explanation: "x"))
        }
        // A retry of step 1 with the same request returns its result and writes nothing.
        let replay = try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.an, 300_000)],
                                                                               explanation: "Phần của An", step: 1))
        #expect(replay.replayed && replay.paymentKey == "suspense:\(transaction):1")
        #expect(try fixture.count("SELECT count(*) FROM payment_applications") == 3)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func unapplyThenApplyElsewhere() throws {
        let fixture = try SuspenseFixture()
        let transaction = try fixture.receive("FT140", 500_000, memo: "HOC PHI", payer: "TRAN THI HOA")
        let first = try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.an, 500_000)],
                                                                              explanation: "Nhầm sang An"))
        #expect(try fixture.invoice(fixture.an).status == .paid)
        let undone = try fixture.billing.transaction { connection in
            try Suspense.unapply(schoolID: fixture.school.id, transactionID: transaction, applicationID: first.applications[0].applicationID,
                                 reason: "Phụ huynh báo nhầm học sinh", on: connection)
        }
        #expect(undone.amount == Money(dong: 500_000))
        #expect(try fixture.invoice(fixture.an).status == .open)
        #expect(try fixture.remaining(transaction) == Money(dong: 500_000))
        // The application of another transaction is not this one's to undo.
        let other = try fixture.receive("FT141", 10_000, memo: "X", payer: "TRAN THI HOA")
        #expect(throws: SuspenseError.unknownApplication(first.applications[0].applicationID)) {
            try fixture.billing.transaction { connection in
                try Suspense.unapply(schoolID: fixture.school.id, transactionID: other, applicationID: first.applications[0].applicationID,
                                     reason: "x", on: connection)
            }
        }
        let again = try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [try fixture.allocation(fixture.chi, 500_000)],
                                                                              explanation: "Đúng là Chí"))
        #expect(again.paymentKey == "suspense:\(transaction):2")
        #expect(try fixture.invoice(fixture.chi).status == .paid)
        #expect(try fixture.remaining(transaction) == .zero)
        let entries = try fixture.pool.withConnection {
            try Suspense.list(school: fixture.school, on: $0).entries.map(\.transaction.id)
        }
        #expect(entries == [other])
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func creditNeedsAHolderWhenNoInvoiceIsPaid() throws {
        let fixture = try SuspenseFixture()
        let transaction = try fixture.receive("FT150", 300_000, memo: "TRA TRUOC", payer: "TRAN THI HOA")
        #expect(throws: SuspenseError.invalidField(field: "credit_student_id", problem: "required when money is kept as credit and no invoice is paid")) {
            try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [], credit: Money(dong: 300_000), explanation: "Trả trước"))
        }
        _ = try fixture.apply(transaction, SuspenseApplicationRequest(allocations: [], credit: Money(dong: 300_000), creditStudentID: fixture.binh.id,
                                                                      explanation: "Trả trước cho gia đình Nguyễn"))
        #expect(try fixture.billing.credit(of: fixture.an) == Money(dong: 300_000)) // the family's credit
        #expect(try fixture.billing.verify().isClean)
    }
}
