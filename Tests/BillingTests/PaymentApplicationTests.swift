import SchoolFixtures
import Billing
import Core
import Dispatch
import Ledger
import Postgres
import Synchronization
import Testing

@Suite struct PaymentApplicationTests {
    /// Two months issued for each student: September due the 10th, October due the 10th.
    func school(_ students: [(code: String, family: String?)]) throws -> (BillingFixture, [Student]) {
        let fixture = try BillingFixture()
        try fixture.addFee("HP", amount: 300_000)
        let created = try students.map { try fixture.addStudent($0.code, family: $0.family) }
        _ = try fixture.issue(BillingFixture.september)
        _ = try fixture.issue(BillingFixture.october)
        return (fixture, created)
    }

    func receipt(_ fixture: BillingFixture, _ id: Int64) throws -> ReceiptRecord {
        try fixture.pool.withConnection { try Receipts.receipt(schoolID: fixture.school.id, receiptID: id, on: $0)! }
    }

    @Test func cashIsAllocatedOldestDueFirstWithGaplessReceiptNumbers() throws {
        let (fixture, students) = try school([("HS1", nil)])
        let september = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.september)).first)
        let october = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.october)).first)
        let first = try fixture.pay(students, 450_000)
        #expect(first.applications.map(\.invoiceID) == [september.id, october.id])
        #expect(first.applications.map(\.amount.dong) == [300_000, 150_000])
        #expect(first.applications.allSatisfy { $0.rule == CashReceipts.oldestDueFirstRule })
        #expect(try fixture.invoice(september.id).status == .paid)
        #expect(try fixture.invoice(october.id).outstanding == Money(dong: 150_000))
        let second = try fixture.pay(students, 150_000)
        #expect(second.applications.map(\.invoiceID) == [october.id])
        let numbers = try [first, second].map { try receipt(fixture, $0.receiptIDs[0]).numberText }
        #expect(numbers == ["2026/000001", "2026/000002"])
        let printed = try receipt(fixture, first.receiptIDs[0])
        #expect(printed.amount == Money(dong: 450_000) && printed.credit == .zero && printed.method == .cash)
        #expect(printed.items.map(\.invoiceNumber) == [september.number, october.number])
        #expect(printed.items.map(\.feeSummary) == ["Phí HP", "Phí HP"])
        #expect(printed.payerName == "Trần Thị Hoa" && printed.student.code == "HS1" && printed.school.code == "TRUONG-1")
        #expect(try fixture.pool.withConnection { try LedgerQueries.balance(schoolID: fixture.school.id, accountID: try fixture.account(.cash), on: $0) }
                == Money(dong: 600_000))
        #expect(try fixture.verify().isClean)
    }

    @Test func aRolledBackPaymentGivesItsReceiptNumberBack() throws {
        let (fixture, students) = try school([("HS1", nil)])
        #expect(throws: Rollback()) {
            try fixture.transaction { connection in
                _ = try CashReceipts.record(CashPayment(schoolID: fixture.school.id, studentIDs: [students[0].id], amount: Money(dong: 1_000),
                                                        payerName: "A", receivedOn: try CalendarDate(iso: "2026-09-20"), recordedBy: "t"), on: connection)
                throw Rollback()
            }
        }
        let payment = try fixture.pay(students, 1_000)
        #expect(try receipt(fixture, payment.receiptIDs[0]).sequence == 1)
    }

    @Test func overpaymentBecomesFamilyCreditAndCanPayALaterInvoice() throws {
        let (fixture, students) = try school([("HS1", "GD1")])
        let payment = try fixture.pay(students, 700_000)
        #expect(payment.applications.map(\.amount.dong) == [300_000, 300_000, 100_000])
        #expect(payment.applications.last?.invoiceID == nil && payment.applications.last?.familyID == students[0].familyID)
        #expect(try fixture.credit(of: students[0]) == Money(dong: 100_000))
        let printed = try receipt(fixture, payment.receiptIDs[0])
        #expect(printed.credit == Money(dong: 100_000) && printed.amount == Money(dong: 700_000))
        _ = try fixture.issue(BillingFixture.november)
        let november = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.november)).first)
        let spend = PaymentRequest(schoolID: fixture.school.id, source: .familyCredit, paymentKey: "credit-1",
                                   receivedOn: try CalendarDate(iso: "2026-11-02"), payerName: "Gia đình", studentIDs: [students[0].id],
                                   allocations: [PaymentAllocation(invoiceID: november.id, amount: Money(dong: 100_000))], credit: .zero,
                                   rule: "credit_on_issue", explanation: "credit applied to the next invoice", recordedBy: "t")
        let spent = try fixture.transaction { try PaymentApplication.apply(spend, on: $0) }
        #expect(spent.receiptIDs.isEmpty)
        #expect(try fixture.credit(of: students[0]) == .zero)
        #expect(try fixture.invoice(november.id).outstanding == Money(dong: 200_000))
        // No more credit to spend.
        var again = spend
        again.paymentKey = "credit-2"
        again.allocations = [PaymentAllocation(invoiceID: november.id, amount: Money(dong: 1))]
        #expect(throws: BillingError.allocationInvalid("the credit available (0 đ) is less than the 1 đ to apply")) {
            try fixture.transaction { try PaymentApplication.apply(again, on: $0) }
        }
        // The credit kept cannot be unapplied once spent.
        #expect(throws: BillingError.allocationInvalid("the credit of 100.000 đ was already spent (0 đ left)")) {
            try fixture.transaction { try Applications.unapply(schoolID: fixture.school.id, applicationID: payment.applications[2].applicationID, reason: "x", on: $0) }
        }
        #expect(try fixture.verify().isClean)
    }

    @Test func siblingsPaidTogetherGetAReceiptEach() throws {
        let (fixture, students) = try school([("HS1", "GD1"), ("HS2", "GD1"), ("HS3", nil)])
        let payment = try fixture.pay([students[0], students[1]], 1_250_000)
        // Oldest due first across both children: two Septembers, then two Octobers, then 50,000 credit.
        #expect(payment.applications.count == 5)
        #expect(payment.receiptIDs.count == 2)
        let receipts = try payment.receiptIDs.map { try receipt(fixture, $0) }
        #expect(Set(receipts.map(\.student.code)) == ["HS1", "HS2"])
        #expect(receipts.map(\.amount.dong).reduce(0, +) == 1_250_000)
        #expect(receipts.map(\.sequence).sorted() == [1, 2])
        #expect(try fixture.credit(of: students[1]) == Money(dong: 50_000))
        // Students of different families cannot be paid together.
        #expect(throws: BillingError.allocationInvalid("students paid together must belong to one family")) {
            try fixture.pay([students[0], students[2]], 1_000)
        }
        #expect(try fixture.verify().isClean)
    }

    @Test func explicitAllocationsAreCheckedAgainstTheLedger() throws {
        let (fixture, students) = try school([("HS1", nil), ("HS2", nil)])
        let october = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.october, studentID: students[0].id)).first)
        let other = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.october, studentID: students[1].id)).first)
        let paid = try fixture.pay(students[0..<1].map { $0 }, 200_000, allocations: [PaymentAllocation(invoiceID: october.id, amount: Money(dong: 200_000))])
        #expect(paid.applications.map(\.invoiceID) == [october.id])
        #expect(paid.applications.allSatisfy { $0.rule == CashReceipts.explicitRule })
        do {
            _ = try fixture.pay([students[0]], 200_000, allocations: [PaymentAllocation(invoiceID: october.id, amount: Money(dong: 100_001))])
            Issue.record("an allocation above the outstanding amount was applied")
        } catch let error as BillingError {
            #expect(error == .allocationExceedsOutstanding(invoice: october.number.text, amount: Money(dong: 100_001), outstanding: Money(dong: 100_000)))
        }
        // Another student's invoice is refused.
        let notTheirs = "invoice \(other.number.text) belongs to student HS2, who is not among the students of this payment"
        #expect(throws: BillingError.allocationInvalid(notTheirs)) {
            try fixture.pay([students[0]], 1_000, allocations: [PaymentAllocation(invoiceID: other.id, amount: Money(dong: 1_000))])
        }
        #expect(try fixture.verify().isClean)
    }

    @Test func unapplyReversesOneApplicationAndTheMoneyReturnsToItsSource() throws {
        let (fixture, students) = try school([("HS1", nil)])
        let payment = try fixture.pay(students, 400_000)
        let second = payment.applications[1]
        let undone = try fixture.transaction { try Applications.unapply(schoolID: fixture.school.id, applicationID: second.applicationID, reason: "nhầm tháng", on: $0) }
        #expect(undone.amount == Money(dong: 100_000))
        #expect(try fixture.invoice(second.invoiceID!).status == .open)
        #expect(try fixture.invoice(payment.applications[0].invoiceID!).status == .paid)
        #expect(try fixture.pool.withConnection { try LedgerQueries.balance(schoolID: fixture.school.id, accountID: try fixture.account(.cash), on: $0) }
                == Money(dong: 300_000))
        #expect(throws: BillingError.alreadyUnapplied(applicationID: second.applicationID)) {
            try fixture.transaction { try Applications.unapply(schoolID: fixture.school.id, applicationID: second.applicationID, reason: "x", on: $0) }
        }
        let printed = try receipt(fixture, payment.receiptIDs[0])
        #expect(printed.items.map(\.unapplied) == [false, true] && !printed.isCancelled)
        let recorded = try fixture.pool.withConnection { try Applications.list(schoolID: fixture.school.id, invoiceID: second.invoiceID!, on: $0) }
        #expect(recorded.count == 1 && recorded[0].unappliedByEntryID == undone.reversalEntryID)
        #expect(try fixture.verify().isClean)
    }

    /// The database keeps applications as history: only the unapply marker may be set, once, and
    /// only to a reversal that mirrors the application's entry (what `Applications.unapply` writes).
    @Test func applicationsAreHistoryExceptTheirUnapplyMarker() throws {
        let (fixture, students) = try school([("HS1", nil)])
        let payment = try fixture.pay(students, 300_000)
        let id = payment.applications[0].applicationID
        let school = fixture.school.id
        let attempts = [
            "UPDATE payment_applications SET amount = amount + 1 WHERE school_id = \(school) AND application_id = \(id)",
            "UPDATE payment_applications SET explanation = 'rewritten' WHERE school_id = \(school) AND application_id = \(id)",
            "UPDATE payment_applications SET unapply_entry_id = entry_id, invoice_id = NULL WHERE school_id = \(school) AND application_id = \(id)",
            // The marker alone, but pointing at an entry that is not the reversal of the application's.
            "UPDATE payment_applications SET unapply_entry_id = entry_id WHERE school_id = \(school) AND application_id = \(id)",
            "DELETE FROM payment_applications WHERE school_id = \(school)",
        ]
        for sql in attempts {
            #expect(throws: (any Error).self, "\(sql)") { try fixture.pool.withConnection { try $0.query(PostgresQuery(unsafeSQL: sql)) } }
        }
        let undone = try fixture.transaction { try Applications.unapply(schoolID: school, applicationID: id, reason: "nhầm", on: $0) }
        // Once set, the marker itself is history.
        #expect(throws: (any Error).self) {
            try fixture.pool.withConnection {
                try $0.query("UPDATE payment_applications SET unapply_entry_id = NULL WHERE school_id = \(school) AND application_id = \(id)")
            }
        }
        let recorded = try fixture.pool.withConnection { try Applications.list(schoolID: school, invoiceID: payment.applications[0].invoiceID!, on: $0) }
        #expect(recorded.map(\.unappliedByEntryID) == [undone.reversalEntryID] && recorded[0].amount == Money(dong: 300_000))
        #expect(try fixture.verify().isClean)
    }

    @Test func bankMoneyIsAppliedFromSuspenseIdempotentlyAndCountsAsCashless() throws {
        let (fixture, students) = try school([("HS1", nil)])
        let invoice = try #require(try fixture.invoices(InvoiceFilter(period: BillingFixture.september)).first)
        let bank = try fixture.pool.withConnection { try Schools.bankAccounts(schoolID: fixture.school.id, on: $0)[0].accountID }
        let suspense = try fixture.account(.suspense)
        // The lead's ingest books the money first: Dr bank / Cr suspense (dimension bank_transaction).
        try LedgerService(pool: fixture.pool).post(JournalEntryRequest(
            schoolID: fixture.school.id, effectiveDate: try CalendarDate(iso: "2026-09-12"), kind: .paymentReceived, description: "transfer",
            idempotencyKey: "bank-77", references: EntryReferences(bankTransactionID: 77),
            postings: [PostingRequest(accountID: bank, amount: Money(dong: 350_000)),
                       PostingRequest(accountID: suspense, amount: Money(dong: -350_000), dimensions: PostingDimensions(bankTransactionID: 77))]))
        let request = PaymentRequest(schoolID: fixture.school.id, source: .bankTransaction(id: 77, reference: "FT2609120001"), paymentKey: "bank:77",
                                     receivedOn: try CalendarDate(iso: "2026-09-12"), payerName: "NGUYEN VAN BINH", studentIDs: [students[0].id],
                                     allocations: [PaymentAllocation(invoiceID: invoice.id, amount: Money(dong: 300_000))],
                                     credit: Money(dong: 50_000), rule: "invoice_code", explanation: "memo carries the invoice code", recordedBy: "matcher")
        let applied = try fixture.transaction { try PaymentApplication.apply(request, on: $0) }
        #expect(!applied.replayed && applied.applications.count == 2)
        let suspenseLeft = try fixture.pool.withConnection {
            try LedgerQueries.balance(schoolID: fixture.school.id, accountID: suspense, dimension: .bankTransaction, id: 77, on: $0)
        }
        #expect(suspenseLeft == .zero)
        let replay = try fixture.transaction { try PaymentApplication.apply(request, on: $0) }
        #expect(replay.replayed && replay.applications == applied.applications)
        var different = request
        different.credit = Money(dong: 40_000)
        #expect(throws: BillingError.idempotencyConflict(key: "bank:77")) { try fixture.transaction { try PaymentApplication.apply(different, on: $0) } }
        let printed = try receipt(fixture, applied.receiptIDs[0])
        #expect(printed.method == .bank && printed.bankReference == "FT2609120001" && printed.bankTransactionID == 77)
        _ = try fixture.pay(students, 100_000)
        let totals = try fixture.pool.withConnection {
            try Receipts.methodTotals(schoolID: fixture.school.id, from: try CalendarDate(iso: "2026-09-01"), through: try CalendarDate(iso: "2026-09-30"), on: $0)
        }
        #expect(totals.bankAmount == Money(dong: 350_000) && totals.cashAmount == Money(dong: 100_000))
        #expect(totals.cashlessShareBasisPoints == 7_778) // 350 / 450 = 77.777…% → 7,778
        // Unapplying puts the money back into the transaction's suspense, ready to apply elsewhere.
        _ = try fixture.transaction { try Applications.unapply(schoolID: fixture.school.id, applicationID: applied.applications[0].applicationID, reason: "sai hóa đơn", on: $0) }
        let back = try fixture.pool.withConnection {
            try LedgerQueries.balance(schoolID: fixture.school.id, accountID: suspense, dimension: .bankTransaction, id: 77, on: $0)
        }
        #expect(back == Money(dong: -300_000))
        #expect(try fixture.verify().isClean)
    }

    @Test func paymentRequestsAreValidatedBeforeAnythingIsWritten() throws {
        let (fixture, students) = try school([("HS1", nil)])
        let invoice = try #require(try fixture.invoices().first)
        let good = PaymentRequest(schoolID: fixture.school.id, source: .cash, paymentKey: "k1", receivedOn: try CalendarDate(iso: "2026-09-20"),
                                  payerName: "A", studentIDs: [students[0].id],
                                  allocations: [PaymentAllocation(invoiceID: invoice.id, amount: Money(dong: 10))], credit: .zero,
                                  rule: "r", explanation: "e", recordedBy: "t")
        var cases: [(String, PaymentRequest)] = []
        var request = good; request.paymentKey = ""; cases.append(("payment_key", request))
        request = good; request.allocations = [PaymentAllocation(invoiceID: invoice.id, amount: Money(dong: 0))]; cases.append(("allocations", request))
        request = good; request.allocations += good.allocations; cases.append(("allocations", request))
        request = good; request.allocations = []; cases.append(("amount", request))
        request = good; request.credit = Money(dong: -1); cases.append(("allocations", request))
        // Each amount within the bound, the sum past it.
        request = good; request.credit = Money(dong: Money.absoluteDongMax); cases.append(("amount", request))
        request = good; request.rule = ""; cases.append(("rule", request))
        request = good; request.payerName = "  "; cases.append(("payer_name", request))
        request = good; request.studentIDs = []; cases.append(("students", request))
        request = good; request.source = .familyCredit; request.credit = Money(dong: 5); cases.append(("credit", request))
        for (field, bad) in cases {
            do {
                _ = try fixture.transaction { try PaymentApplication.apply(bad, on: $0) }
                Issue.record("accepted a request with a bad \(field)")
            } catch let error as BillingError {
                guard case .invalidField(let named, _) = error else { Issue.record("\(error)"); continue }
                #expect(named == field)
            }
        }
        let applied = try fixture.transaction { try PaymentApplication.apply(good, on: $0) }
        #expect(applied.applications.count == 1 && applied.receiptIDs.count == 1)
        #expect(try fixture.invoice(invoice.id).outstanding == Money(dong: 299_990))
    }

    @Test func concurrentPaymentsNeverOverApplyAndReceiptNumbersStayGapless() throws {
        let (fixture, students) = try school([("HS1", "GD1"), ("HS2", "GD1")])
        let failures = Mutex<[String]>([])
        BlockingThreads.run(count: 4) { thread in
            for _ in 0..<5 {
                do {
                    _ = try fixture.pool.transaction(isolation: .readCommitted) { connection in
                        try CashReceipts.record(CashPayment(schoolID: fixture.school.id, studentIDs: [students[thread % 2].id],
                                                            amount: Money(dong: 100_000), payerName: "P", receivedOn: try CalendarDate(iso: "2026-09-20"),
                                                            recordedBy: "t"), on: connection)
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        // 2,000,000 received against 1,200,000 owed: every invoice paid exactly, 800,000 kept as the family's credit.
        let invoices = try fixture.invoices()
        #expect(invoices.count == 4 && invoices.allSatisfy { $0.status == .paid })
        #expect(try fixture.credit(of: students[0]) == Money(dong: 800_000))
        let receipts = try fixture.pool.withConnection { connection in
            try students.flatMap { try Receipts.list(schoolID: fixture.school.id, studentID: $0.id, on: connection) }
                .map { try Receipts.receipt(schoolID: fixture.school.id, receiptID: $0, on: connection)!.sequence }
        }
        #expect(receipts.sorted() == Array(1...20))
        #expect(try fixture.verify().isClean)
    }
}
