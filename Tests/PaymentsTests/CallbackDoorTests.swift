import BankFormats
import Billing
import Core
import Crypto
import Foundation
@testable import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// No callback input can wedge the ingest: every value is judged at the door against what the
/// database accepts, so a delivery is either recorded or refused as malformed — never
/// "unavailable" forever because a CHECK constraint refused it.
@Suite struct CallbackDoorTests {
    /// How the door handles one constraint of a table callbacks write.
    enum Rule {
        /// The value is cut or refused at this length (PostgreSQL characters), at most the constraint's.
        case length(Int)
        /// The amount is bounded by this many đồng, at most the constraint's.
        case amount(Int64)
        /// The constraint wants money in (> 0): the ingest records only incoming, positive amounts.
        case positive
        /// The date is refused outside these years; the constraint's range is exactly them.
        case years(ClosedRange<Int>)
        /// Written by the program, not carried by the callback (why).
        case notCarried(String)
    }

    /// Every CHECK constraint of the tables a callback writes, with the door's rule for it. A new
    /// constraint on these tables fails `everyConstraintHasADoorRule` until it gets a rule here
    /// (and, when a callback carries the value, a check in `CallbackDoor` or `DeliveryAudit`).
    static let rules: [String: Rule] = [
        "bank_transactions.bank_transactions_provider_transaction_id_check": .length(CallbackDoor.transactionIDCharactersMax),
        "bank_transactions.bank_transactions_amount_check": .amount(Money.absoluteDongMax),
        "bank_transactions.bank_transactions_memo_check": .length(CallbackDoor.memoCharactersMax),
        "bank_transactions.bank_transactions_payer_name_check": .length(CallbackDoor.payerNameCharactersMax),
        "bank_transactions.bank_transactions_payer_account_check": .length(CallbackDoor.payerAccountCharactersMax),
        "bank_transactions.bank_transactions_payer_bank_check": .length(CallbackDoor.payerBankCharactersMax),
        "bank_transactions.bank_transactions_virtual_account_check": .length(CallbackDoor.virtualAccountCharactersMax),
        "bank_transactions.bank_transactions_bank_reference_check": .notCarried("callbacks carry no bank reference"),
        "bank_transactions.bank_transactions_origin_check": .notCarried("'callback', set by IncomingBatch"),
        "bank_transactions.bank_transactions_direction_check": .notCarried("mapped by the normaliser to in or out"),
        "bank_transactions.bank_transactions_status_check": .notCarried("'provisional', set by IncomingBatch"),
        "bank_transactions.bank_transactions_disposition_check": .notCarried("set by suspense dispositions"),
        "bank_transactions.bank_transactions_check": .notCarried("origin and provider identity, set together"),
        "bank_transactions.bank_transactions_check1": .notCarried("status and confirmation time, set together"),
        "callback_deliveries.callback_deliveries_provider_check": .length(DeliveryAudit.providerCharactersMax),
        "callback_deliveries.callback_deliveries_request_id_check": .length(DeliveryAudit.requestIDCharactersMax),
        "callback_deliveries.callback_deliveries_method_check": .length(DeliveryAudit.methodCharactersMax),
        "callback_deliveries.callback_deliveries_query_check": .length(DeliveryAudit.queryCharactersMax),
        "callback_deliveries.callback_deliveries_body_check": .length(DeliveryAudit.bodyBytesMax),
        "callback_deliveries.callback_deliveries_body_bytes_check": .length(DeliveryAudit.bodyBytesMax),
        "callback_deliveries.callback_deliveries_body_sha256_check": .notCarried("a SHA-256, 32 bytes"),
        "callback_deliveries.callback_deliveries_reason_check": .length(DeliveryAudit.reasonCharactersMax),
        "callback_deliveries.callback_deliveries_verdict_check": .notCarried("one of the ingest's verdicts"),
        "journal_entries.journal_entries_effective_date_check": .years(CallbackDoor.bookedOnYears),
        "journal_entries.journal_entries_description_check":
            .length(BankTransactions.descriptionMemoCharactersMax + BankTransactions.descriptionOverheadCharactersMax),
        "journal_entries.journal_entries_idempotency_key_check": .notCarried("bank-transaction:<id>:booking"),
        "journal_entries.journal_entries_kind_check": .notCarried("payment_received"),
        "journal_entries.journal_entries_request_hash_check": .notCarried("a SHA-256 of the request"),
        "journal_entries.journal_entries_posting_count_check": .notCarried("two postings"),
        "journal_entries.journal_entries_check": .notCarried("not a reversal"),
        "postings.postings_amount_check": .amount(Money.absoluteDongMax),
        "postings.postings_line_check": .notCarried("lines 1 and 2"),
        // A callback applied at once writes a receipt and payment applications.
        "receipts.receipts_payer_name_check": .length(BillingLimits.nameCharactersMax),
        "receipts.receipts_amount_check": .positive,
        "receipts.receipts_amount_bounded": .amount(Money.absoluteDongMax),
        "receipts.receipts_bank_reference_check": .notCarried("callbacks carry no bank reference"),
        "receipts.receipts_payment_key_check": .notCarried("derived from the bank transaction's id"),
        "receipts.receipts_school_year_check": .notCarried("the invoice's school year"),
        "receipts.receipts_number_check": .notCarried("a gapless counter"),
        "receipts.receipts_method_check": .notCarried("'bank'"),
        "receipts.receipts_recorded_by_check": .notCarried("the automatic matcher's name"),
        "receipts.receipts_check": .notCarried("method and bank transaction, set together"),
        "payment_applications.payment_applications_amount_check": .positive,
        "payment_applications.payment_applications_amount_bounded": .amount(Money.absoluteDongMax),
        "payment_applications.payment_applications_explanation_check": .length(BillingLimits.explanationBytesMax),
        "payment_applications.payment_applications_rule_check": .notCarried("a matcher rule's name"),
        "payment_applications.payment_applications_payment_key_check": .notCarried("derived from the bank transaction's id"),
        "payment_applications.payment_applications_ordinal_check": .notCarried("1, 2, ... per payment"),
        "payment_applications.payment_applications_source_check": .notCarried("'bank_transaction'"),
        "payment_applications.payment_applications_check": .notCarried("source and bank transaction, set together"),
        "payment_applications.payment_applications_check1": .notCarried("source and receipt, set together"),
    ]

    static let tables = ["bank_transactions", "callback_deliveries", "journal_entries", "postings", "receipts", "payment_applications"]

    @Test func everyConstraintHasADoorRule() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        defer { connection.close() }
        let constraints = try Self.constraints(connection)
        #expect(constraints.count == Set(constraints.map(\.0)).count, "a constraint name read twice: \(constraints.map(\.0))")
        #expect(constraints.count >= Self.rules.count / 2)
        for (name, definition) in constraints {
            guard let rule = Self.rules[name] else {
                Issue.record("\(name) \(definition) has no door rule: check the value at the door (CallbackDoor), then list it here")
                continue
            }
            switch rule {
            case .length(let doorMax):
                let bound = try #require(Self.upperBound(definition), "\(name): no upper bound in \(definition)")
                #expect(Int64(doorMax) <= bound, "\(name): the door lets \(doorMax) through, the column holds \(bound)")
            case .amount(let doorMax):
                let bound = try #require(Self.upperBound(definition), "\(name): no upper bound in \(definition)")
                #expect(doorMax <= bound, "\(name)")
            case .positive:
                #expect(definition == "CHECK ((amount > 0))", "\(name): \(definition)")
            case .years(let years):
                #expect(Self.dates(definition) == ["\(years.lowerBound)-01-01", "\(years.upperBound)-12-31"], "\(name): \(definition)")
            case .notCarried:
                break
            }
        }
        for name in Self.rules.keys where !constraints.contains(where: { $0.0 == name }) {
            Issue.record("\(name) has a door rule but no longer exists: remove the rule")
        }
        // Declared lengths (varchar(n)) would bound values too: none may appear without a rule.
        let declared = try connection.query("""
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = ANY(\(PostgresTextArray(Self.tables))) AND character_maximum_length IS NOT NULL
            """).map { try $0.decode(String.self) }
        #expect(declared.isEmpty, "columns with a declared length: \(declared)")
    }

    /// Every CHECK rule on the columns of `tables`, as (table.constraint, definition): the tables' own
    /// CHECKs, and the constraints of the domains their columns are typed with (migration 0027), read
    /// as a CHECK on the column (`VALUE` becomes the column's name).
    static func constraints(_ connection: PostgresConnection, of tables: [String] = CallbackDoorTests.tables) throws -> [(String, String)] {
        try connection.query("""
            SELECT c.conrelid::regclass::text || '.' || c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
            WHERE c.contype = 'c' AND c.conrelid::regclass::text = ANY(\(PostgresTextArray(tables)))
            UNION ALL
            SELECT a.attrelid::regclass::text || '.' || c.conname, replace(pg_get_constraintdef(c.oid), 'VALUE', a.attname)
            FROM pg_attribute a JOIN pg_constraint c ON c.contypid = a.atttypid
            WHERE c.contype = 'c' AND a.attnum > 0 AND NOT a.attisdropped AND a.attrelid::regclass::text = ANY(\(PostgresTextArray(tables)))
            ORDER BY 1
            """).map { try $0.decode((String, String).self) }
    }

    /// A rule added to a domain of these columns is read like a new CHECK: without a door rule it
    /// fails `everyConstraintHasADoorRule`.
    @Test func aNewDomainRuleIsReadWithTheColumnsName() throws {
        let database = try TestDatabase.create()
        let owner = try database.connectAsOwner()
        defer { owner.close() }
        try owner.query("ALTER DOMAIN bank_transactions_memo ADD CONSTRAINT bank_transactions_memo_shorter CHECK (length(VALUE) <= 1500)")
        let read = try Self.constraints(owner)
        let added = try #require(read.first { $0.0 == "bank_transactions.bank_transactions_memo_shorter" })
        #expect(added.1 == "CHECK ((length(memo) <= 1500))")
        #expect(Self.rules[added.0] == nil)
        #expect(Self.upperBound(added.1) == 1500)
    }

    /// The largest integer a `<=` (or BETWEEN) in a constraint allows.
    static func upperBound(_ definition: String) -> Int64? {
        let pattern = /<= '?(\d+)/
        return definition.matches(of: pattern).compactMap { Int64($0.output.1) }.max()
    }

    static func dates(_ definition: String) -> [String] {
        definition.matches(of: /'(\d{4}-\d{2}-\d{2})'/).map { String($0.output.1) }
    }

    // MARK: - Poison input

    static func body(id: String, amount: Int64 = 500_000, bookedAt: String = "2026-09-15T10:21:07+07:00", memo: String = "HOC PHI",
                     extra: [String: String] = [:]) -> String {
        var fields: [String: Any] = ["transaction_id": id, "account_number": CallbackFixture.account, "amount": amount,
                                     "direction": "in", "booked_at": bookedAt, "memo": memo]
        for (key, value) in extra { fields[key] = value }
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func longAndControlFilledTextIsKeptAsTheStatementPathKeepsIt() throws {
        let fixture = try CallbackFixture()
        // JSON refuses NUL itself; other control characters reach the door. Combining accents: 2 code points per visible letter, so a cut counted in Swift characters would overflow.
        let accented = String(repeating: "e\u{0301}", count: 1_000)
        let body = Self.body(id: "POISON-1", memo: "HP \u{0001}\t" + accented, extra: [
            "payer_name": String(repeating: "Nguyễn\u{0001} ", count: 60), "payer_account": String(repeating: "1", count: 90),
            "payer_bank": String(repeating: "Ngân hàng ", count: 30), "virtual_account": "V2MSHS0001",
        ])
        let first = fixture.deliver(body)
        #expect(first.outcome == .accepted, "\(first.reason ?? "")")
        let id = try #require(first.bankTransactionID)
        let row = try fixture.pool.withConnection {
            try $0.query("""
                SELECT length(memo), length(payer_name), length(payer_account), length(payer_bank), position(chr(9) IN memo)
                FROM bank_transactions WHERE bank_transaction_id = \(id)
                """).singleRow()!.decode((Int64, Int64, Int64, Int64, Int64).self)
        }
        #expect(row.0 == Int64(CallbackDoor.memoCharactersMax) && row.1 == Int64(CallbackDoor.payerNameCharactersMax))
        #expect(row.2 == Int64(CallbackDoor.payerAccountCharactersMax) && row.3 == Int64(CallbackDoor.payerBankCharactersMax))
        #expect(row.4 == 0)
        // The sender's retry is a duplicate, not a second payment.
        #expect(fixture.deliver(body).outcome == .duplicate)
        #expect(try fixture.billing.verify().isClean)
    }

    /// A payer name the receipt cannot hold (its column takes 100 characters) on a payment that is
    /// applied at once: long, or in decomposed Unicode (NFD, 2–3 code points per letter).
    @Test(arguments: [String(repeating: "NGUYEN VAN BINH ", count: 9), String(repeating: "Nguye\u{0302}\u{0303}n ", count: 12)])
    func aPayerNameTheReceiptCannotHoldStillPays(payer: String) throws {
        let fixture = try CallbackFixture()
        try fixture.billing.addFee("HP", amount: 500_000)
        let student = try fixture.billing.addStudent("HS001", name: "Nguyễn Văn An", family: "NGUYEN-1")
        _ = try fixture.billing.issue()
        let invoice = try #require(try fixture.billing.invoices().first { $0.studentID == student.id })
        let body = Self.body(id: "LONG-PAYER", memo: "HP \(invoice.paymentCode)", extra: ["payer_name": payer])
        let result = fixture.deliver(body)
        #expect(result.outcome == .accepted, "\(result.reason ?? "")")
        #expect(try fixture.billing.invoice(invoice.id).status == .paid)
        #expect(try fixture.billing.verify().isClean)
    }

    @Test(arguments: [
        ("transaction id too long", Self.body(id: String(repeating: "T", count: CallbackDoor.transactionIDCharactersMax + 1))),
        ("transaction id with a control character", Self.body(id: "FT\u{0007}1")),
        ("transaction id with DEL", Self.body(id: "FT\u{007F}1")),
        ("transaction id with a C1 control character", Self.body(id: "FTĐ\u{0085}1")),
        ("virtual account too long", Self.body(id: "POISON-VA", extra: ["virtual_account": String(repeating: "V", count: 41)])),
        ("booked before 2000", Self.body(id: "POISON-OLD", bookedAt: "1999-12-31T10:00:00+07:00")),
        ("booked after 2999", Self.body(id: "POISON-FAR", bookedAt: "3000-01-02T10:00:00+07:00")),
    ])
    func valuesTheDatabaseCannotTakeAreRefusedAsMalformed(_ case: (String, String)) throws {
        let fixture = try CallbackFixture()
        for _ in 0..<2 {
            let result = fixture.deliver(`case`.1)
            #expect(result.outcome == .malformed, "\(`case`.0): \(result.outcome) \(result.reason ?? "")")
            #expect((400..<500).contains(result.reply.status), "\(`case`.0)")
        }
        #expect(try fixture.count("SELECT count(*) FROM bank_transactions") == 0)
        #expect(try fixture.deliveries(verdict: "malformed") == 2)
    }

    /// A query can carry what JSON cannot (`%00`): a VNPay IPN with a NUL in its merchant code is
    /// refused as malformed before the route lookup, with VNPay's own reply, not "unavailable".
    @Test func aNulInAQueryIsRefusedAtTheDoor() throws {
        let fixture = try CallbackFixture()
        let query = "vnp_Amount=1000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP1&vnp_OrderInfo=HP&vnp_PayDate=20260915091806"
            + "&vnp_ResponseCode=00&vnp_TmnCode=TEST%00TMN&vnp_TransactionNo=14422574&vnp_TransactionStatus=00&vnp_TxnRef=1716"
            + "&vnp_SecureHashType=HmacSHA512&vnp_SecureHash=00"
        let request = try CallbackRequest(method: "GET", rawQuery: query)
        for _ in 0..<2 {
            let result = fixture.ingest.handle(CallbackDelivery(provider: "vnpay", request: request, requestID: "nul-test"))
            #expect(result.outcome == .malformed, "\(result.outcome) \(result.reason ?? "")")
        }
        #expect(try fixture.deliveries(verdict: "malformed") == 2)
    }

    // MARK: - Refused deliveries

    @Test func aRefusedDeliveryKeepsADigestAndAShortPrefix() throws {
        let fixture = try CallbackFixture()
        let body = Self.body(id: "BAD-SIG", memo: String(repeating: "X", count: 3_000))
        let result = fixture.deliver(body, secret: "not-the-connection-secret")
        #expect(result.outcome == .refusedSignature)
        let row = try fixture.pool.withConnection {
            try $0.query("SELECT length(body), body_bytes, body_sha256 FROM callback_deliveries WHERE verdict = 'refused_signature'").singleRow()
        }
        let (kept, size, digest) = try #require(row).decode((Int64, Int64, [UInt8]).self)
        #expect(kept == Int64(DeliveryAudit.refusedBodyPrefixBytes))
        #expect(size == Int64(body.utf8.count))
        #expect(digest == SHA256Digest.hash(Array(body.utf8)))
        // An accepted delivery keeps its whole body.
        let good = Self.body(id: "GOOD-SIG", memo: String(repeating: "Y", count: 1_000))
        #expect(fixture.deliver(good).outcome == .accepted)
        #expect(try fixture.count("SELECT length(body) FROM callback_deliveries WHERE verdict = 'accepted'") == Int64(good.utf8.count))
    }

    @Test func refusalsAreLimitedPerSourceAddress() throws {
        let fixture = try CallbackFixture()
        let clock = FakeMilliseconds()
        let limiter = FailureWindows(failuresMax: 2, windowMilliseconds: 60_000, now: { clock.now })
        let fixedNow = fixture.now
        let ingest = CallbackIngest(pool: fixture.pool, catalog: fixture.catalog, clock: { fixedNow }, refusals: limiter)
        func deliver(_ body: String, secret: String = CallbackFixture.secret, from address: String) -> CallbackIngest.Result {
            let bytes = Array(body.utf8)
            let header = TuitionSignature.sign(secret: CallbackSecret(secret)!, timestamp: Int64(fixedNow.timeIntervalSince1970), body: bytes)
            let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: "Content-Type", value: "application/json"),
                                                                     CallbackHeader(name: TuitionSignature.header, value: header)], body: bytes)
            return ingest.handle(CallbackDelivery(provider: "tuition", request: request, requestID: "limit-test", sourceAddress: address))
        }
        let forged = Self.body(id: "FORGED")
        #expect(deliver(forged, secret: "guessed-secret-1", from: "203.0.113.9").outcome == .refusedSignature)
        #expect(deliver(forged, secret: "guessed-secret-2", from: "203.0.113.9").outcome == .refusedSignature)
        // Past the limit: turned away before any work, with the provider's "try later" reply and no audit row.
        let turnedAway = deliver(Self.body(id: "GENUINE-1"), from: "203.0.113.9")
        #expect(turnedAway.outcome == .unavailable && turnedAway.reply.status == 503)
        #expect(try fixture.count("SELECT count(*) FROM callback_deliveries") == 2)
        // Another address is not affected.
        #expect(deliver(Self.body(id: "GENUINE-2"), from: "198.51.100.7").outcome == .accepted)
        // Once the window has passed, the sender's retry goes through.
        clock.advance(61_000)
        #expect(deliver(Self.body(id: "GENUINE-1"), from: "203.0.113.9").outcome == .accepted)
    }

    @Test func theLimiterForgetsOldWindowsAndBoundsItsTable() {
        let clock = FakeMilliseconds()
        let limiter = FailureWindows(failuresMax: 3, windowMilliseconds: 10_000, keysMax: 2, now: { clock.now })
        for _ in 0..<3 { limiter.recordFailure("a") }
        #expect(limiter.isBlocked("a") && !limiter.isBlocked("b"))
        clock.advance(5_000)
        limiter.recordFailure("b")
        limiter.recordFailure("c")
        #expect(limiter.trackedKeys == 2)
        // The oldest window ("a") made room; a new window for "a" starts from zero.
        #expect(!limiter.isBlocked("a"))
        clock.advance(11_000)
        #expect(!limiter.isBlocked("b") && !limiter.isBlocked("c"))
    }

    // MARK: - Pruning

    @Test func pruningDeletesOnlyOldDeliveriesThatRecordedNoMoney() throws {
        let fixture = try CallbackFixture()
        #expect(fixture.deliver(Self.body(id: "KEPT")).outcome == .accepted)
        #expect(fixture.deliver(Self.body(id: "KEPT")).outcome == .duplicate)
        #expect(fixture.deliver("{not json").outcome == .malformed)
        #expect(fixture.deliver(Self.body(id: "FORGED"), secret: "guessed-secret").outcome == .refusedSignature)
        let today = VietnamTime.today
        #expect(throws: CallbackAuditPruning.RetentionError.self) {
            try CallbackAuditPruning.prune(before: today, today: today, pool: fixture.pool)
        }
        // Rows from today are younger than any allowed cutoff; pretend today is far ahead.
        let later = today.adding(days: CallbackAuditPruning.retentionDaysMin + 2)
        #expect(try CallbackAuditPruning.prune(before: today.adding(days: 1), today: later, pool: fixture.pool) == 2)
        #expect(try fixture.count("SELECT count(*) FROM callback_deliveries") == 2)
        #expect(try fixture.deliveries(verdict: "accepted") == 1 && fixture.deliveries(verdict: "duplicate") == 1)
        // The table itself refuses to lose the evidence of money, whoever asks.
        #expect(throws: (any Error).self) {
            try fixture.pool.withConnection { try $0.query("DELETE FROM callback_deliveries WHERE verdict = 'accepted'") }
        }
        #expect(throws: (any Error).self) {
            try fixture.pool.withConnection { try $0.query("UPDATE callback_deliveries SET reason = 'x'") }
        }
    }
}

/// A clock the test moves by hand.
final class FakeMilliseconds: Sendable {
    private let value = Mutex<Int64>(1_000_000)
    var now: Int64 { value.withLock { $0 } }
    func advance(_ milliseconds: Int64) { value.withLock { $0 += milliseconds } }
}
