import BankFormats
import Core
import Foundation
import Ledger
import Payments
import Postgres
import Testing
import TestSupport

@Suite struct CallbackOutageTests {
    @Test func aStoppedDatabaseAnswers503AndTheRetryPostsOnce() throws {
        let isolated = try IsolatedCluster.start()
        defer { isolated.destroy() }
        let pool = PostgresPool(configuration: isolated.configuration, size: 2, checkoutTimeoutSeconds: 2)
        defer { pool.close() }
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: Repository.bankFormats + "/callbacks"))
        let school = try pool.transaction(isolation: .readCommitted) { connection -> School in
            let school = try Schools.create(NewSchool(code: "TH-OUTAGE", name: "Trường Mất Điện", district: "Quận 5", level: .primary,
                                                      paymentCodePrefix: "HP",
                                                      bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "0011001234567", holderName: "X")]),
                                            on: connection)
            _ = try BankConnections.add(schoolID: school.id, provider: catalog.description(for: "tuition")!, label: "bank",
                                        accounts: [(receiving: "0011001234567", bankAccountNumber: "0011001234567")],
                                        secret: "outage-test-secret", parameters: [:], on: connection)
            return school
        }
        let now = Date()
        let ingest = CallbackIngest(pool: pool, catalog: catalog, clock: { now })
        func deliver(_ id: String) -> CallbackIngest.Result {
            let body = Array(#"{"transaction_id":"\#(id)","account_number":"0011001234567","amount":250000,"direction":"in","booked_at":"2026-09-15T10:00:00+07:00","memo":"hoc phi"}"#.utf8)
            let signature = TuitionSignature.sign(secret: CallbackSecret("outage-test-secret")!, timestamp: Int64(now.timeIntervalSince1970), body: body)
            let request = CallbackRequest(method: "POST", headers: [CallbackHeader(name: TuitionSignature.header, value: signature)], body: body)
            return ingest.handle(CallbackDelivery(provider: "tuition", request: request, requestID: id))
        }
        #expect(deliver("BEFORE").outcome == .accepted)
        try isolated.cluster.stop()
        let down = deliver("DURING")
        #expect(down.outcome == .unavailable)
        #expect(down.reply.status == 503)
        try isolated.cluster.start()
        let retried = deliver("DURING")
        #expect(retried.outcome == .accepted, "\(retried.reason ?? "")")
        #expect(deliver("DURING").outcome == .duplicate)
        let counts = try pool.withConnection {
            try $0.query("SELECT count(*), count(DISTINCT provider_transaction_id) FROM bank_transactions WHERE school_id = \(school.id)")
                .singleRow()!.decode((Int64, Int64).self)
        }
        #expect(counts == (2, 2))
        let report = try pool.withConnection { try LedgerVerifier.verify(on: $0) }
        #expect(report.isClean)
    }
}
