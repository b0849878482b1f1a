import BankFormats
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// The collection routes over HTTP: signed requests reach the service, the upload is school-scoped,
/// the OpenAPI lists the operations.
@Suite struct CollectionEndpointTests {
    static let secret = "collection-endpoint-secret"

    static func server() throws -> APITestServer {
        let server = try APITestServer()
        try server.pool.transaction(isolation: .readCommitted) { connection in
            _ = try BankConnections.add(schoolID: server.ownSchool.id, provider: "collect-tuition", requiredParameters: [], label: "bank",
                                        accounts: [(receiving: "SVC-OWN", bankAccountNumber: "1111222233")], secret: secret, parameters: [:],
                                        on: connection)
        }
        return server
    }

    static func signed(_ path: String, _ body: String, secret: String = CollectionEndpointTests.secret) -> [(String, String)] {
        // Rounded up: a server refuses requests signed before it started, and the test's server started within this second.
        let header = CollectionSigning.header(secret: CallbackSecret(secret)!, timestamp: Int64(Date().timeIntervalSince1970.rounded(.up)),
                                              nonce: "n\(UInt64.random(in: 0...UInt64.max))", path: path, body: Array(body.utf8))
        return [("Content-Type", "application/json"), ("Collect-Signature", header)]
    }

    @Test func signedRequestsAreServedAndForgedOnesRefused() throws {
        let server = try Self.server()
        let body = #"{"service_code":"SVC-OWN","customer_code":"HS404"}"#
        let unknown = try server.client.request("POST", "/v1/collect/tuition/inquiry", headers: Self.signed("inquiry", body), body: Array(body.utf8))
        #expect(unknown.status == 404 && unknown.json["code"] as? String == "not_found")
        let forged = try server.client.request("POST", "/v1/collect/tuition/inquiry", headers: Self.signed("inquiry", body, secret: "not-the-secret"),
                                               body: Array(body.utf8))
        #expect(forged.status == 401 && forged.json["code"] as? String == "refused")
        let notice = #"{"service_code":"SVC-OWN","transaction_id":"HTTP-1","customer_code":"HS404","amount":90000,"paid_at":"2026-09-15T10:00:00+07:00"}"#
        let paid = try server.client.request("POST", "/v1/collect/tuition/payments", headers: Self.signed("payments", notice), body: Array(notice.utf8))
        #expect(paid.status == 200 && paid.json["exception"] as? String == "unidentified")
        let vnbank = try server.client.request("POST", "/v1/collect/vnbank/getbill", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        #expect(vnbank.status == 200 && vnbank.json["resCode"] as? String == "002")
        #expect(try server.client.request("POST", "/v1/collect/nobank/inquiry", body: Array(body.utf8)).status == 404)
        let document = try server.client.get("/openapi.json").json
        let paths = document["paths"] as? [String: Any] ?? [:]
        #expect(paths["/v1/collect/{provider}/inquiry"] != nil && paths["/v1/collect/{provider}/payments"] != nil)
    }

    /// With routes cached (as `tuition serve` runs), a payment notice's door runs on the event loop and its
    /// school's lane answers it after the commit; what may block goes to a worker: an inquiry before its loop
    /// has a database connection of its own (LoopInquiryTests), a replayed notice (its refusal is written), a
    /// notice signed ahead of our clock (its nonce is written). Signed times here are our clock's current
    /// second, so only the last one is ahead.
    @Test func withRoutesCachedANoticeIsJudgedOnTheLoopAndWhatMayBlockOnAWorker() throws {
        let server = try APITestServer(cacheRoutes: true)
        guard let changes = server.changes else { return }
        #expect(CallbackDeferredReplyTests.eventually { changes.listeningGeneration != nil }, "the listener connected")
        let before = changes.generation
        try server.pool.transaction(isolation: .readCommitted) { connection in
            _ = try BankConnections.add(schoolID: server.ownSchool.id, provider: "collect-tuition", requiredParameters: [], label: "bank",
                                        accounts: [(receiving: "SVC-OWN", bankAccountNumber: "1111222233")], secret: Self.secret, parameters: [:],
                                        on: connection)
        }
        #expect(CallbackDeferredReplyTests.eventually { changes.generation != before }, "the new connection was notified")
        // The server refuses what was signed before the second after it started.
        Thread.sleep(forTimeInterval: 1.1)
        let metrics = server.server.metrics
        @Sendable func signedNow(_ path: String, _ body: String, aheadSeconds: Int64 = 0) -> [(String, String)] {
            let header = CollectionSigning.header(secret: CallbackSecret(Self.secret)!, timestamp: Int64(Date().timeIntervalSince1970) + aheadSeconds,
                                                  nonce: "n\(UInt64.random(in: 0...UInt64.max))", path: path, body: Array(body.utf8))
            return [("Content-Type", "application/json"), ("Collect-Signature", header)]
        }
        @Sendable func notice(_ id: String) -> String {
            #"{"service_code":"SVC-OWN","transaction_id":"\#(id)","customer_code":"HS404","amount":90000,"paid_at":"2026-09-15T10:00:00+07:00"}"#
        }
        let inquiry = #"{"service_code":"SVC-OWN","customer_code":"HS404"}"#
        let unknown = try server.client.request("POST", "/v1/collect/tuition/inquiry", headers: signedNow("inquiry", inquiry), body: Array(inquiry.utf8))
        #expect(unknown.status == 404)
        #expect(metrics.loopFirstRequests == (onLoop: 0, handedOn: 1), "the first inquiry runs on a worker")
        let headers = signedNow("payments", notice("LOOP-1"))
        let paid = try server.client.request("POST", "/v1/collect/tuition/payments", headers: headers, body: Array(notice("LOOP-1").utf8))
        #expect(paid.status == 200 && paid.json["exception"] as? String == "unidentified")
        #expect(metrics.loopFirstRequests == (onLoop: 1, handedOn: 1), "the notice was taken on the loop")
        let replayed = try server.client.request("POST", "/v1/collect/tuition/payments", headers: headers, body: Array(notice("LOOP-1").utf8))
        #expect(replayed.status != 200, "a replayed nonce is refused: \(replayed.status)")
        #expect(metrics.loopFirstRequests == (onLoop: 1, handedOn: 2), "its refusal is written on a worker")
        let ids = (2...13).map { "LOOP-\($0)" }
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            let body = notice(ids[index])
            let status = (try? server.client.request("POST", "/v1/collect/tuition/payments", headers: signedNow("payments", body),
                                                     body: Array(body.utf8)).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: ids.count))
        #expect(metrics.loopFirstRequests == (onLoop: 13, handedOn: 2))
        let ahead = try server.client.request("POST", "/v1/collect/tuition/payments", headers: signedNow("payments", notice("LOOP-14"), aheadSeconds: 5),
                                              body: Array(notice("LOOP-14").utf8))
        #expect(ahead.status == 200)
        #expect(metrics.loopFirstRequests == (onLoop: 13, handedOn: 3), "a nonce signed ahead of our clock is written on a worker")
        let recorded = try server.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM collection_payments WHERE bank_reference LIKE 'LOOP-%'").singleRow()?.decode(column: 0, as: Int64.self)
        }
        #expect(recorded == 14, "each notice recorded once")
    }

    @Test func theEndOfDayUploadIsScopedToTheSchoolAndAnswersEachFormat() throws {
        let server = try Self.server()
        let notice = #"{"service_code":"SVC-OWN","transaction_id":"HTTP-2","customer_code":"HS404","amount":90000,"paid_at":"2026-09-15T10:00:00+07:00"}"#
        _ = try server.client.request("POST", "/v1/collect/tuition/payments", headers: Self.signed("payments", notice), body: Array(notice.utf8))
        let file = Array("transaction_id|paid_at|customer_code|amount\nHTTP-X|2026-09-15T11:00:00+07:00|HS404|1000\n".utf8)
        let token = server.tokens[.accountant]!
        let upload = try server.client.request("POST", "/v1/schools/TH-OWN/collections/tuition/reconciliations?date=2026-09-15&format=differences",
                                               headers: [("Authorization", "Bearer \(token)")], body: file)
        #expect(upload.status == 200)
        #expect(upload.text.contains("HTTP-X|2026-09-15T11:00:00+07:00|HS404|1000|bank_only"))
        #expect(upload.text.contains("HTTP-2|") && upload.text.contains("|ours_only"))
        let other = try server.client.request("POST", "/v1/schools/TH-OTHER/collections/tuition/reconciliations?date=2026-09-15",
                                              headers: [("Authorization", "Bearer \(token)")], body: file)
        #expect(other.status == 404)
        let bad = try server.client.request("POST", "/v1/schools/TH-OWN/collections/tuition/reconciliations?date=2026-09-15",
                                            headers: [("Authorization", "Bearer \(token)")], body: Array("wrong|header\n".utf8))
        #expect(bad.status == 422 && bad.text.contains("upload:1: header must be"))
        let noToken = try server.client.request("POST", "/v1/schools/TH-OWN/collections/tuition/reconciliations?date=2026-09-15", body: file)
        #expect(noToken.status == 401)
    }
}
