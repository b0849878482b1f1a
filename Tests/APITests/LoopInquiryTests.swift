import API
import BankFormats
import Billing
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Synchronization
import Testing
import TestSupport

/// Bank inquiries answered on the event loop that read them, their one statement run on a database
/// connection of that loop (`LoopStatements`, docs/collection.md "Inquiries on the event loop"): the same
/// answers as on a worker, connections opened without the loop waiting, and a connection the server
/// closes replaced without an inquiry going unanswered.
@Suite struct LoopInquiryTests {
    /// A server as `tuition serve` runs it (routes cached), a collection connection, and a pupil owing one invoice.
    static func server(loopConnections: Int = APIContext.loopConnectionsDefault,
                       eventLoops: Int = HTTPServerConfiguration().eventLoopThreads) throws -> (APITestServer, pupil: String) {
        let server = try APITestServer(cacheRoutes: true, loopConnections: loopConnections, eventLoops: eventLoops)
        let changes = try #require(server.changes)
        #expect(CallbackDeferredReplyTests.eventually { changes.listeningGeneration != nil }, "the listener connected")
        let before = changes.generation
        let pupil = try server.pool.transaction(isolation: .readCommitted) { connection in
            _ = try BankConnections.add(schoolID: server.ownSchool.id, provider: "collect-tuition", requiredParameters: [], label: "bank",
                                        accounts: [(receiving: "SVC-OWN", bankAccountNumber: "1111222233")], secret: CollectionEndpointTests.secret,
                                        parameters: [:], on: connection)
            let school = server.ownSchool.id
            let fee = try FeeTypes.add(schoolID: school, code: "BT", name: "Tiền ăn bán trú", kind: .agreedCollection, on: connection)
            try FeeSchedules.set(schoolID: school, FeeScheduleInput(feeTypeID: fee.id, schoolYear: 2026, scope: .school,
                                                                    monthlyAmount: Money(dong: 450_000), billableMonths: FeeScheduleInput.septemberToMay,
                                                                    dueDay: 10), on: connection)
            let student = try Students.create(schoolID: school, StudentDetails(code: "HSLOOP01", fullName: "Trần Thị Bình", dateOfBirth: nil,
                                                                               className: "1A", grade: 1, guardianName: "Trần Văn Cường",
                                                                               guardianPhone: "0912345678"),
                                              changedBy: "test", on: connection)
            _ = try InvoiceIssuer.issue(schoolID: school, period: try CalendarMonth(iso: "2026-09"), issuedOn: try CalendarDate(iso: "2026-09-01"),
                                        issuedBy: "test", on: connection)
            return student.code
        }
        #expect(CallbackDeferredReplyTests.eventually { changes.generation != before }, "the new connection was notified")
        // The server refuses what was signed before the second after it started.
        Thread.sleep(forTimeInterval: 1.1)
        return (server, pupil)
    }

    /// What an inquiry's reply says, without its inquiry id and expiry (they name the second it was asked).
    struct Answer: Equatable {
        let status: Int
        let code: String?
        let name: String?
        let total: Int?
        let items: [String]
    }

    static func inquire(_ server: APITestServer, code: String) throws -> Answer {
        let body = #"{"service_code":"SVC-OWN","customer_code":"\#(code)"}"#
        let header = CollectionSigning.header(secret: CallbackSecret(CollectionEndpointTests.secret)!, timestamp: Int64(Date().timeIntervalSince1970),
                                              nonce: "n\(UInt64.random(in: 0...UInt64.max))", path: "inquiry", body: Array(body.utf8))
        let reply = try server.client.request("POST", "/v1/collect/tuition/inquiry",
                                              headers: [("Content-Type", "application/json"), ("Collect-Signature", header)], body: Array(body.utf8))
        let items = (reply.json["items"] as? [[String: Any]] ?? []).map { "\($0["item_id"] ?? "") \($0["amount"] ?? "") \($0["due_date"] ?? "")" }
        return Answer(status: reply.status, code: reply.json["code"] as? String, name: reply.json["customer_name"] as? String,
                      total: (reply.json["total"] as? NSNumber)?.intValue, items: items)
    }

    /// Sends inquiries until `count` more were taken on the loop (at most 60); returns every answer.
    static func inquireUntilOnLoop(_ server: APITestServer, code: String, count: Int) throws -> [Answer] {
        let start = server.server.metrics.loopFirstRequests.onLoop
        var answers: [Answer] = []
        while server.server.metrics.loopFirstRequests.onLoop < start + count && answers.count < 60 {
            answers.append(try inquire(server, code: code))
            usleep(20_000)
        }
        return answers
    }

    static func loopSessions(_ server: APITestServer) throws -> Int64 {
        try server.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tuition loop' AND datname = current_database()")
                .singleRow()!.decode(column: 0, as: Int64.self)
        }
    }

    @Test func inquiriesMoveToTheLoopOnceItsConnectionIsOpenAndAnswerAsOnAWorker() throws {
        let (server, pupil) = try Self.server()
        let metrics = server.server.metrics
        let first = try Self.inquire(server, code: pupil)
        #expect(first.status == 200 && first.name != nil && first.total == 450_000 && first.items.count == 1, "\(first)")
        #expect(metrics.loopFirstRequests == (onLoop: 0, handedOn: 1), "the first runs on a worker while its loop's connection is opened")
        let answers = try Self.inquireUntilOnLoop(server, code: pupil, count: 4)
        #expect(metrics.loopFirstRequests.onLoop >= 4, "inquiries are taken on the loop: \(metrics.loopFirstRequests)")
        #expect(answers.allSatisfy { $0 == first }, "the loop answers as the worker did")
        let unknown = try Self.inquire(server, code: "HS404")
        #expect(unknown.status == 404 && unknown.code == "not_found")
        let sessions = try Self.loopSessions(server)
        #expect(sessions >= 1 && sessions <= Int64(2 * APIContext.loopConnectionsDefault), "\(sessions) loop sessions")
    }

    /// A code is first taken for a pupil code (one statement); a pupil's payment code or an invoice's is answered by
    /// the second statement, started from the first's rows on the same loop, as a worker answers it.
    @Test func aCodeThatIsNoPupilCodeIsAnsweredOnTheLoopAsOnAWorker() throws {
        // One loop: once its connection is open, every inquiry is taken there.
        let (server, pupil) = try Self.server(eventLoops: 1)
        let (pupilPaymentCode, invoicePaymentCode) = try server.pool.withConnection { connection in
            try connection.query("""
                SELECT s.payment_code, i.payment_code FROM students s JOIN invoices i USING (school_id, student_id)
                WHERE s.school_id = \(server.ownSchool.id) AND s.student_code = \(pupil)
                """).singleRow()!.decode((String, String).self)
        }
        let byPupilCode = try Self.inquire(server, code: pupil)
        _ = try Self.inquireUntilOnLoop(server, code: pupil, count: 2)
        let metrics = server.server.metrics
        let onLoop = metrics.loopFirstRequests.onLoop
        let byPupilPaymentCode = try Self.inquire(server, code: pupilPaymentCode)
        let byInvoicePaymentCode = try Self.inquire(server, code: invoicePaymentCode.lowercased())
        let unknown = try Self.inquire(server, code: "NO-SUCH-CODE")
        #expect(metrics.loopFirstRequests.onLoop == onLoop + 3, "taken on the loop: \(metrics.loopFirstRequests)")
        #expect(byPupilCode.status == 200 && byPupilCode.items.count == 1, "\(byPupilCode)")
        #expect(byPupilPaymentCode == byPupilCode && byInvoicePaymentCode == byPupilCode)
        #expect(unknown.status == 404 && unknown.code == "not_found")

        let (workerServer, workerPupil) = try Self.server(loopConnections: 0)
        #expect(try Self.inquire(workerServer, code: workerPupil) == byPupilCode)
        #expect(workerServer.server.metrics.loopFirstRequests.onLoop == 0)
    }

    /// Inquiries in flight together on one loop share one connection (`PostgresStatementStream`, up to
    /// `LoopStatements.statementsPerConnectionMax` at once): four senders leave one session, where a connection
    /// per inquiry in flight opened up to four.
    @Test func inquiriesInFlightTogetherShareOneConnection() throws {
        let (server, pupil) = try Self.server(eventLoops: 1)
        let first = try Self.inquire(server, code: pupil)
        _ = try Self.inquireUntilOnLoop(server, code: pupil, count: 1)
        let answers = Mutex<[Answer]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<15 {
                guard let answer = try? Self.inquire(server, code: pupil) else { continue }
                answers.withLock { $0.append(answer) }
            }
        }
        let all = answers.withLock { $0 }
        #expect(all.count == 60 && all.allSatisfy { $0 == first }, "\(all.filter { $0 != first })")
        #expect(try Self.loopSessions(server) == 1)
        #expect(server.server.metrics.loopFirstRequests.onLoop >= 55, "\(server.server.metrics.loopFirstRequests)")
    }

    @Test func withoutLoopConnectionsEveryInquiryRunsOnAWorker() throws {
        let (server, pupil) = try Self.server(loopConnections: 0)
        let answers = try (0..<5).map { _ in try Self.inquire(server, code: pupil) }
        #expect(answers.allSatisfy { $0.status == 200 && $0 == answers[0] && $0.total == 450_000 })
        #expect(server.server.metrics.loopFirstRequests == (onLoop: 0, handedOn: 5))
        #expect(try Self.loopSessions(server) == 0)
    }

    /// The server ends the loop's sessions (a restart, an administrator): each inquiry is still answered — at worst
    /// "try later" for one caught on a closed connection — and new connections take over.
    @Test func aClosedLoopConnectionIsReplacedAndNoInquiryGoesUnanswered() throws {
        let (server, pupil) = try Self.server()
        let answer = try Self.inquire(server, code: pupil)
        _ = try Self.inquireUntilOnLoop(server, code: pupil, count: 2)
        let killed = try server.pool.withConnection { connection in
            try connection.query("""
                SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                      WHERE application_name = 'tuition loop' AND datname = current_database()) AS ended
                """).singleRow()!.decode(column: 0, as: Int64.self)
        }
        #expect(killed >= 1)
        let afterwards = try Self.inquireUntilOnLoop(server, code: pupil, count: 3)
        let unavailable = afterwards.filter { $0.status == 503 }
        #expect(afterwards.allSatisfy { $0 == answer || ($0.status == 503 && $0.code == "retry") }, "\(afterwards)")
        #expect(unavailable.count <= Int(killed), "at most one inquiry per closed connection is told to try later")
        #expect(server.server.metrics.loopFirstRequests.onLoop >= 5, "new connections answer on the loop again")
    }
}
