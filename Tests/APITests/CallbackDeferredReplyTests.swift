import BankFormats
import Crypto
import Foundation
import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// Callbacks over HTTP are deferred routes answered by the thread that commits their school's batch
/// (docs/callbacks.md §6, ninth round): under concurrent deliveries every sender gets exactly one
/// answer, only after its money is committed, and a retry is answered as a duplicate.
@Suite struct CallbackDeferredReplyTests {
    static let secret = "callback-reply-secret-2026"
    static let account = "1111222233"

    static func body(id: String) -> String {
        #"{"transaction_id":"\#(id)","account_number":"\#(account)","amount":150000,"direction":"in","#
            + #""booked_at":"2026-09-15T10:21:07+07:00","memo":"NO CODE HERE \#(id)","payer_name":"NGUYEN VAN BINH"}"#
    }

    static func deliver(_ id: String, server: APITestServer) throws -> TestHTTPClient.Response {
        let bytes = Array(body(id: id).utf8)
        let header = TuitionSignature.sign(secret: CallbackSecret(secret)!, timestamp: Int64(Date().timeIntervalSince1970), body: bytes)
        return try server.client.request("POST", "/v1/callbacks/tuition",
                                         headers: [("Content-Type", "application/json"), (TuitionSignature.header, header)], body: bytes)
    }

    static func recorded(_ id: String, server: APITestServer) throws -> Int64 {
        try server.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM bank_transactions WHERE provider_transaction_id = \(id)").singleRow()?
                .decode(column: 0, as: Int64.self) ?? -1
        }
    }

    @Test func concurrentCallbacksAreEachAnsweredOnceAfterTheirCommit() throws {
        let server = try APITestServer()
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: Repository.bankFormats + "/callbacks"))
        try server.pool.transaction(isolation: .readCommitted) { connection in
            _ = try BankConnections.add(schoolID: server.ownSchool.id, provider: catalog.description(for: "tuition")!, label: "bank",
                                        accounts: [(receiving: Self.account, bankAccountNumber: Self.account)], secret: Self.secret, parameters: [:],
                                        on: connection)
        }
        let ids = (1...24).map { "REPLY-\($0)" }
        let outcomes = Mutex<[String: (status: Int, recordedWhenAnswered: Int64)]>([:])
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            let id = ids[index]
            let response = try? Self.deliver(id, server: server)
            let recorded = (try? Self.recorded(id, server: server)) ?? -1
            outcomes.withLock { $0[id] = (response?.status ?? -1, recorded) }
        }
        let answered = outcomes.withLock { $0 }
        #expect(answered.count == ids.count)
        for id in ids {
            #expect(answered[id]?.status == 200, "\(id): \(String(describing: answered[id]))")
            #expect(answered[id]?.recordedWhenAnswered == 1, "\(id) was acknowledged before its commit")
        }
        let retry = try Self.deliver(ids[0], server: server)
        #expect(retry.status == 200, "a retry of a recorded callback is acknowledged as a duplicate")
        #expect(try Self.recorded(ids[0], server: server) == 1)
    }
}
