import BankFormats
import Billing
import Core
import Foundation
import Postgres

/// One bank collection request as the HTTP layer received it.
public struct CollectionRequest: Sendable {
    public var provider: String
    /// The last path segment: which operation of the provider (`inquiry`, `getbill`, ...).
    public var path: String
    public var headers: [CallbackHeader]
    public var body: [UInt8]
    public var requestID: String
    /// SHA-256 (lower-case hex) of the client certificate this request's TLS session verified; nil over
    /// plain HTTP or without one. A connection pinned to a certificate accepts only that one.
    public var clientCertificateSHA256: String?

    public init(provider: String, path: String, headers: [CallbackHeader], body: [UInt8], requestID: String,
                clientCertificateSHA256: String? = nil) {
        self.provider = provider
        self.path = path
        self.headers = headers
        self.body = body
        self.requestID = requestID
        self.clientCertificateSHA256 = clientCertificateSHA256
    }
}

/// The bank-facing collection service: token, inquiry, payment notice and reversal.
///
/// Order of checks, each refusal leaving only a bounded audit line: body bounded and parsed; the
/// merchant (service) code names the connection, hence the school; signature or token and checksum
/// against that connection's secrets; the time window; the nonce. Only then is anything of the
/// school looked up. A notice that passes is never refused for a business reason.
public struct CollectionService: Sendable {
    public let pool: PostgresPool
    public let catalog: CollectionCatalog
    public let clock: @Sendable () -> Date
    let nonces: CollectionNonces
    let futureNonces: CollectionFutureNonces
    let notices: CollectionNoticeBatch.Lanes
    let routes: CollectionRoutes

    /// `changes`: the listener that lets the routes be cached exactly (nil: cached `CollectionRoutes.ageMaxSeconds`).
    /// `delivery`: the scope the notice lanes call a batch's replies in (`handle(_:reply:)`).
    public init(pool: PostgresPool, catalog: CollectionCatalog, clock: @escaping @Sendable () -> Date = { Date() },
                batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault, changes: ConnectionChanges? = nil,
                delivery: @escaping GroupCommit.Delivery = GroupCommit.inOrder) {
        self.pool = pool
        self.catalog = catalog
        self.clock = clock
        // The process starts taking requests now: requests signed earlier are refused (the replay rule across restarts).
        self.nonces = CollectionNonces(startedAt: clock())
        self.futureNonces = CollectionFutureNonces(pool: pool)
        self.notices = CollectionNoticeBatch.lanes(pool: pool, batchesInFlightMax: batchesInFlightMax, delivery: delivery)
        self.routes = CollectionRoutes(pool: pool, changes: changes)
    }

    public struct Result: Sendable {
        public let outcome: CollectionOutcome
        public let status: Int
        public let body: [UInt8]
        /// Why, for logs and tests; never sent.
        public let reason: String?
    }

    /// The description and operation a request addresses; nil answers 404 (no such route).
    public func resolve(provider: String, path: String) -> (CollectionProviderDescription, CollectionOperation)? {
        guard let description = catalog.description(for: provider), let operation = description.operation(path: path) else { return nil }
        return (description, operation)
    }

    public func handle(_ request: CollectionRequest) -> Result {
        handle(request, later: nil)!
    }

    /// `handle`, calling `reply` once with the result instead of returning it: at once, or — for a
    /// payment notice its school's commit lane records — after the commit, from the thread that
    /// committed it, inside the delivery scope the service was made with (docs/callbacks.md §6, ninth round).
    public func handle(_ request: CollectionRequest, reply: @escaping @Sendable (Result) -> Void) {
        if let result = handle(request, later: reply) { reply(result) }
    }

    /// The result now, or nil when `later` will get it from the commit lane.
    private func handle(_ request: CollectionRequest, later: (@Sendable (Result) -> Void)?) -> Result? {
        guard let (description, operation) = resolve(provider: request.provider, path: request.path) else {
            preconditionFailure("handle() is only called for resolved provider paths")
        }
        do {
            if operation == .token { return try token(request, description) }
            return try process(request, description, operation, later: later)
        } catch {
            return unavailable(description, error)
        }
    }

    /// The reply when nothing could be committed: the bank must retry.
    func unavailable(_ description: CollectionProviderDescription, _ error: any Error) -> Result {
        Result(outcome: .unavailable, status: description.reply(.unavailable).status,
               body: CollectionReplyWriter.body(description, outcome: .unavailable), reason: "\(error)")
    }

    func reply(_ description: CollectionProviderDescription, _ outcome: CollectionOutcome, _ fields: CollectionReplyFields = CollectionReplyFields(),
               reason: String? = nil) -> Result {
        Result(outcome: outcome, status: description.reply(outcome).status, body: CollectionReplyWriter.body(description, outcome: outcome, fields: fields),
               reason: reason)
    }

    func refuse(_ request: CollectionRequest, _ description: CollectionProviderDescription, _ operation: CollectionOperation,
                _ outcome: CollectionOutcome, schoolID: Int64?, reason: String) throws -> Result {
        try CollectionRefusals.record(provider: description.provider, operation: operation, schoolID: schoolID, requestID: request.requestID,
                                      reason: reason, pool: pool)
        return reply(description, outcome, reason: reason)
    }

    /// `handle(_:reply:)` from a thread that must never block (an event loop; docs/callbacks.md §6, tenth
    /// round), for payment notices: the door runs here — envelope, route from the cache, client
    /// certificate, signature or token, time window, nonce — and an admitted notice is queued in its
    /// school's lane without this thread leading a batch (`leaders` starts the leader). Returns nil when
    /// the request was taken (`reply` is called once, already or after the commit); otherwise the rest,
    /// for a thread that may block, which calls `reply` once: every other operation, a refusal (its audit
    /// line), a route not cached, the first request (the future nonces read), a nonce signed ahead of our
    /// clock (written), a nonce sweep due.
    ///
    /// Inquiries too, given `startRead`: their one statement is started on a connection the calling thread
    /// watches, and the reply built when its rows arrive, on that thread (docs/collection.md, "Inquiries on
    /// the event loop"); when `startRead` declines (no free connection), the inquiry runs on a worker.
    public func handleWithoutBlocking(_ request: CollectionRequest, leaders: @escaping GroupCommit.Leaders,
                                      startRead: StatementStarter? = nil,
                                      reply: @escaping @Sendable (Result) -> Void) -> (@Sendable () -> Void)? {
        let whole: @Sendable () -> Void = { handle(request, reply: reply) }
        guard let (description, operation) = resolve(provider: request.provider, path: request.path),
              operation == .payment || (operation == .inquiry && startRead != nil) else { return whole }
        let door = (try? self.door(request, description, operation, blocking: false)) ?? .blocking
        let settled: @Sendable () -> Void = {
            do {
                if let result = try settle(door, request, description, operation, later: reply) { reply(result) }
            } catch {
                reply(unavailable(description, error))
            }
        }
        switch door {
        case .blocking:
            return whole
        case .answered(let result):
            reply(result)
            return nil
        case .refused:
            return settled
        case .admitted(let envelope, let context) where operation == .inquiry:
            // An inquiry the reader refuses is refused on the worker, which reads it again (pure, bounded).
            guard let startRead, let inquiry = try? CollectionRequestReader(description: description).inquiry(envelope) else { return settled }
            return startInquiry(inquiry, context: context, startRead: startRead, leaders: leaders, reply: reply) ? nil : settled
        case .admitted(let envelope, let context):
            // A notice the reader refuses is refused on the worker, which reads it again (pure, bounded).
            guard let notice = try? CollectionRequestReader(description: description).payment(envelope) else { return settled }
            CollectionPostings.post(notice, context: context, service: self, leaders: leaders, reply: reply)
            return nil
        }
    }

    /// Starts an inquiry's first statement (`CollectionTargets`: the code as a pupil code) on a connection the
    /// calling thread watches; false when `startRead` declines. A code that is no pupil code takes the second
    /// statement there too, or on a thread of `leaders` when `startRead` declines it.
    private func startInquiry(_ inquiry: CollectionInquiryRequest, context: CollectionContext, startRead: @escaping StatementStarter,
                              leaders: @escaping GroupCommit.Leaders, reply: @escaping @Sendable (Result) -> Void) -> Bool {
        let description = context.description
        let answer: @Sendable (OpenItemsQuery.Answer?) -> Void = { reply(CollectionInquiries.answer(inquiry, found: $0, context: context, service: self)) }
        return startRead(CollectionTargets.pupilCodeQuery(code: inquiry.customerCode, schoolID: context.schoolID)) { rows in
            do {
                if let pupil = try OpenItemsQuery.decode(rows.get()) { return answer(pupil) }
            } catch {
                return reply(unavailable(description, error))
            }
            let (code, schoolID) = (inquiry.customerCode, context.schoolID)
            let started = startRead(CollectionTargets.query(code: code, schoolID: schoolID)) { rows in
                do { answer(try OpenItemsQuery.decode(rows.get())) } catch { reply(unavailable(description, error)) }
            }
            guard !started else { return }
            let led = leaders {
                do {
                    answer(try pool.withConnection { try CollectionTargets.openAnyCode(code: code, schoolID: schoolID, on: $0) })
                } catch {
                    reply(unavailable(description, error))
                }
            }
            if !led { reply(unavailable(description, GroupCommit.Failure(reason: "no thread could take this inquiry now (the server is busy): try later"))) }
        }
    }

    /// Prepares, on a connection an event loop will run inquiries on, the statements `handleWithoutBlocking`
    /// starts there, so that starting one never waits for a prepare.
    public static func prepareLoopStatements(on connection: PostgresConnection) throws {
        _ = try connection.query(CollectionTargets.pupilCodeQuery(code: "", schoolID: 0))
        _ = try connection.query(CollectionTargets.query(code: "", schoolID: 0))
    }

    /// Starts one statement on a connection the calling thread watches and returns true, its rows (or its error)
    /// then given to the closure on that same thread; false, having sent nothing, when it cannot start it now.
    public typealias StatementStarter = (PostgresQuery, @escaping (Swift.Result<PostgresRows, PostgresError>) -> Void) -> Bool

    /// How far the door got (`door`).
    private enum Door {
        /// Refused: the refusal's line is written (`CollectionRefusals`), then the reply.
        case refused(CollectionOutcome, schoolID: Int64?, reason: String)
        /// Answered without writing anything.
        case answered(Result)
        /// Only without blocking: the next step may block, and nothing was done yet (no nonce claimed).
        case blocking
        /// Authenticated, in its time window, its nonce claimed.
        case admitted(CollectionEnvelope, CollectionContext)
    }

    private func process(_ request: CollectionRequest, _ description: CollectionProviderDescription,
                         _ operation: CollectionOperation, later: (@Sendable (Result) -> Void)?) throws -> Result? {
        try settle(try door(request, description, operation, blocking: true), request, description, operation, later: later)
    }

    /// The checks every operation passes, in order. `blocking: false` (an event loop) stops at `.blocking`
    /// before anything that may wait for the database, having changed nothing.
    private func door(_ request: CollectionRequest, _ description: CollectionProviderDescription, _ operation: CollectionOperation,
                      blocking: Bool) throws -> Door {
        let envelope: CollectionEnvelope
        do { envelope = try CollectionEnvelope(description: description, body: request.body) } catch {
            return .refused(.malformed, schoolID: nil, reason: error.description)
        }
        let now = clock()
        let found: (CallbackRoute, schoolName: String)?
        if blocking {
            found = try routes.route(provider: description.connectionProvider, merchant: envelope.merchant)
        } else {
            guard let cached = routes.cachedRoute(provider: description.connectionProvider, merchant: envelope.merchant) else { return .blocking }
            found = cached
        }
        guard let (route, schoolName) = found else {
            return .refused(.unknownMerchant, schoolID: nil, reason: "service code \(envelope.merchant) is not routed")
        }
        guard CollectionClientCertificates.matches(request.clientCertificateSHA256, route: route) else {
            return .refused(.forged, schoolID: route.schoolID, reason: "the connection is bound to a client certificate this TLS session did not present")
        }
        let verdict = CollectionAuthenticator(description: description).verify(operation, headers: request.headers, envelope: envelope,
                                                                              secrets: route.credentials.secrets, now: now)
        guard case .accepted(let timestamp, let nonce) = verdict else {
            guard case .refused(let outcome, let reason) = verdict else { preconditionFailure() }
            return .refused(outcome, schoolID: route.schoolID, reason: reason)
        }
        if let stop = try claim(description, route: route, merchant: envelope.merchant, nonce: nonce, timestamp: timestamp, now: now,
                                blocking: blocking) {
            return stop
        }
        return .admitted(envelope, CollectionContext(description: description, route: route, merchant: envelope.merchant, now: now,
                                                     schoolName: schoolName))
    }

    /// What the door decided, finished on a thread that may block: a refusal written, the operation run.
    private func settle(_ door: Door, _ request: CollectionRequest, _ description: CollectionProviderDescription,
                        _ operation: CollectionOperation, later: (@Sendable (Result) -> Void)?) throws -> Result? {
        switch door {
        case .refused(let outcome, let schoolID, let reason):
            return try refuse(request, description, operation, outcome, schoolID: schoolID, reason: reason)
        case .answered(let result):
            return result
        case .blocking:
            preconditionFailure("a door that may block does not stop")
        case .admitted(let envelope, let context):
            return try run(operation, envelope, context, request, later: later)
        }
    }

    private func run(_ operation: CollectionOperation, _ envelope: CollectionEnvelope, _ context: CollectionContext, _ request: CollectionRequest,
                     later: (@Sendable (Result) -> Void)?) throws -> Result? {
        let reader = CollectionRequestReader(description: context.description)
        do {
            switch operation {
            case .inquiry: return try CollectionInquiries.answer(try reader.inquiry(envelope), context: context, service: self)
            case .payment:
                let notice = try reader.payment(envelope)
                guard let later else { return try CollectionPostings.post(notice, context: context, service: self) }
                CollectionPostings.post(notice, context: context, service: self, reply: later)
                return nil
            case .reversal: return try CollectionReversals.reverse(try reader.reversal(envelope), context: context, service: self)
            case .token: preconditionFailure("tokens are handled before")
            }
        } catch let error as CollectionInputError {
            return try refuse(request, context.description, operation, .malformed, schoolID: context.schoolID, reason: error.description)
        }
    }

    /// The replay rule (`CollectionNonces`, `CollectionFutureNonces`): nil when the request is fresh (its nonce
    /// now claimed). Without `blocking`, `.blocking` with nothing claimed when the rule needs the database (the
    /// first request reads the future nonces; a nonce signed ahead of our clock is written) or a sweep is due.
    private func claim(_ description: CollectionProviderDescription, route: CallbackRoute, merchant: String, nonce: String,
                       timestamp: Int64, now: Date, blocking: Bool) throws -> Door? {
        let nowSecond = Int64(now.timeIntervalSince1970.rounded(.down))
        // Signed ahead of our clock: the one request a restart could not refuse by its time, so its nonce outlives the process.
        let ahead = timestamp > nowSecond
        let verdict: CollectionNonces.Verdict
        if blocking {
            try futureNonces.loadOnce(into: nonces, now: now)
            verdict = nonces.claim(provider: description.provider, merchant: merchant, nonce: nonce, signedAt: timestamp, now: now)
        } else {
            guard futureNonces.isLoaded, !ahead,
                  let claimed = nonces.claimWithoutWaiting(provider: description.provider, merchant: merchant, nonce: nonce, signedAt: timestamp,
                                                           now: now) else { return .blocking }
            verdict = claimed
        }
        switch verdict {
        case .fresh: break
        case .replayed: return .refused(.replayed, schoolID: route.schoolID, reason: "nonce \(nonce.prefix(64)) seen before")
        case .signedBeforeStart:
            return .refused(.stale, schoolID: route.schoolID,
                            reason: "signed at \(timestamp), before this server started (the first second accepted is \(nonces.firstAcceptedSecond)): re-sign")
        case .full: return .answered(reply(description, .unavailable, reason: "nonce memory full"))
        }
        guard ahead else { return nil }
        let recorded = try futureNonces.record(schoolID: route.schoolID, provider: description.provider, merchant: merchant, nonce: nonce,
                                               expiry: nowSecond + nonces.retentionSeconds, now: now)
        return recorded ? nil : .refused(.replayed, schoolID: route.schoolID, reason: "nonce \(nonce.prefix(64)) seen before")
    }

    /// The bank-style token endpoint: HTTP Basic (merchant code and secret) gives a short-lived bearer token.
    private func token(_ request: CollectionRequest, _ description: CollectionProviderDescription) throws -> Result {
        let headers = request.headers.filter { $0.name.lowercased() == "authorization" }
        guard headers.count == 1, let (merchant, password) = CollectionTokens.basicCredentials(headers[0].value),
              merchant.utf8.count <= CollectionLimits.merchantBytesMax else {
            return try refuse(request, description, .token, .forged, schoolID: nil, reason: "missing or malformed Basic credentials")
        }
        let route = try pool.withConnection {
            try BankConnections.route(provider: description.connectionProvider, receivingAccount: merchant, on: $0)
        }
        // An unknown merchant and a wrong password get the same reply: merchant codes are not enumerable.
        guard let route, CollectionTokens.basicMatches(password, secrets: route.credentials.secrets) else {
            return try refuse(request, description, .token, .forged, schoolID: route?.schoolID, reason: "Basic credentials do not match")
        }
        guard CollectionClientCertificates.matches(request.clientCertificateSHA256, route: route) else {
            return try refuse(request, description, .token, .forged, schoolID: route.schoolID,
                              reason: "the connection is bound to a client certificate this TLS session did not present")
        }
        let tokens = CollectionTokens(description: description)
        var fields = CollectionReplyFields()
        fields.set("accessToken", tokens.issue(merchant: merchant, secret: route.credentials.secrets[0], now: clock()))
        fields.set("tokenType", "Bearer")
        fields.set("expiresIn", tokens.lifetimeSeconds)
        return reply(description, .ok, fields)
    }
}

/// What every operation of an authenticated request knows.
struct CollectionContext: Sendable {
    let description: CollectionProviderDescription
    let route: CallbackRoute
    let merchant: String
    let now: Date
    var schoolName = ""
    var schoolID: Int64 { route.schoolID }
}
