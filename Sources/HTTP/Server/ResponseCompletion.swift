import Synchronization

/// How a deferred handler (`Router.addDeferred`) answers after it has returned: the handler keeps this
/// object and calls `complete` once, from any thread, when its answer is known. The worker thread that
/// ran the handler is free as soon as the handler returns; `complete` posts the response to the event
/// loop that owns the connection, which writes it as it writes every response (access log, metrics,
/// request id, body budget released, keep-alive).
///
/// A bank callback is answered this way by the thread that commits its school's batch
/// (`GroupCommitter`), so a sender whose item another thread committed does not sleep and wake to
/// answer (docs/http.md, "Deferred responses"; docs/callbacks.md §6, ninth round).
///
/// Exactly once: the first `complete` wins; a later one is dropped and logged. A completion released
/// without ever being called answers 500 (and logs it) rather than leaving the connection waiting;
/// one kept but never called is answered 503 by the loop after `HTTPServerConfiguration.replyTimeoutSeconds`.
public final class ResponseCompletion: Sendable {
    private let mailbox: LoopMailbox
    private let token: UInt64
    private let exchange: Exchange
    private let routeTemplate: String
    private let errorLog: @Sendable (String) -> Void
    private let completed = Atomic<Bool>(false)

    init(mailbox: LoopMailbox, token: UInt64, exchange: Exchange, routeTemplate: String, errorLog: @escaping @Sendable (String) -> Void) {
        self.mailbox = mailbox
        self.token = token
        self.exchange = exchange
        self.routeTemplate = routeTemplate
        self.errorLog = errorLog
    }

    deinit {
        guard !completed.load(ordering: .acquiring) else { return }
        errorLog("request \(exchange.requestId) \(routeTemplate): the handler released its response completion without answering")
        mailbox.post(message(ProblemDocument.response(HTTPError.internalError, requestId: exchange.requestId)))
    }

    /// Whether `complete` (or `fail`) was called.
    public var isCompleted: Bool { completed.load(ordering: .acquiring) }

    /// Sends `response` (checked as a returned one is: a bad header turns it into a 500). Inside
    /// `postingTogether` the post waits for the end of that scope.
    public func complete(_ response: Response) {
        guard claim() else { return }
        let checked = Responder.checked(response, requestId: exchange.requestId, routeTemplate: routeTemplate, errorLog: errorLog)
        if let batch = ResponseCompletion.batch {
            batch.add(mailbox, message(checked))
        } else {
            mailbox.post(message(checked))
        }
    }

    /// Answers with the problem document of `error`, as a handler that throws is answered.
    public func fail(_ error: any Error) {
        guard !isCompleted else {
            errorLog("request \(exchange.requestId) \(routeTemplate): failed after answering: \(String(reflecting: error))")
            return
        }
        complete(Responder.problem(for: error, requestId: exchange.requestId, routeTemplate: routeTemplate, errorLog: errorLog))
    }

    private func claim() -> Bool {
        guard !completed.exchange(true, ordering: .acquiringAndReleasing) else {
            errorLog("request \(exchange.requestId) \(routeTemplate): answered twice; the later answer was dropped")
            return false
        }
        return true
    }

    private func message(_ response: Response) -> LoopMessage {
        .completed(token: token, exchange: exchange, response: response)
    }

    // MARK: Posting together

    /// Runs `body`; the responses completed on this thread inside it are posted when it returns, one
    /// message per event loop, so the replies of one committed batch wake each loop once. Nested
    /// scopes post at the end of the outermost.
    public static func postingTogether(_ body: () -> Void) {
        guard batch == nil else {
            body()
            return
        }
        let collected = PostBatch()
        $batch.withValue(collected) { body() }
        collected.post()
    }

    /// The scope `postingTogether` opened on this thread, if any.
    @TaskLocal private static var batch: PostBatch?

    /// Completions collected by one `postingTogether` scope, grouped by the loop they go to.
    private final class PostBatch: Sendable {
        private let entries = Mutex<[(mailbox: LoopMailbox, messages: [LoopMessage])]>([])

        func add(_ mailbox: LoopMailbox, _ message: LoopMessage) {
            entries.withLock { entries in
                if let index = entries.firstIndex(where: { $0.mailbox === mailbox }) {
                    entries[index].messages.append(message)
                } else {
                    entries.append((mailbox, [message]))
                }
            }
        }

        func post() {
            for (mailbox, messages) in entries.withLock({ $0 }) { mailbox.post(contentsOf: messages) }
        }
    }
}
