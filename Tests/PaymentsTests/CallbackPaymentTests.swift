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

/// Callbacks paying invoices in real time through the `tuition` scheme.
@Suite struct CallbackPaymentTests {
    struct Month {
        let fixture: CallbackFixture
        let an: Student, binh: Student, chi: Student, dung: Student
        let invoices: [Int64: Invoice]

        init() throws {
            fixture = try CallbackFixture()
            let billing = fixture.billing
            try billing.addFee("HP", amount: 500_000)
            an = try billing.addStudent("HS001", name: "Nguyễn Văn An", family: "NGUYEN-1")
            binh = try billing.addStudent("HS002", name: "Nguyễn Thị Bình", grade: 8, className: "8A2", family: "NGUYEN-1")
            chi = try billing.addStudent("HS003", name: "Trần Minh Chí", virtualAccount: "V2MSHS003")
            dung = try billing.addStudent("HS004", name: "Lê Hoàng Dũng", guardian: "Lê Văn Hùng")
            _ = try billing.issue()
            invoices = Dictionary(uniqueKeysWithValues: try billing.invoices().map { ($0.studentID, $0) })
        }

        func invoice(_ student: Student) throws -> Invoice { try fixture.billing.invoice(invoices[student.id]!.id) }
    }

    @Test func exactPaymentByInvoiceCodeInABankWrappedMemo() throws {
        let month = try Month()
        let code = month.invoices[month.an.id]!.paymentCode
        let result = month.fixture.deliver(CallbackFixture.body(
            id: "FT001", amount: 500_000, memo: "MBVCB.3278907687.123456.\(code) NGUYEN VAN AN.CT tu 0011001234567 NGUYEN VAN BINH toi"))
        #expect(result.outcome == .accepted, "\(result.reason ?? "")")
        #expect(try month.invoice(month.an).status == .paid)
        // Paid whole by one application: one entry Dr bank / Cr receivable, the money never in suspense.
        #expect(try month.fixture.suspenseBalance(of: result.bankTransactionID!) == nil)
        #expect(try month.fixture.billing.verify().isClean)
    }

    /// The accountant's correction of a callback paid whole (one entry, Dr bank / Cr receivable): unapplied,
    /// the money waits in the transaction's suspense; applied to another pupil from there; the bank's money
    /// counted once throughout.
    @Test func aCallbackPaidWholeIsUnappliedToSuspenseAndAppliedElsewhere() throws {
        let month = try Month()
        let code = month.invoices[month.an.id]!.paymentCode
        let result = month.fixture.deliver(CallbackFixture.body(id: "FT-MOVE", amount: 500_000, memo: "HOC PHI \(code)"))
        #expect(result.outcome == .accepted, "\(result.reason ?? "")")
        let transaction = result.bankTransactionID!
        let school = month.fixture.school.id
        let applied = try month.fixture.pool.withConnection { try Applications.list(schoolID: school, bankTransactionID: transaction, on: $0) }
        #expect(applied.count == 1)
        _ = try month.fixture.billing.transaction { connection in
            try Suspense.unapply(schoolID: school, transactionID: transaction, applicationID: applied[0].applicationID,
                                 reason: "Phụ huynh báo nhầm học sinh", on: connection)
        }
        #expect(try month.invoice(month.an).outstanding == Money(dong: 500_000))
        #expect(try month.fixture.suspenseBalance(of: transaction) == Money(dong: -500_000))
        let binhInvoice = month.invoices[month.binh.id]!
        _ = try month.fixture.billing.transaction { connection in
            try Suspense.apply(schoolID: school, transactionID: transaction,
                               SuspenseApplicationRequest(allocations: [PaymentAllocation(invoiceID: binhInvoice.id, amount: Money(dong: 500_000))],
                                                          explanation: "Của Bình"),
                               recordedBy: "kế toán", on: connection)
        }
        #expect(try month.invoice(month.binh).status == .paid)
        #expect(try month.invoice(month.an).status == .open)
        #expect(try month.fixture.suspenseBalance(of: transaction) == .zero)
        let bank = try month.fixture.billing.account(.bank)
        #expect(try month.fixture.billing.transaction { connection in
            try connection.query("SELECT coalesce(sum(amount), 0)::int8 FROM postings WHERE school_id = \(school) AND account_id = \(bank)")
                .singleRow()!.decode(column: 0, as: Int64.self)
        } == 500_000)
        let verification = try month.fixture.billing.verify()
        #expect(verification.isClean, "\(verification)")
    }

    @Test func partialOverAndCreditFollowTheMoney() throws {
        let month = try Month()
        let binhCode = month.binh.paymentCode
        let partial = month.fixture.deliver(CallbackFixture.body(id: "FT010", amount: 200_000, memo: "HOC PHI \(binhCode) THANG 9"))
        #expect(partial.outcome == .accepted)
        let binh = try month.invoice(month.binh)
        #expect(binh.status == .partlyPaid && binh.outstanding == Money(dong: 300_000))
        let dungCode = month.invoices[month.dung.id]!.paymentCode
        let over = month.fixture.deliver(CallbackFixture.body(id: "FT011", amount: 700_000, memo: "\(dungCode) LE HOANG DUNG"))
        #expect(over.outcome == .accepted)
        #expect(try month.invoice(month.dung).status == .paid)
        #expect(try month.fixture.billing.credit(of: month.dung) == Money(dong: 200_000))
        #expect(try month.fixture.billing.verify().isClean)
    }

    @Test func oneTransferForTwoSiblings() throws {
        let month = try Month()
        let memo = "NOP HOC PHI \(month.an.paymentCode) \(month.binh.paymentCode) NGUYEN VAN BINH"
        let result = month.fixture.deliver(CallbackFixture.body(id: "FT020", amount: 1_000_000, memo: memo))
        #expect(result.outcome == .accepted)
        #expect(try month.invoice(month.an).status == .paid)
        #expect(try month.invoice(month.binh).status == .paid)
        let receipts = try month.fixture.count("SELECT count(*) FROM receipts WHERE method = 'bank'")
        #expect(receipts == 2) // one receipt per student paid
    }

    @Test func virtualAccountPaysWithoutAnyMemo() throws {
        let month = try Month()
        let result = month.fixture.deliver(CallbackFixture.body(id: "FT030", amount: 500_000, memo: "chuyen tien", virtualAccount: "V2MSHS003"))
        #expect(result.outcome == .accepted)
        #expect(try month.invoice(month.chi).status == .paid)
    }

    @Test(arguments: ["lower", "split", "truncated", "diacritics"])
    func messyMemosStillFindTheCode(style: String) throws {
        let month = try Month()
        let code = month.invoices[month.dung.id]!.paymentCode
        let memo: String
        switch style {
        case "lower": memo = "hoc phi " + code.lowercased() + " le hoang dung"
        case "split": memo = "HP " + String(code.prefix(4)) + "." + String(code.dropFirst(4)) + " THANG 9"
        case "truncated": memo = "IBFT " + code
        default: memo = "Học phí tháng 9 " + code + " Lê Hoàng Dũng"
        }
        let result = month.fixture.deliver(CallbackFixture.body(id: "FT-\(style)", amount: 500_000, memo: memo))
        #expect(result.outcome == .accepted)
        #expect(try month.invoice(month.dung).status == .paid, "memo \(memo): \(result.reason ?? "")")
    }

    @Test func aCodeWithAWrongCheckCharacterStaysInSuspense() throws {
        let month = try Month()
        var damaged = Array(month.invoices[month.dung.id]!.paymentCode.utf8)
        damaged[3] = damaged[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let memo = "HOC PHI " + String(decoding: damaged, as: UTF8.self)
        let result = month.fixture.deliver(CallbackFixture.body(id: "FT040", amount: 500_000, memo: memo))
        #expect(result.outcome == .accepted)
        #expect(try month.invoice(month.dung).status == .open)
        #expect(try month.fixture.suspenseBalance(of: result.bankTransactionID!) == Money(dong: -500_000))
        let decision = try month.fixture.pool.withConnection {
            try DecisionStore.load(schoolID: month.fixture.school.id, bankTransactionID: result.bankTransactionID!, on: $0)
        }
        #expect(decision?.isAutomatic == false)
    }

    @Test func outgoingAndZeroAmountsAreRecordedNeverPosted() throws {
        let month = try Month()
        let out = month.fixture.deliver(CallbackFixture.body(id: "FT050", amount: 300_000, memo: "chi", direction: "out"))
        #expect(out.outcome == .accepted && out.bankTransactionID == nil)
        let zero = month.fixture.deliver(CallbackFixture.body(id: "FT051", amount: 0, memo: "zero"))
        #expect(zero.outcome == .accepted && zero.bankTransactionID == nil)
        #expect(try month.fixture.count("SELECT count(*) FROM bank_transactions") == 0)
        #expect(try month.fixture.deliveries(verdict: "not_incoming") == 2)
        let unknown = month.fixture.deliver(CallbackFixture.body(id: "FT052", amount: 100, memo: "x", account: "9999999999"))
        #expect(unknown.outcome == .unknownAccount)
        #expect(try month.fixture.deliveries(verdict: "unknown_account") == 1)
    }
}

/// Signatures, replays, malformed input and concurrency, on the `tuition` scheme.
@Suite struct CallbackSafetyTests {
    @Test func signaturesAreCheckedAndTimestampsBounded() throws {
        let fixture = try CallbackFixture()
        let body = CallbackFixture.body(id: "S1", amount: 1_000, memo: "x")
        #expect(fixture.deliver(body, secret: "another-secret-entirely").outcome == .refusedSignature)
        #expect(fixture.deliver(body, signature: "t=1,v1=00").outcome == .refusedSignature)
        #expect(fixture.deliver(body, signedAt: fixture.now.addingTimeInterval(-301)).outcome == .refusedSignature)
        #expect(fixture.deliver(body, signedAt: fixture.now.addingTimeInterval(301)).outcome == .refusedSignature)
        let missing = fixture.ingest.handle(CallbackDelivery(provider: "tuition", request: CallbackRequest(method: "POST", body: Array(body.utf8)),
                                                             requestID: "r"))
        #expect(missing.outcome == .refusedSignature)
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 0)
        #expect(try fixture.deliveries(verdict: "refused_signature") == 5)
        #expect(fixture.deliver(body, signedAt: fixture.now.addingTimeInterval(-299)).outcome == .accepted)
    }

    @Test func rotationAcceptsBothSecretsUntilTheOldIsRetired() throws {
        let fixture = try CallbackFixture()
        let id = try fixture.pool.withConnection { try BankConnections.list(schoolID: fixture.school.id, on: $0)[0].id }
        try fixture.billing.transaction {
            try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "the-new-secret-value", retireOld: false, on: $0)
        }
        #expect(fixture.deliver(CallbackFixture.body(id: "R1", amount: 10, memo: "a"), secret: CallbackFixture.secret).outcome == .accepted)
        #expect(fixture.deliver(CallbackFixture.body(id: "R2", amount: 10, memo: "b"), secret: "the-new-secret-value").outcome == .accepted)
        try fixture.billing.transaction {
            try BankConnections.rotate(schoolID: fixture.school.id, connectionID: id, secret: "the-newest-secret", retireOld: true, on: $0)
        }
        #expect(fixture.deliver(CallbackFixture.body(id: "R3", amount: 10, memo: "c"), secret: "the-new-secret-value").outcome == .refusedSignature)
        #expect(fixture.deliver(CallbackFixture.body(id: "R4", amount: 10, memo: "d"), secret: "the-newest-secret").outcome == .accepted)
        // Secrets never come back out of a listing.
        let listed = try fixture.pool.withConnection { try BankConnections.list(schoolID: fixture.school.id, on: $0) }
        #expect(!"\(listed)".contains("secret-value") && !"\(listed)".contains(CallbackFixture.secret))
    }

    @Test func aReplayIsADuplicateWithTheSuccessReply() throws {
        let fixture = try CallbackFixture()
        let body = CallbackFixture.body(id: "D1", amount: 123_000, memo: "khong ma")
        let first = fixture.deliver(body)
        let again = fixture.deliver(body)
        #expect(first.outcome == .accepted && again.outcome == .duplicate)
        #expect(first.reply.status == 200 && again.reply.status == 200)
        #expect(again.bankTransactionID == first.bankTransactionID)
        #expect(try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'") == 1)
    }

    @Test func twentyConcurrentDeliveriesPostOnce() throws {
        let fixture = try CallbackFixture(poolSize: 20)
        try fixture.billing.addFee("HP", amount: 500_000)
        let student = try fixture.billing.addStudent("HS100")
        _ = try fixture.billing.issue()
        let body = CallbackFixture.body(id: "CONC-1", amount: 500_000, memo: "HOC PHI \(student.paymentCode)")
        let outcomes = Mutex<[CallbackOutcome]>([])
        BlockingThreads.run(count: 20) { _ in
            let result = fixture.deliver(body)
            outcomes.withLock { $0.append(result.outcome) }
        }
        let all = outcomes.withLock { $0 }
        #expect(all.count == 20)
        #expect(all.filter { $0 == .accepted }.count == 1)
        #expect(all.allSatisfy { $0 == .accepted || $0 == .duplicate })
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 1)
        #expect(try fixture.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM payment_applications") == 1)
        #expect(try fixture.count("SELECT count(*) FROM callback_deliveries") == 20)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test func malformedInputIsRefusedAndAudited() throws {
        let fixture = try CallbackFixture()
        for body in ["{not json", #"{"transaction_id":"M1"}"#, #"{"transaction_id":"M2","account_number":"0011001234567","amount":"12","direction":"in","booked_at":"2026-09-15T10:21:07+07:00","memo":"x"}"#] {
            let result = fixture.deliver(body)
            #expect(result.outcome == .malformed || result.outcome == .invalidAmount, "\(body): \(result.outcome)")
            #expect(result.reply.status == 400 || result.reply.status == 422)
        }
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 0)
        #expect(try fixture.count("SELECT count(*) FROM callback_deliveries WHERE verdict IN ('malformed', 'invalid_amount')") == 3)
    }
}

/// Every provider's sample, delivered through the ingest with its own connection.
@Suite struct ProviderCallbackTests {
    @Test(arguments: ["tuition", "sepay", "sepay-hmac", "casso", "payos", "vnpay", "momo"])
    func everyProviderVerifiesRecordsOnceAndRefusesForgeries(provider: String) throws {
        let base = try CallbackFixture()
        let description = base.catalog.description(for: provider)!
        let sample = description.sample
        let schoolID = base.school.id
        try base.billing.transaction { connection in
            try connection.query("""
                INSERT INTO bank_accounts (school_id, bank_bin, account_number, holder_name, account_id)
                SELECT \(schoolID), '970436', '7000000001', 'SAMPLE', \(try Schools.addAccount(schoolID: schoolID, code: "1121-S",
                    name: "Sample bank", type: .asset, purpose: .bank, on: connection))
                """)
            _ = try BankConnections.add(schoolID: schoolID, provider: description, label: provider,
                                        accounts: [(receiving: sample.expected.receivingAccount, bankAccountNumber: "7000000001")],
                                        secret: String(decoding: sampleSecretBytes(provider), as: UTF8.self), parameters: sample.parameters,
                                        on: connection)
        }
        let ingest = CallbackIngest(pool: base.pool, catalog: base.catalog, clock: { sample.now })
        func deliver(_ request: CallbackRequest) -> CallbackIngest.Result {
            ingest.handle(CallbackDelivery(provider: provider, request: request, requestID: "p"))
        }
        let accepted = deliver(sample.request)
        #expect(accepted.outcome == .accepted, "\(accepted.reason ?? "")")
        let booksMoney = sample.expected.succeeded && sample.expected.direction == .incoming && sample.expected.amount > 0
        #expect((accepted.bankTransactionID != nil) == booksMoney)
        #expect(accepted.reply == description.replies.reply(for: .accepted))
        let replay = deliver(sample.request)
        #expect(replay.outcome == .duplicate)
        #expect(replay.reply == description.replies.reply(for: .duplicate))
        // Tampered content and missing signatures are refused, with the provider's reply.
        var tampered = sample.request
        if case .apiKey = description.signature {
            // An API key authenticates the sender, not the content: forge the key instead.
            tampered.headers = tampered.headers.map { $0.name.lowercased() == "authorization" ? CallbackHeader(name: $0.name, value: $0.value + "x") : $0 }
        } else if tampered.body.isEmpty {
            tampered.query = tampered.query.map { $0.name == "vnp_Amount" ? QueryParameter(name: $0.name, value: "2000000") : $0 }
        } else {
            tampered.body = Array(String(decoding: tampered.body, as: UTF8.self).replacingOccurrences(of: "0000", with: "0001").utf8)
        }
        #expect(tampered.body != sample.request.body || tampered.query != sample.request.query || tampered.headers != sample.request.headers)
        #expect(deliver(tampered).outcome == .refusedSignature)
        var unsigned = sample.request
        unsigned.headers = unsigned.headers.filter { !["authorization", "x-casso-signature", "tuition-signature", "x-sepay-signature"].contains($0.name.lowercased()) }
        unsigned.query = unsigned.query.filter { $0.name != "vnp_SecureHash" }
        if provider == "payos" || provider == "momo" {
            unsigned.body = Array(String(decoding: unsigned.body, as: UTF8.self).replacingOccurrences(of: "\"signature\"", with: "\"signatur\"").utf8)
        }
        #expect(deliver(unsigned).outcome != .accepted)
        #expect(try base.count("SELECT count(*) FROM bank_transactions") == (booksMoney ? 1 : 0))
        #expect(try base.count("SELECT count(*) FROM journal_entries WHERE kind = 'payment_received'") == (booksMoney ? 1 : 0))
        #expect(try base.count("SELECT count(*) FROM callback_deliveries WHERE verdict = 'refused_signature'") >= 1)
    }

    func sampleSecretBytes(_ provider: String) -> [UInt8] {
        let path = Repository.bankFormats + "/callbacks/\(provider).json"
        let object = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))) as? [String: Any]
        return Array(((object?["sample"] as? [String: Any])?["secret"] as? String ?? "").utf8)
    }
}
