import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTP

/// Deferred responses (`Router.addDeferred`, `ResponseCompletion`): the handler returns at once and
/// the answer comes later from another thread, exactly once, through the loop that owns the
/// connection — with the request id, the access log, the reply timeout and shutdown as for any response.
@Suite("Deferred responses")
struct DeferredResponseTests {
    /// Completions kept by the `/park` handler until the test answers them.
    final class Parked: Sendable {
        private let completions = Mutex<[ResponseCompletion]>([])

        func park(_ completion: ResponseCompletion) { completions.withLock { $0.append(completion) } }
        var count: Int { completions.withLock { $0.count } }

        /// Takes the oldest parked completion (waiting up to 3 s for one).
        func take() -> ResponseCompletion? {
            let deadline = Date().addingTimeInterval(3)
            while Date() < deadline {
                if let completion = completions.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return completion }
                usleep(5_000)
            }
            return nil
        }
    }

    static func router(_ parked: Parked) -> Router {
        var router = TestServer.router()
        router.addDeferred(.get, "/park") { _, completion in parked.park(completion) }
        router.addDeferred(.get, "/twice") { _, completion in
            completion.complete(.text("first"))
            completion.complete(.text("second"))
        }
        router.addDeferred(.get, "/dropped") { _, _ in }
        router.addDeferred(.get, "/throws") { _, _ in
            throw HTTPError(status: .conflict, code: "already_paid", detail: "paid")
        }
        return router
    }

    private static func request(_ path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n"
    }

    @Test("a completion called from another thread after the handler returned answers the request; the worker is free meanwhile")
    func completionFromAnotherThread() throws {
        let parked = Parked()
        let server = try TestServer(router: Self.router(parked)) { $0.workerThreads = 1 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /park HTTP/1.1\r\nHost: test\r\nX-Request-Id: deferred-1\r\n\r\n")
        guard let completion = parked.take() else { Issue.record("the handler did not run"); return }
        // The only worker already returned from the parked handler: another request is served meanwhile.
        let other = try RawClient(port: server.port)
        try other.send(Self.request("/sleep/0"))
        #expect(try other.readResponse().bodyText == "slept 0")
        Thread.detachNewThread { completion.complete(.text("answered later", status: .accepted)) }
        let response = try client.readResponse()
        #expect(response.status == 202 && response.bodyText == "answered later")
        #expect(response.header("X-Request-Id") == "deferred-1")
        #expect(completion.isCompleted)
        // The connection is kept alive and serves the next request.
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok")
        #expect(eventually { server.accessEntries.contains { $0.requestId == "deferred-1" && $0.status == 202 && $0.route == "/park" } })
    }

    @Test("a second completion is dropped and logged; a throw answers the error; a completion released unanswered answers 500")
    func exactlyOnce() throws {
        let parked = Parked()
        let server = try TestServer(router: Self.router(parked))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/twice"))
        #expect(try client.readResponse().bodyText == "first")
        try client.send(Self.request("/throws"))
        #expect(try client.readResponse().status == 409)
        try client.send(Self.request("/dropped"))
        #expect(try client.readResponse().status == 500)
        try client.send(Self.request("/health"))
        #expect(try client.readResponse().bodyText == "ok", "no answer was left over for a later request")
        #expect(server.errorMessages.contains { $0.contains("answered twice") })
        #expect(server.errorMessages.contains { $0.contains("without answering") })
    }

    @Test("a client gone before the completion: the answer is counted and dropped, the server goes on")
    func clientGoneBeforeCompletion() throws {
        let parked = Parked()
        let server = try TestServer(router: Self.router(parked))
        defer { server.stop() }
        var client: RawClient? = try RawClient(port: server.port)
        try client?.send("GET /park HTTP/1.1\r\nHost: test\r\nX-Request-Id: gone-1\r\n\r\n")
        guard let completion = parked.take() else { Issue.record("the handler did not run"); return }
        client = nil
        usleep(100_000)
        completion.complete(.text("too late"))
        #expect(eventually { server.accessEntries.contains { $0.requestId == "gone-1" } })
        let next = try RawClient(port: server.port)
        try next.send(Self.request("/health"))
        #expect(try next.readResponse().bodyText == "ok")
    }

    @Test("a completion never called is answered 503 at the reply deadline and the connection closed; a late one changes nothing")
    func replyTimeout() throws {
        let parked = Parked()
        let server = try TestServer(router: Self.router(parked)) { $0.replyTimeoutSeconds = 0.5 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let started = Date()
        try client.send(Self.request("/park"))
        guard let completion = parked.take() else { Issue.record("the handler did not run"); return }
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.bodyText.contains("reply_timeout"))
        #expect(response.header("Connection") == "close")
        #expect(Date().timeIntervalSince(started) >= 0.4)
        #expect(client.peerClosed())
        completion.complete(.text("late"))
        let next = try RawClient(port: server.port)
        try next.send(Self.request("/health"))
        #expect(try next.readResponse().bodyText == "ok")
    }

    @Test("shutdown waits for a deferred answer in flight and sends it with Connection: close")
    func shutdownWaitsForTheCompletion() throws {
        let parked = Parked()
        let server = try TestServer(router: Self.router(parked))
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/park"))
        guard let completion = parked.take() else { Issue.record("the handler did not run"); return }
        let stopped = Stopped()
        Thread.detachNewThread {
            server.server.waitUntilStopped()
            stopped.set()
        }
        server.server.shutdown()
        usleep(300_000)
        #expect(!stopped.isSet, "the server waits for the answer in flight")
        completion.complete(.text("answered during shutdown"))
        let response = try client.readResponse()
        #expect(response.bodyText == "answered during shutdown")
        #expect(response.header("Connection") == "close")
        #expect(eventually { stopped.isSet })
    }

    @Test("completions made together post one message batch: the loop is woken once")
    func postingTogetherWakesOnce() throws {
        let mailbox = try LoopMailbox()
        let completions = (0..<5).map { index in
            ResponseCompletion(mailbox: mailbox, token: UInt64(index),
                               exchange: .unmatched(requestId: "r\(index)", method: .get, keepAlive: true, startedAt: 0),
                               routeTemplate: "/t", errorLog: { _ in })
        }
        var seenInside = -1
        ResponseCompletion.postingTogether {
            for completion in completions { completion.complete(.text("x")) }
            seenInside = Self.eventCounter(mailbox)
        }
        #expect(seenInside == 0, "nothing is posted before the scope ends")
        #expect(Self.eventCounter(mailbox) == 1, "one wake-up for the five answers")
        let messages = mailbox.takeAll()
        #expect(messages.count == 5)
        let tokens = messages.compactMap { message -> UInt64? in
            if case .completed(let token, _, _) = message { token } else { nil }
        }
        #expect(tokens == [0, 1, 2, 3, 4], "posted in the order completed")
    }

    /// Loop-first routes (`Router.addDeferred(_:_:options:onLoop:)`): `/door/now` answers on the loop,
    /// `/door/job` from a job it starts on a worker (as a commit lane's leader answers), `/door/worker`
    /// hands its rest on to a worker, `/door/throws` throws on the loop. Each records the thread it ran on.
    /// The threads loop-first handlers ran on, by name.
    final class ThreadLog: Sendable {
        let names = Mutex<[String]>([])
        var all: [String] { names.withLock { $0 } }
    }

    static func loopFirstRouter(_ threads: ThreadLog) -> Router {
        var router = TestServer.router()
        router.addDeferred(.get, "/door/{how}", onLoop: { request, completion, workers in
            threads.names.withLock { $0.append(threadName()) }
            switch request.pathParameters["how"] {
            case "now":
                completion.complete(.text("on \(threadName())"))
                return .taken
            case "job":
                guard workers.run({ completion.complete(.text("job on \(threadName())")) }) else {
                    throw HTTPError(status: .serviceUnavailable, code: "busy", detail: "no worker")
                }
                return .taken
            case "throws":
                throw HTTPError(status: .conflict, code: "refused_on_loop", detail: "refused")
            default:
                return .onWorker { completion in completion.complete(.text("rest on \(threadName())")) }
            }
        })
        return router
    }

    @Test("a loop-first route is answered on the event loop while every worker is busy; what it hands on waits for a worker")
    func loopFirstRouteNeedsNoWorker() throws {
        let threads = ThreadLog()
        let server = try TestServer(router: Self.loopFirstRouter(threads)) { $0.workerThreads = 1 }
        defer { server.stop() }
        // The only worker sleeps 1.5 s.
        let sleeper = try RawClient(port: server.port)
        let sleepStarted = Date()
        try sleeper.send(Self.request("/sleep/1500"))
        usleep(200_000)
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/door/now"))
        let onLoop = try client.readResponse()
        #expect(onLoop.status == 200 && onLoop.bodyText.hasPrefix("on http-loop-"), "\(onLoop.bodyText)")
        #expect(Date().timeIntervalSince(sleepStarted) < 1.2, "answered without waiting for the busy worker")
        try client.send(Self.request("/door/throws"))
        #expect(try client.readResponse().status == 409)
        try client.send(Self.request("/door/worker"))
        let handedOn = try client.readResponse()
        #expect(handedOn.bodyText.hasPrefix("rest on http-"), "\(handedOn.bodyText)")
        #expect(!handedOn.bodyText.contains("loop"))
        #expect(Date().timeIntervalSince(sleepStarted) >= 1.4, "the rest waited for the worker")
        #expect(try sleeper.readResponse().bodyText == "slept 1500")
        try client.send(Self.request("/door/job"))
        let job = try client.readResponse()
        #expect(job.bodyText.hasPrefix("job on http-") && !job.bodyText.contains("loop"), "\(job.bodyText)")
        #expect(threads.all.allSatisfy { $0.hasPrefix("http-loop-") }, "\(threads.all)")
        #expect(server.server.metrics.loopFirstRequests == (onLoop: 3, handedOn: 1))
        #expect(eventually { server.accessEntries.filter { $0.route == "/door/{how}" }.count == 4 })
    }

    @Test("a loop-first request is under the reply timeout, and a full worker queue answers what it hands on 503")
    func loopFirstTimeoutAndBusy() throws {
        let threads = ThreadLog()
        var router = Self.loopFirstRouter(threads)
        let parked = Parked()
        router.addDeferred(.get, "/door-park", onLoop: { _, completion, _ in
            parked.park(completion)
            return .taken
        })
        let server = try TestServer(router: router) {
            $0.replyTimeoutSeconds = 0.5
            $0.workerThreads = 1
            $0.workerQueueMax = 1
        }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request("/door-park"))
        let timedOut = try client.readResponse()
        #expect(timedOut.status == 503 && timedOut.bodyText.contains("reply_timeout"))
        #expect(parked.take() != nil)
        // One request runs on the only worker and one waits in its queue of one: the next rest finds no room.
        let sleepers = try (0..<2).map { _ in try RawClient(port: server.port) }
        for sleeper in sleepers {
            try sleeper.send(Self.request("/sleep/800"))
            usleep(100_000)
        }
        let busy = try RawClient(port: server.port)
        try busy.send(Self.request("/door/worker"))
        let refused = try busy.readResponse()
        #expect(refused.status == 503 && refused.bodyText.contains("server_busy"), "\(refused.status) \(refused.bodyText)")
        for sleeper in sleepers { #expect(try sleeper.readResponse().status == 200) }
    }

    /// Reads (and resets) the mailbox's eventfd counter: the number of wake-ups written since the last read.
    private static func eventCounter(_ mailbox: LoopMailbox) -> Int {
        var counter: UInt64 = 0
        let count = read(mailbox.eventDescriptor, &counter, 8)
        return count == 8 ? Int(counter) : 0
    }
}

/// The name of the calling thread (the server names its loops `http-loop-N` and its workers `http-worker-N`).
func threadName() -> String {
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
    return name.trimmingCharacters(in: .newlines)
}
