import BankFormats
import Billing
import Core
import Foundation
import Ledger
import Payments
import Postgres
import SchoolFixtures
import Synchronization
import TestSupport

/// A school with students and September invoices, a `tuition` connection on its bank account,
/// and a way to deliver signed callbacks to the ingest at a chosen time.
struct CallbackFixture: Sendable {
    let billing: BillingFixture
    let catalog: CallbackCatalog
    var ingest: CallbackIngest
    let now: Date
    static let secret = "tuition-connection-secret-2026"
    static let account = "0011001234567"

    var pool: PostgresPool { billing.pool }
    var school: School { billing.school }

    init(now: Date = Date(timeIntervalSince1970: 1_789_456_000), poolSize: Int = 4) throws {
        billing = try BillingFixture(poolSize: poolSize)
        catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: Repository.bankFormats + "/callbacks"))
        self.now = now
        let fixedNow = now
        ingest = CallbackIngest(pool: billing.pool, catalog: catalog, clock: { fixedNow })
        let description = catalog.description(for: "tuition")!
        let schoolID = billing.school.id
        try billing.transaction { connection in
            _ = try BankConnections.add(schoolID: schoolID, provider: description, label: "test bank",
                                        accounts: [(receiving: CallbackFixture.account, bankAccountNumber: CallbackFixture.account)],
                                        secret: CallbackFixture.secret, parameters: [:], on: connection)
        }
    }

    /// A `tuition`-scheme body.
    static func body(id: String, amount: Int64, memo: String, virtualAccount: String? = nil, payer: String? = "NGUYEN VAN BINH",
                     direction: String = "in", account: String = CallbackFixture.account, bookedAt: String = "2026-09-15T10:21:07+07:00") -> String {
        var fields = [
            #""transaction_id":"\#(id)""#, #""account_number":"\#(account)""#, #""amount":\#(amount)"#,
            #""direction":"\#(direction)""#, #""booked_at":"\#(bookedAt)""#, #""memo":"\#(memo)""#,
        ]
        if let virtualAccount { fields.append(#""virtual_account":"\#(virtualAccount)""#) }
        if let payer { fields.append(#""payer_name":"\#(payer)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Delivers a body signed with the connection's secret (or `secret`) at `signedAt` (default: now).
    func deliver(_ body: String, secret: String = CallbackFixture.secret, signedAt: Date? = nil, signature: String? = nil) -> CallbackIngest.Result {
        let bytes = Array(body.utf8)
        let timestamp = Int64((signedAt ?? now).timeIntervalSince1970)
        let header = signature ?? TuitionSignature.sign(secret: CallbackSecret(secret)!, timestamp: timestamp, body: bytes)
        let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: "Content-Type", value: "application/json"),
                                                                 CallbackHeader(name: TuitionSignature.header, value: header)], body: bytes)
        return ingest.handle(CallbackDelivery(provider: "tuition", request: request, requestID: "test-\(UInt32.random(in: 0...UInt32.max))"))
    }

    func count(_ sql: String) throws -> Int64 {
        try pool.withConnection { try $0.query(PostgresQuery(unsafeSQL: sql)).singleRow()!.decode(column: 0, as: Int64.self) }
    }

    func deliveries(verdict: String) throws -> Int64 {
        try count("SELECT count(*) FROM callback_deliveries WHERE verdict = '\(verdict)'")
    }

    func suspenseBalance(of transaction: Int64) throws -> Money? {
        try pool.withConnection { connection in
            let suspense = try LedgerQueries.account(schoolID: school.id, purpose: .suspense, on: connection)!.accountID
            return try LedgerQueries.balance(schoolID: school.id, accountID: suspense, dimension: .bankTransaction, id: transaction, on: connection)
        }
    }
}
