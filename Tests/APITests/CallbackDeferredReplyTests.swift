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

    /// Waits up to 5 s for `condition`.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    static func connect(_ server: APITestServer) throws {
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: Repository.bankFormats + "/callbacks"))
        try server.pool.transaction(isolation: .readCommitted) { connection in
            _ = try BankConnections.add(schoolID: server.ownSchool.id, provider: catalog.description(for: "tuition")!, label: "bank",
                                        accounts: [(receiving: Self.account, bankAccountNumber: Self.account)], secret: Self.secret, parameters: [:],
                                        on: connection)
        }
    }

    /// Delivers every id at once, each from a thread of its own; per id, the status and whether its money was
    /// stored when the answer came.
    static func deliverConcurrently(_ ids: [String], server: APITestServer) -> [String: (status: Int, recordedWhenAnswered: Int64)] {
        let outcomes = Mutex<[String: (status: Int, recordedWhenAnswered: Int64)]>([:])
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            let id = ids[index]
            let response = try? Self.deliver(id, server: server)
            let recorded = (try? Self.recorded(id, server: server)) ?? -1
            outcomes.withLock { $0[id] = (response?.status ?? -1, recorded) }
        }
        return outcomes.withLock { $0 }
    }

    /// With routes cached (as `tuition serve` runs), a callback's door runs on the event loop: no worker is
    /// woken for it, only the lane's leaders run on workers, and each sender is answered once after its
    /// commit. What may block still goes to a worker: the first delivery (its route not yet cached), and a
    /// bad signature (the route read again from the database, the refusal's audit row written).
    @Test func withRoutesCachedTheDoorRunsOnTheLoopAndWhatMayBlockOnAWorker() throws {
        let server = try APITestServer(cacheRoutes: true)
        guard let changes = server.changes else { return }
        #expect(Self.eventually { changes.listeningGeneration != nil }, "the listener connected")
        let before = changes.generation
        try Self.connect(server)
        #expect(Self.eventually { changes.generation != before }, "the new connection was notified")
        let metrics = server.server.metrics
        #expect(try Self.deliver("LOOP-0", server: server).status == 200)
        #expect(metrics.loopFirstRequests == (onLoop: 0, handedOn: 1), "the first route is read on a worker")
        let ids = (1...24).map { "LOOP-\($0)" }
        let answered = Self.deliverConcurrently(ids, server: server)
        for id in ids {
            #expect(answered[id]?.status == 200, "\(id): \(String(describing: answered[id]))")
            #expect(answered[id]?.recordedWhenAnswered == 1, "\(id) was acknowledged before its commit")
        }
        #expect(metrics.loopFirstRequests == (onLoop: 24, handedOn: 1), "every door with a cached route ran on the loop")
        #expect(try Self.deliver("LOOP-1", server: server).status == 200, "a retry is acknowledged as a duplicate")
        #expect(try Self.recorded("LOOP-1", server: server) == 1)
        let bytes = Array(Self.body(id: "FORGED-1").utf8)
        let forged = TuitionSignature.sign(secret: CallbackSecret("not-the-secret-at-all")!, timestamp: Int64(Date().timeIntervalSince1970), body: bytes)
        let refused = try server.client.request("POST", "/v1/callbacks/tuition",
                                                headers: [("Content-Type", "application/json"), (TuitionSignature.header, forged)], body: bytes)
        #expect(refused.status == 401, "\(refused.status)")
        #expect(metrics.loopFirstRequests == (onLoop: 25, handedOn: 2), "the refusal went to a worker")
        let audited = try server.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM callback_deliveries WHERE verdict = 'refused_signature' AND provider_transaction_id = 'FORGED-1'")
                .singleRow()?.decode(column: 0, as: Int64.self)
        }
        #expect(audited == 1, "the refusal is audited")
        #expect(try Self.recorded("FORGED-1", server: server) == 0)
    }

    @Test func concurrentCallbacksAreEachAnsweredOnceAfterTheirCommit() throws {
        let server = try APITestServer()
        try Self.connect(server)
        let ids = (1...24).map { "REPLY-\($0)" }
        let answered = Self.deliverConcurrently(ids, server: server)
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
