import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import SchoolFixtures
import Synchronization
import Testing
import TestSupport

/// The bank collection service end to end against the real database: inquiry, payment notices
/// exactly once on the bank's id, mismatches as named exceptions, reversals, refusals.
@Suite struct CollectionServiceTests {
    struct Month {
        let fixture: CollectionFixture
        let an: Student, binh: Student
        let invoices: [Int64: Invoice]

        init(parameters: [String: String] = [:]) throws {
            fixture = try CollectionFixture(parameters: parameters)
            try fixture.billing.addFee("HP", amount: 500_000)
            an = try fixture.billing.addStudent("HS001", name: "Nguyễn Văn An", family: "NGUYEN-1")
            binh = try fixture.billing.addStudent("HS002", name: "Trần Thị Bình")
            _ = try fixture.billing.issue()
            invoices = Dictionary(uniqueKeysWithValues: try fixture.billing.invoices().map { ($0.studentID, $0) })
        }

        func invoice(_ student: Student) throws -> Invoice { try fixture.billing.invoice(invoices[student.id]!.id) }

        func inquire(_ code: String) throws -> [String: Any] {
            let result = try fixture.send("inquiry", ["customer_code": code])
            return CollectionFixture.json(result)
        }

        func pay(_ id: String, amount: Int64, inquiry: String? = nil, items: [String]? = nil, code: String? = nil) throws -> CollectionService.Result {
            var fields: [String: Any] = ["transaction_id": id, "amount": amount, "paid_at": "2026-09-15T10:21:07+07:00"]
            if let inquiry { fields["inquiry_id"] = inquiry }
            if let items { fields["items"] = items }
            if let code { fields["customer_code"] = code }
            return try fixture.send("payments", fields)
        }
    }

    @Test func theAllocationFollowsTheNamedItemsAndNamesTheMismatch() {
        func plan(_ amount: Int64, _ items: [(Int64, Int64?, Int64)]) -> ([Int64], Int64, String?) {
            let plan = CollectionAllocation.plan(amount: amount, items: items.map { (invoiceID: $0.0, inquired: $0.1, outstanding: $0.2) })
            return (plan.allocations.map(\.amount), plan.credit, plan.exception?.rawValue)
        }
        #expect(plan(500, [(1, 300, 300), (2, 200, 200)]) == ([300, 200], 0, nil))
        #expect(plan(600, [(1, 300, 300), (2, 200, 200)]) == ([300, 200], 100, "overpaid"))
        #expect(plan(400, [(1, 300, 300), (2, 200, 200)]) == ([300, 100], 0, "underpaid"))
        #expect(plan(500, [(1, 300, 0), (2, 200, 200)]) == ([200], 300, "items_paid_elsewhere"))
        #expect(plan(500, [(1, nil, 200)]) == ([200], 300, "overpaid"))
    }

    @Test func inquiryShowsOpenItemsWithAMaskedNameAndATotal() throws {
        let month = try Month()
        let reply = try month.inquire("HS001")
        #expect(reply["code"] as? String == "ok")
        #expect(reply["customer_name"] as? String == "N***** V** An")
        #expect(reply["school_name"] as? String == "Trường Thử Nghiệm")
        #expect(reply["total"] as? Int == 500_000)
        let items = reply["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1 && items[0]["item_id"] as? String == month.invoices[month.an.id]!.number.text)
        #expect((reply["inquiry_id"] as? String)?.hasPrefix("q1.") == true)
        // By the pupil's payment code too; unknown codes and paid-up pupils answer "not found" alike.
        #expect(try month.inquire(month.an.paymentCode)["total"] as? Int == 500_000)
        let unknown = try month.fixture.send("inquiry", ["customer_code": "HS999"])
        #expect(unknown.outcome == .notFound && unknown.status == 404)
        _ = try month.fixture.billing.pay([month.binh], 500_000)
        let paid = try month.fixture.send("inquiry", ["customer_code": "HS002"])
        #expect(paid.outcome == .noOpenItems && CollectionFixture.json(paid)["code"] as? String == "not_found")
        #expect(CollectionFixture.json(paid)["customer_name"] == nil)
    }

    @Test func aNoticeAppliesExactlyTheInquiredItemsOnceAndARetryGetsTheSameReply() throws {
        let month = try Month()
        let inquiry = try month.inquire("HS001")["inquiry_id"] as! String
        let first = try month.pay("VCB-COL-1", amount: 500_000, inquiry: inquiry)
        #expect(first.outcome == .ok, "\(first.reason ?? "")")
        let reply = CollectionFixture.json(first)
        #expect(reply["applied"] as? Int == 500_000 && reply["credited"] as? Int == 0)
        #expect((reply["receipt_numbers"] as? [String])?.count == 1)
        #expect(reply["exception"] is NSNull)
        #expect(try month.invoice(month.an).status == .paid)
        let retry = try month.pay("VCB-COL-1", amount: 500_000, inquiry: inquiry)
        #expect(retry.outcome == .ok && retry.body == first.body)
        #expect(try month.fixture.count("SELECT count(*) FROM bank_transactions") == 1)
        #expect(try month.fixture.count("SELECT count(*) FROM collection_payments") == 1)
        let payment = try month.fixture.payment("VCB-COL-1")!
        #expect(try month.fixture.suspenseBalance(of: payment.bankTransactionID) == .zero)
        #expect(try month.fixture.billing.verify().isClean)
    }

    @Test func concurrentDuplicateNoticesRecordTheMoneyOnce() throws {
        let month = try Month()
        let results = Mutex<[CollectionService.Result]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let result = try! month.pay("VCB-COL-RACE", amount: 500_000, code: "HS001")
            results.withLock { $0.append(result) }
        }
        let bodies = Set(results.withLock { $0 }.map(\.body))
        #expect(results.withLock { $0 }.allSatisfy { $0.outcome == .ok } && bodies.count == 1)
        #expect(try month.fixture.count("SELECT count(*) FROM bank_transactions") == 1)
        #expect(try month.fixture.count("SELECT count(*) FROM payment_applications") == 1)
        #expect(try month.fixture.billing.verify().isClean)
    }

    @Test func concurrentNoticesForOneItemNeverPayItTwice() throws {
        let month = try Month()
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            _ = try! month.pay("VCB-PART-\(index)", amount: 200_000, code: "HS001")
        }
        #expect(try month.invoice(month.an).status == .paid)
        #expect(try month.fixture.billing.credit(of: month.an) == Money(dong: 300_000))
        #expect(try month.fixture.count("SELECT count(*) FROM collection_payments") == 4)
        #expect(try month.fixture.count("SELECT sum(applied + credited)::bigint FROM collection_payments") == 800_000)
        #expect(try month.fixture.billing.verify().isClean)
    }

    /// Notices by pupil code are resolved for a whole commit batch at once; mixed with notices for
    /// another pupil and with a code nobody has, each still pays its own pupil's items.
    @Test func concurrentNoticesForSeveralPupilsEachPayTheirOwnPupil() throws {
        let month = try Month()
        let notices: [(id: String, code: String, amount: Int64)] = (0..<4).map { ("VCB-AN-\($0)", "HS001", 200_000) }
            + (0..<3).map { ("VCB-BINH-\($0)", "HS002", 100_000) } + [("VCB-NOBODY", "NOBODY-9", 50_000)]
        let group = DispatchGroup()
        let outcomes = Mutex<[CollectionOutcome]>([])
        for notice in notices {
            group.enter()
            Thread.detachNewThread {
                let result = try! month.pay(notice.id, amount: notice.amount, code: notice.code)
                outcomes.withLock { $0.append(result.outcome) }
                group.leave()
            }
        }
        group.wait()
        #expect(outcomes.withLock { $0 }.allSatisfy { $0 == .ok })
        #expect(try month.invoice(month.an).status == .paid)
        #expect(try month.fixture.billing.credit(of: month.an) == Money(dong: 300_000))
        #expect(try month.invoice(month.binh).outstanding == Money(dong: 200_000))
        #expect(try month.fixture.billing.credit(of: month.binh) == .zero)
        #expect(try month.fixture.count("SELECT count(*) FROM collection_payments WHERE customer_code = 'NOBODY-9' AND exception = 'unidentified' AND student_id IS NULL") == 1)
        #expect(try month.fixture.count("SELECT count(DISTINCT student_id) FROM collection_payments WHERE customer_code = 'HS001'") == 1)
        #expect(try month.fixture.billing.verify().isClean)
    }

    @Test func mismatchedMoneyIsRecordedOnceAndNamed() throws {
        let month = try Month()
        // More than owed: the item is paid, the rest is the family's credit.
        let over = try month.pay("VCB-OVER", amount: 650_000, items: [month.invoices[month.an.id]!.number.text])
        #expect(over.outcome == .ok && CollectionFixture.json(over)["exception"] as? String == "overpaid")
        #expect(try month.fixture.billing.credit(of: month.an) == Money(dong: 150_000))
        // Paid at the counter between inquiry and notice: the money becomes credit, named.
        let inquiry = try month.inquire("HS002")["inquiry_id"] as! String
        _ = try month.fixture.billing.pay([month.binh], 500_000)
        let late = try month.pay("VCB-LATE", amount: 500_000, inquiry: inquiry)
        #expect(late.outcome == .ok && CollectionFixture.json(late)["exception"] as? String == "items_paid_elsewhere")
        #expect(try month.fixture.billing.credit(of: month.binh) == Money(dong: 500_000))
        // Names nothing we know: recorded, in suspense, named.
        let unknown = try month.pay("VCB-UNKNOWN", amount: 120_000, code: "HS999")
        #expect(unknown.outcome == .ok && CollectionFixture.json(unknown)["exception"] as? String == "unidentified")
        let payment = try month.fixture.payment("VCB-UNKNOWN")!
        #expect(try month.fixture.suspenseBalance(of: payment.bankTransactionID) == Money(dong: -120_000))
        // A forged inquiry id names nothing either.
        let forged = try month.pay("VCB-FORGED-Q", amount: 500_000, inquiry: "q1.1.1.1.1-1.00000000000000000000000000000000")
        #expect(CollectionFixture.json(forged)["exception"] as? String == "unidentified")
        #expect(try month.fixture.billing.verify().isClean)
    }

    @Test func underpaymentPaysTheOldestItemFirstAndIsNamed() throws {
        let month = try Month()
        let under = try month.pay("VCB-UNDER", amount: 200_000, code: "HS001")
        #expect(CollectionFixture.json(under)["exception"] as? String == "underpaid")
        let invoice = try month.invoice(month.an)
        #expect(invoice.status == .partlyPaid && invoice.outstanding == Money(dong: 300_000))
    }

    @Test func aReversalWithinTheCutOffUndoesApplicationAndBookingOnce() throws {
        let month = try Month()
        _ = try month.pay("VCB-REV", amount: 700_000, code: "HS001")
        let reversed = try month.fixture.send("reversals", ["transaction_id": "VCB-REV", "reversal_id": "R-1"])
        #expect(reversed.outcome == .ok, "\(reversed.reason ?? "")")
        #expect(try month.invoice(month.an).outstanding == Money(dong: 500_000))
        #expect(try month.fixture.billing.credit(of: month.an) == .zero)
        let payment = try month.fixture.payment("VCB-REV")!
        #expect(payment.reversedAt != nil && payment.reversalReference == "R-1")
        #expect(try month.fixture.suspenseBalance(of: payment.bankTransactionID) == .zero)
        let again = try month.fixture.send("reversals", ["transaction_id": "VCB-REV", "reversal_id": "R-1"])
        #expect(again.outcome == .ok && again.body == reversed.body)
        // The invoice's application, the credit's, and the booking: each reversed once, a retry adds none.
        #expect(try month.fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'reversal'") == 3)
        let unknown = try month.fixture.send("reversals", ["transaction_id": "VCB-NEVER", "reversal_id": "R-2"])
        #expect(unknown.outcome == .unknownTransaction)
        #expect(try month.fixture.billing.verify().isClean)
    }

    /// A notice paying one item exactly is one ledger entry (Dr bank / Cr receivable): no stop in suspense.
    /// The bank's reversal is that entry's reversal, once, and leaves the item owing and the bank as before.
    @Test func aNoticePayingOneItemExactlyIsOneEntryAndItsReversalIsOne() throws {
        let month = try Month()
        _ = try month.pay("VCB-ONE", amount: 500_000, code: "HS001")
        let payment = try month.fixture.payment("VCB-ONE")!
        let entries = "SELECT count(*) FROM journal_entries WHERE bank_transaction_id = \(payment.bankTransactionID)"
        #expect(try month.fixture.count(entries) == 1)
        #expect(try month.fixture.count("""
            SELECT count(*) FROM payment_applications a JOIN bank_transactions t USING (school_id, bank_transaction_id)
            WHERE a.bank_transaction_id = \(payment.bankTransactionID) AND a.entry_id = t.entry_id
            """) == 1)
        #expect(try month.invoice(month.an).status == .paid)
        #expect(try month.fixture.suspenseBalance(of: payment.bankTransactionID) == .zero)
        let bank = try month.fixture.billing.account(.bank)
        let before = "SELECT count(*) FROM postings WHERE account_id = \(bank)"
        #expect(try month.fixture.count(before) == 1)
        let reversed = try month.fixture.send("reversals", ["transaction_id": "VCB-ONE", "reversal_id": "R-ONE"])
        #expect(reversed.outcome == .ok, "\(reversed.reason ?? "")")
        #expect(try month.invoice(month.an).outstanding == Money(dong: 500_000))
        #expect(try month.fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'reversal'") == 1)
        #expect(try month.fixture.count("SELECT coalesce(sum(amount), 0) FROM postings WHERE account_id = \(bank)") == 0)
        let again = try month.fixture.send("reversals", ["transaction_id": "VCB-ONE", "reversal_id": "R-ONE"])
        #expect(again.outcome == .ok && again.body == reversed.body)
        #expect(try month.fixture.count(entries) == 2)
        let verification = try month.fixture.billing.verify()
        #expect(verification.isClean, "\(verification)")
    }

    /// The school unapplies a notice paid in one entry: the money moves back to the transaction's suspense
    /// (the arrival stays); a bank reversal after that takes it out of suspense, not from the item again.
    @Test func aNoticeUnappliedByTheSchoolWaitsInSuspenseAndTheBanksReversalTakesItFromThere() throws {
        let month = try Month()
        _ = try month.pay("VCB-BACK", amount: 500_000, code: "HS001")
        let payment = try month.fixture.payment("VCB-BACK")!
        let application = try month.fixture.pool.withConnection {
            try Applications.list(schoolID: month.fixture.school.id, bankTransactionID: payment.bankTransactionID, on: $0)
        }
        #expect(application.count == 1)
        // The database takes as its undoing only the move back to suspense (or the entry's reversal): not the
        // entry itself, nor the invoice's.
        let school = month.fixture.school.id, id = application[0].applicationID
        for target in ["entry_id", "(SELECT entry_id FROM invoices WHERE school_id = \(school) AND invoice_id = \(application[0].invoiceID!))"] {
            let sql = "UPDATE payment_applications SET unapply_entry_id = \(target) WHERE school_id = \(school) AND application_id = \(id)"
            #expect(throws: (any Error).self, "\(sql)") { try month.fixture.pool.withConnection { try $0.query(PostgresQuery(unsafeSQL: sql)) } }
        }
        let undone = try month.fixture.billing.transaction { connection in
            try Applications.unapply(schoolID: month.fixture.school.id, applicationID: application[0].applicationID, reason: "nhầm học sinh",
                                     on: connection)
        }
        #expect(undone.amount == Money(dong: 500_000))
        #expect(try month.invoice(month.an).outstanding == Money(dong: 500_000))
        #expect(try month.fixture.suspenseBalance(of: payment.bankTransactionID) == Money(dong: -500_000))
        #expect(try month.fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'reversal'") == 0)
        var verification = try month.fixture.billing.verify()
        #expect(verification.isClean, "\(verification)")
        // A second unapplying is refused and writes nothing.
        #expect(throws: BillingError.self) {
            try month.fixture.billing.transaction { connection in
                try Applications.unapply(schoolID: month.fixture.school.id, applicationID: application[0].applicationID, reason: "lần nữa",
                                         on: connection)
            }
        }
        let reversed = try month.fixture.send("reversals", ["transaction_id": "VCB-BACK", "reversal_id": "R-BACK"])
        #expect(reversed.outcome == .ok, "\(reversed.reason ?? "")")
        #expect(try month.fixture.suspenseBalance(of: payment.bankTransactionID) == .zero)
        #expect(try month.invoice(month.an).outstanding == Money(dong: 500_000))
        let bank = try month.fixture.billing.account(.bank)
        #expect(try month.fixture.count("SELECT coalesce(sum(amount), 0) FROM postings WHERE account_id = \(bank)") == 0)
        verification = try month.fixture.billing.verify()
        #expect(verification.isClean, "\(verification)")
    }

    @Test func aReversalAfterTheCutOffIsRefusedAndChangesNothing() throws {
        let month = try Month()
        _ = try month.pay("VCB-OLD", amount: 500_000, code: "HS001")
        month.fixture.clock.advance(seconds: 86_400)
        let late = try month.fixture.send("reversals", ["transaction_id": "VCB-OLD", "reversal_id": "R-9"])
        #expect(late.outcome == .cutoffPassed && late.status == 409)
        #expect(try month.invoice(month.an).status == .paid)
        // A connection allowing one more day takes it.
        let lenient = try Month(parameters: ["reversalCutoffDays": "1"])
        _ = try lenient.pay("VCB-OLD", amount: 500_000, code: "HS001")
        lenient.fixture.clock.advance(seconds: 86_400)
        #expect(try lenient.fixture.send("reversals", ["transaction_id": "VCB-OLD", "reversal_id": "R-9"]).outcome == .ok)
    }

    @Test func forgedStaleReplayedAndMalformedRequestsAreRefusedWritingOnlyAnAuditLine() throws {
        let month = try Month()
        let fields: [String: Any] = ["transaction_id": "VCB-BAD", "amount": 500_000, "paid_at": "2026-09-15T10:21:07+07:00", "customer_code": "HS001"]
        let forged = try month.fixture.send("payments", fields, secret: "another-secret-of-someone")
        #expect(forged.outcome == .forged && forged.status == 401)
        let stale = try month.fixture.send("payments", fields, signedAt: month.fixture.now.addingTimeInterval(-301))
        #expect(stale.outcome == .stale)
        let future = try month.fixture.send("payments", fields, signedAt: month.fixture.now.addingTimeInterval(301))
        #expect(future.outcome == .stale)
        // A signature for an inquiry does not pass as a payment (the operation is signed).
        let body = Array(try JSONSerialization.data(withJSONObject: fields.merging(["service_code": CollectionFixture.service]) { a, _ in a }))
        let header = CollectionSigning.header(secret: CallbackSecret(CollectionFixture.secret)!, timestamp: Int64(month.fixture.now.timeIntervalSince1970),
                                              nonce: "nonce-cross-op", path: "inquiry", body: body)
        #expect(month.fixture.sendRaw("payments", body, signature: header).outcome == .forged)
        let missing = try month.fixture.send("payments", ["transaction_id": "VCB-BAD", "paid_at": "2026-09-15T10:21:07+07:00", "customer_code": "HS001"])
        #expect(missing.outcome == .malformed && missing.status == 400)
        let long = try month.fixture.send("payments", fields.merging(["transaction_id": String(repeating: "9", count: 65)]) { _, b in b })
        #expect(long.outcome == .malformed && long.reason?.contains("transaction_id") == true)
        let decimal = try month.fixture.send("payments", fields.merging(["amount": 1.5]) { _, b in b })
        #expect(decimal.outcome == .malformed)
        let unknownService = try month.fixture.send("payments", fields.merging(["service_code": "SVC-NOBODY"]) { _, b in b })
        #expect(unknownService.outcome == .unknownMerchant)
        #expect(month.fixture.sendRaw("payments", Array("{not json".utf8)).outcome == .malformed)
        #expect(try month.fixture.count("SELECT count(*) FROM bank_transactions") == 0)
        #expect(try month.fixture.count("SELECT count(*) FROM collection_refusals") == 9)
        // The same nonce twice: the second is replayed, refused before any lookup.
        let first = try month.fixture.send("inquiry", ["customer_code": "HS001"], nonce: "nonce-once-only")
        let replay = try month.fixture.send("inquiry", ["customer_code": "HS001"], nonce: "nonce-once-only")
        #expect(first.outcome == .ok && replay.outcome == .replayed)
    }

    @Test func aCodeOfAnotherSchoolIsUnknownThroughThisConnection() throws {
        let month = try Month()
        let other = try month.fixture.billing.transaction { connection in
            try Schools.create(NewSchool(code: "TRUONG-2", name: "Trường Khác", district: "Quận 2", level: .lowerSecondary, paymentCodePrefix: "HQ",
                                         bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "0099009999999", holderName: "TRUONG KHAC")]),
                               on: connection)
        }
        try month.fixture.billing.transaction { connection in
            _ = try BankConnections.add(schoolID: other.id, provider: "collect-tuition", requiredParameters: [], label: "other",
                                        accounts: [(receiving: "SVC-TRUONG-2", bankAccountNumber: "0099009999999")],
                                        secret: CollectionFixture.secret, parameters: [:], on: connection)
        }
        let reply = try month.fixture.send("inquiry", ["customer_code": "HS001", "service_code": "SVC-TRUONG-2"])
        #expect(reply.outcome == .notFound)
    }

    @Test func theBankStyleLayoutUsesTokensChecksumsAndNumericCodes() throws {
        let month = try Month()
        let token = try month.fixture.vnbankToken()
        #expect(token.outcome == .ok)
        let accessToken = CollectionFixture.json(token)["access_token"] as! String
        #expect(try month.fixture.vnbankToken(password: "wrong-password-here").outcome == .forged)
        let bill = try month.fixture.sendVnbank(.inquiry, ["customerCode": "HS001"], token: accessToken)
        let billReply = CollectionFixture.json(bill)
        #expect(billReply["resCode"] as? String == "000" && billReply["totalAmount"] as? Int == 500_000)
        let billID = billReply["billId"] as! String
        #expect(CollectionFixture.json(try month.fixture.sendVnbank(.inquiry, ["customerCode": "HS404"], token: accessToken))["resCode"] as? String == "011")
        #expect(CollectionFixture.json(try month.fixture.sendVnbank(.inquiry, ["customerCode": "HS001"], token: "1.abc"))["resCode"] as? String == "001")
        #expect(CollectionFixture.json(try month.fixture.sendVnbank(.inquiry, ["customerCode": "HS001"], token: accessToken,
                                                                    checksumSecret: "not-the-secret"))["resCode"] as? String == "001")
        let paid = try month.fixture.sendVnbank(.payment, ["transId": "BIDV-1", "billId": billID, "amount": "500000",
                                                           "transTime": "20260915102107"], token: accessToken)
        #expect(CollectionFixture.json(paid)["resCode"] as? String == "000", "\(paid.reason ?? "")")
        #expect(try month.invoice(month.an).status == .paid)
        #expect(CollectionFixture.json(try month.fixture.sendVnbank(.inquiry, ["customerCode": "HS001"], token: accessToken))["resCode"] as? String == "012")
        month.fixture.clock.advance(seconds: 301)
        #expect(CollectionFixture.json(try month.fixture.sendVnbank(.inquiry, ["customerCode": "HS002"], token: accessToken))["resCode"] as? String == "001")
    }
}
