import BankFormats
import Core
import Crypto
import Foundation
import Postgres

/// One delivery of a callback, as the HTTP layer received it.
public struct CallbackDelivery: Sendable {
    public var provider: String
    public var request: CallbackRequest
    public var requestID: String
    /// The sender's network address (no port): refusals are limited per address.
    public var sourceAddress: String

    public init(provider: String, request: CallbackRequest, requestID: String, sourceAddress: String = "") {
        self.provider = provider
        self.request = request
        self.requestID = requestID
        self.sourceAddress = sourceAddress
    }
}

/// The ingest of bank callbacks: verify, normalise, record exactly once, book and apply — all in
/// one database transaction before the reply, so a 2xx always means the money is stored.
///
/// Every delivery leaves an audit row with its verdict, refused ones included. A database that
/// cannot be reached turns into the provider's "unavailable" reply (503, or VNPay's `99`), so the
/// sender retries; a retry of a recorded payment is a duplicate and gets the success reply.
public struct CallbackIngest: Sendable {
    public let pool: PostgresPool
    public let catalog: CallbackCatalog
    public let clock: @Sendable () -> Date
    private let lanes: CallbackBatch.Lanes
    /// Addresses whose deliveries keep being refused are turned away before any work or audit row.
    public let refusals: FailureWindows
    /// Routes kept while `ConnectionChanges` listens; nil without a listener: every delivery reads its route.
    private let routes: RouteCache<CallbackRoute?>?

    /// `changes`: the listener that lets routes be cached (nil: no cache, a route lookup per delivery).
    /// `delivery`: the scope the commit lanes call a batch's replies in (`handle(_:reply:)`).
    public init(pool: PostgresPool, catalog: CallbackCatalog, clock: @escaping @Sendable () -> Date = { Date() },
                refusals: FailureWindows = CallbackIngest.defaultRefusals(), batchesInFlightMax: Int = GroupCommit.batchesInFlightDefault,
                changes: ConnectionChanges? = nil, delivery: @escaping GroupCommit.Delivery = GroupCommit.inOrder) {
        self.pool = pool
        self.catalog = catalog
        self.clock = clock
        self.lanes = CallbackBatch.lanes(pool: pool, batchesInFlightMax: batchesInFlightMax, delivery: delivery)
        self.refusals = refusals
        self.routes = changes.map { RouteCache(changes: $0, ageMaxSeconds: CallbackIngest.routeAgeMaxSeconds) }
    }

    /// The backstop of the route cache: an entry is read again after this long even when no change
    /// was notified (changes made with the notifying triggers disabled). Notified changes act at once.
    public static let routeAgeMaxSeconds = 10.0

    /// Refused deliveries per source address: 60 within 60 s turn the address away (docs/callbacks.md).
    public static let refusalsPerAddressMax = 60
    public static let refusalWindowMilliseconds: Int64 = 60_000

    public static func defaultRefusals() -> FailureWindows {
        FailureWindows(failuresMax: refusalsPerAddressMax, windowMilliseconds: refusalWindowMilliseconds)
    }

    /// What became of a delivery, for tests and logs; the reply is what the sender gets.
    public struct Result: Sendable {
        public let outcome: CallbackOutcome
        public let reply: CallbackReply
        public let bankTransactionID: Int64?
        public let reason: String?
    }

    /// Handles a delivery for a provider of the catalog (the caller answers 404 for unknown providers).
    public func handle(_ delivery: CallbackDelivery) -> Result {
        handle(delivery, later: nil)!
    }

    /// `handle`, calling `reply` once with the result instead of returning it: at once, or — for a
    /// delivery its school's commit lane records — after the commit, from the thread that committed
    /// it, inside the delivery scope the ingest was made with (docs/callbacks.md §6, ninth round).
    public func handle(_ delivery: CallbackDelivery, reply: @escaping @Sendable (Result) -> Void) {
        if let result = handle(delivery, later: reply) { reply(result) }
    }

    /// Bodies up to this many bytes are judged on a thread that must not block
    /// (`handleWithoutBlocking`): its time per delivery is bounded by them (a SHA-256 and an HMAC
    /// per active secret over the body, the audit's hex). Larger ones, rare, go to a worker whole.
    public static let doorOnLoopBytesMax = 16 * 1024

    /// `handle(_:reply:)` from a thread that must never block (an event loop; docs/callbacks.md §6,
    /// tenth round). The door's pure part runs here: the refusal window, the normaliser, the door's
    /// rules, the route from the cache and the signature; an admitted delivery is queued in its
    /// school's lane without this thread ever leading a batch (`leaders` starts the leader when a slot
    /// is free). Returns nil when the delivery was taken: `reply` is called once, already or after the
    /// commit. Otherwise returns the rest, which may block (a refusal's audit row, a route read from the
    /// database, a body over `doorOnLoopBytesMax`), for a thread that may: it calls `reply` once.
    public func handleWithoutBlocking(_ delivery: CallbackDelivery, leaders: @escaping GroupCommit.Leaders,
                                      reply: @escaping @Sendable (Result) -> Void) -> (@Sendable () -> Void)? {
        // A query is bounded by its parser (`CallbackLimits`, 8 KiB); a body only by the route.
        guard delivery.request.body.count <= Self.doorOnLoopBytesMax else {
            return { handle(delivery, reply: reply) }
        }
        let description = self.description(of: delivery)
        if let turnedAway = turnedAway(delivery, description) {
            reply(turnedAway)
            return nil
        }
        let door = self.door(delivery, description)
        guard case .admitted(let normalized, let route, let audit) = door else {
            return { if let result = settle(door, delivery, description, later: reply) { reply(result) } }
        }
        _ = store(normalized, route: route, audit: audit, stored: stored(description, later: reply), leaders: leaders)
        return nil
    }

    /// The result now, or nil when `later` will get it from the commit lane.
    private func handle(_ delivery: CallbackDelivery, later: (@Sendable (Result) -> Void)?) -> Result? {
        let description = self.description(of: delivery)
        if let turnedAway = turnedAway(delivery, description) { return turnedAway }
        return settle(door(delivery, description), delivery, description, later: later)
    }

    private func description(of delivery: CallbackDelivery) -> CallbackProviderDescription {
        guard let description = catalog.description(for: delivery.provider) else {
            preconditionFailure("handle() is only called for providers of the catalog")
        }
        return description
    }

    /// The reply to an address whose deliveries keep being refused. Not audited: the point is that a
    /// flood of refusals costs neither work nor rows.
    private func turnedAway(_ delivery: CallbackDelivery, _ description: CallbackProviderDescription) -> Result? {
        guard refusals.isBlocked(delivery.sourceAddress) else { return nil }
        return Result(outcome: .unavailable, reply: description.replies.reply(for: .unavailable), bankTransactionID: nil,
                      reason: "too many refused deliveries from \(delivery.sourceAddress)")
    }

    private func stored(_ description: CallbackProviderDescription, later: @escaping @Sendable (Result) -> Void) -> Stored {
        let replies = description.replies
        return { outcome, transactionID, reason in
            later(Result(outcome: outcome, reply: replies.reply(for: outcome), bankTransactionID: transactionID, reason: reason))
        }
    }

    /// What `store` answers later, when the delivery went to the commit lane without waiting.
    typealias Stored = @Sendable (_ outcome: CallbackOutcome, _ transactionID: Int64?, _ reason: String?) -> Void

    /// How far the door got without blocking (`door`).
    private enum Door {
        /// Answered once its audit row is written (a refusal, or money that is not money in).
        case auditOnly(AuditOnly)
        /// The route needs the database: not cached, or a cached route that would refuse (read again
        /// before any refusal: `fresh`).
        case routeUnknown(NormalizedCallbackTransaction, DeliveryAudit, fresh: Bool)
        /// Admitted, for the school's commit lane.
        case admitted(NormalizedCallbackTransaction, CallbackRoute, DeliveryAudit)
    }

    /// A delivery answered with its audit row alone.
    private struct AuditOnly {
        let audit: DeliveryAudit
        let verdict: String
        let outcome: CallbackOutcome
        let reason: String
        let transactionID: String?
    }

    /// The door's part that never blocks: normalise, judge every value, the route from the cache, verify.
    private func door(_ delivery: CallbackDelivery, _ description: CallbackProviderDescription) -> Door {
        let audit = DeliveryAudit(delivery: delivery)
        let unchecked: NormalizedCallbackTransaction
        do {
            unchecked = try CallbackNormalizer(description: description).normalize(delivery.request)
        } catch {
            let outcome = error.suggestedOutcome
            return .auditOnly(AuditOnly(audit: audit, verdict: outcome == .invalidAmount ? "invalid_amount" : "malformed", outcome: outcome,
                                        reason: error.description, transactionID: nil))
        }
        let normalized: NormalizedCallbackTransaction
        do {
            normalized = try CallbackDoor.admit(unchecked)
        } catch {
            return .auditOnly(AuditOnly(audit: audit, verdict: "malformed", outcome: .malformed, reason: error.description,
                                        transactionID: unchecked.providerTransactionID))
        }
        guard let cached = routes?.cached(Self.routeKey(description.provider, normalized.receivingAccount)) else {
            return .routeUnknown(normalized, audit, fresh: false)
        }
        // A refusal is decided on the database's route, never the cache's: a secret added or an account routed a
        // moment ago may not have been notified yet.
        guard let route = cached, case let verdict = description.signature.verify(delivery.request, credentials: route.credentials, now: clock()),
              verdict.isAccepted else {
            return .routeUnknown(normalized, audit, fresh: true)
        }
        return judged(normalized, route: route, verdict: verdict, audit: audit)
    }

    /// The verdict on a delivery whose route (nil: none) and signature verdict are known.
    private func judged(_ normalized: NormalizedCallbackTransaction, route: CallbackRoute?, verdict: SignatureVerdict?,
                        audit: DeliveryAudit) -> Door {
        let transactionID = normalized.providerTransactionID
        guard let route, let verdict else {
            return .auditOnly(AuditOnly(audit: audit, verdict: "unknown_account", outcome: .unknownAccount,
                                        reason: "receiving account \(normalized.receivingAccount) is not routed for \(normalized.provider)",
                                        transactionID: transactionID))
        }
        let scoped = audit.scoped(to: route)
        guard verdict.isAccepted else {
            return .auditOnly(AuditOnly(audit: scoped, verdict: "refused_signature", outcome: .refusedSignature, reason: verdict.description,
                                        transactionID: transactionID))
        }
        guard normalized.succeeded, normalized.direction == .incoming, normalized.amount > 0 else {
            let reason = "not money in: direction \(normalized.direction), amount \(normalized.amount), succeeded \(normalized.succeeded)"
            return .auditOnly(AuditOnly(audit: scoped, verdict: "not_incoming", outcome: .accepted, reason: reason, transactionID: transactionID))
        }
        guard normalized.amount <= Money.absoluteDongMax else {
            return .auditOnly(AuditOnly(audit: scoped, verdict: "invalid_amount", outcome: .invalidAmount, reason: "amount beyond bounds",
                                        transactionID: transactionID))
        }
        return .admitted(normalized, route, scoped)
    }

    /// Finishes what the door left, on a thread that may block: the route read, the audit row of a
    /// refusal, the lane. The result now, or nil when `later` will get it from the commit lane.
    private func settle(_ door: Door, _ delivery: CallbackDelivery, _ description: CallbackProviderDescription,
                        later: (@Sendable (Result) -> Void)?) -> Result? {
        let replies = description.replies
        do {
            var door = door
            if case .routeUnknown(let normalized, let audit, let fresh) = door {
                door = try routed(normalized, audit: audit, fresh: fresh, delivery, description)
            }
            let (outcome, transactionID, reason): (CallbackOutcome, Int64?, String?)
            switch door {
            case .auditOnly(let answer):
                try answer.audit.record(verdict: answer.verdict, reason: answer.reason, transactionID: answer.transactionID, pool: pool)
                (outcome, transactionID, reason) = (answer.outcome, nil, answer.reason)
            case .admitted(let normalized, let route, let audit):
                guard let stored = store(normalized, route: route, audit: audit, stored: later.map { stored(description, later: $0) }) else {
                    return nil
                }
                (outcome, transactionID, reason) = stored
            case .routeUnknown:
                preconditionFailure("the route was read")
            }
            if DeliveryAudit.refusedOutcomes.contains(outcome) { refusals.recordFailure(delivery.sourceAddress) }
            return Result(outcome: outcome, reply: replies.reply(for: outcome), bankTransactionID: transactionID, reason: reason)
        } catch {
            // Nothing was committed (or the audit could not be written): the sender must retry.
            return Result(outcome: .unavailable, reply: replies.reply(for: .unavailable), bankTransactionID: nil, reason: "\(error)")
        }
    }

    /// The door's verdict once the route is read from the database (through the cache when one is kept).
    private func routed(_ normalized: NormalizedCallbackTransaction, audit: DeliveryAudit, fresh: Bool, _ delivery: CallbackDelivery,
                        _ description: CallbackProviderDescription) throws -> Door {
        var (found, cached) = try route(provider: description.provider, receivingAccount: normalized.receivingAccount, fresh: fresh)
        var verdict = found.map { description.signature.verify(delivery.request, credentials: $0.credentials, now: clock()) }
        if cached, verdict?.isAccepted != true {
            // Never refused on the cache's word (see `door`).
            found = try route(provider: description.provider, receivingAccount: normalized.receivingAccount, fresh: true).route
            verdict = found.map { description.signature.verify(delivery.request, credentials: $0.credentials, now: clock()) }
        }
        return judged(normalized, route: found, verdict: verdict, audit: audit)
    }

    private static func routeKey(_ provider: String, _ receivingAccount: String) -> String {
        provider + "\u{0}" + receivingAccount
    }

    /// The route of (provider, receiving account), from the cache when one is kept.
    private func route(provider: String, receivingAccount: String, fresh: Bool = false) throws -> (route: CallbackRoute?, cached: Bool) {
        let read = {
            try pool.withConnection { try BankConnections.route(provider: provider, receivingAccount: receivingAccount, on: $0) }
        }
        guard let routes else { return (try read(), false) }
        let (route, cached) = try routes.value(for: Self.routeKey(provider, receivingAccount), fresh: fresh, load: read)
        return (route, cached)
    }

    /// Records, books and applies through the school's commit lane; the audit row of an accepted or
    /// duplicate delivery commits with the money. With `stored`, the lane answers through it (nil
    /// returned) and this thread does not wait for the commit; with `leaders` too, this thread never
    /// leads the batch either (it must not block).
    private func store(_ normalized: NormalizedCallbackTransaction, route: CallbackRoute, audit: DeliveryAudit,
                       stored: Stored?, leaders: GroupCommit.Leaders? = nil) -> (CallbackOutcome, Int64?, String?)? {
        let transaction = NewBankTransaction(
            schoolID: route.schoolID, bankAccountID: route.bankAccountID,
            origin: .callback(provider: normalized.provider, transactionID: normalized.providerTransactionID),
            direction: .incoming, amount: Money(dong: normalized.amount), bookedOn: normalized.localDate,
            occurredAt: normalized.occurredAt, memo: normalized.memo, payerName: normalized.payerName,
            payerAccount: normalized.payerAccount, payerBank: normalized.payerBank, virtualAccount: normalized.virtualAccount)
        let pending = CallbackBatch.Pending(transaction: transaction, audit: audit, providerTransactionID: normalized.providerTransactionID)
        guard let stored else { return Self.outcome(lanes.submit(pending, schoolID: route.schoolID)) }
        let finish: @Sendable (CallbackBatch.Lanes.Answer) -> Void = { answer in
            let (outcome, transactionID, reason) = Self.outcome(answer)
            stored(outcome, transactionID, reason)
        }
        lanes.submit(pending, schoolID: route.schoolID, leaders: leaders, finish: finish)
        return nil
    }

    private static func outcome(_ answer: CallbackBatch.Lanes.Answer) -> (CallbackOutcome, Int64?, String?) {
        switch answer {
        case .success(let result) where result.outcome == .accepted: return (.accepted, result.bankTransactionID, result.reason)
        case .success(let result): return (.duplicate, result.bankTransactionID, result.reason)
        case .failure(let failure): return (.unavailable, nil, failure.reason)
        }
    }
}

/// The audit row of one delivery: the request as received (credentials redacted) and its verdict.
struct DeliveryAudit: Sendable {
    let delivery: CallbackDelivery
    var schoolID: Int64?
    var connectionID: Int64?
    /// The stored forms of the request, encoded when the delivery arrives (on its HTTP worker) so a
    /// school's commit lane, which records one batch at a time, does not spend its time on them.
    let headersJSON: String
    let queryText: String
    /// The body as kept for an accepted delivery (refused ones keep only a prefix: `insert`).
    let bodyHex: String
    let bodyDigestHex: String

    init(delivery: CallbackDelivery) {
        self.delivery = delivery
        let request = delivery.request
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(request.headers.count)
        for header in request.headers {
            let name = TextFastPaths.lowercased(header.name)
            // jsonb cannot hold NUL: control characters become spaces like every audited text.
            fields.append((DeliveryAudit.fit(name, DeliveryAudit.headerValueBytesMax),
                           DeliveryAudit.redactedHeaders.contains(name) ? "[redacted]" : DeliveryAudit.fit(header.value, DeliveryAudit.headerValueBytesMax)))
        }
        headersJSON = DeliveryAudit.jsonObject(fields)
        queryText = DeliveryAudit.fit(request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&"), DeliveryAudit.queryCharactersMax)
        bodyHex = "\\x" + Hex.encode(Array(request.body.prefix(DeliveryAudit.bodyBytesMax)))
        bodyDigestHex = "\\x" + Hex.encode(SHA256Digest.hash(request.body))
    }

    /// A JSON object of `fields`, keys in byte order (a stable text for the same headers). Written by
    /// hand: `JSONSerialization` was 7 % of the server's CPU per callback (Foundation's dynamic casts
    /// and sorting), and a string-to-string object needs nothing of it.
    static func jsonObject(_ fields: [String: String]) -> String {
        var output = "{"
        for (index, key) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { output += "," }
            JSONString.append(key, to: &output)
            output += ":"
            JSONString.append(fields[key]!, to: &output)
        }
        return output + "}"
    }

    /// `jsonObject` of fields in the order received, a repeated name keeping its last value (as a
    /// dictionary filled in that order would): sorted in an array, no dictionary of Strings to hash.
    /// Names not all ASCII go through the dictionary, whose keys compare by canonical equivalence.
    static func jsonObject(_ fields: [(name: String, value: String)]) -> String {
        guard fields.allSatisfy({ $0.name.utf8.allSatisfy { $0 < 0x80 } }) else {
            return jsonObject(Dictionary(fields, uniquingKeysWith: { _, last in last }))
        }
        // Stable by position among equal names, so the last one is kept. For ASCII text String's own comparison
        // is byte order (a memcmp), and equality byte equality.
        let sorted = fields.indices.sorted { a, b in
            fields[a].name == fields[b].name ? a < b : fields[a].name < fields[b].name
        }
        var output = "{"
        output.reserveCapacity(fields.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        var first = true
        for (position, index) in sorted.enumerated() {
            if position + 1 < sorted.count, fields[sorted[position + 1]].name == fields[index].name { continue }
            if !first { output += "," }
            first = false
            JSONString.append(fields[index].name, to: &output)
            output += ":"
            JSONString.append(fields[index].value, to: &output)
        }
        return output + "}"
    }

    /// Headers that carry credentials themselves (not signatures over the content) are not stored.
    static let redactedHeaders: Set<String> = ["authorization", "cookie", "x-api-key", "apikey", "proxy-authorization"]
    static let headerValueBytesMax = 1_024
    /// Verdicts of deliveries refused before or at the signature check: anyone can cause them, so
    /// their rows keep the body's digest, length and this many first bytes, not the whole body.
    static let refusedVerdicts: Set<String> = ["malformed", "invalid_amount", "unknown_account", "refused_signature"]
    static let refusedOutcomes: Set<CallbackOutcome> = [.malformed, .invalidAmount, .unknownAccount, .refusedSignature]
    static let refusedBodyPrefixBytes = 256
    /// The columns' lengths (migrations/0004), in PostgreSQL characters.
    static let providerCharactersMax = 32
    static let requestIDCharactersMax = 64
    static let methodCharactersMax = 10
    static let queryCharactersMax = 16_384
    static let reasonCharactersMax = 1_000
    static let transactionIDCharactersMax = 200
    static let bodyBytesMax = 65_536

    func scoped(to route: CallbackRoute) -> DeliveryAudit {
        var copy = self
        copy.schoolID = route.schoolID
        copy.connectionID = route.connectionID
        return copy
    }

    /// Records a refusal in a short transaction of its own.
    func record(verdict: String, reason: String, transactionID: String? = nil, pool: PostgresPool) throws {
        try pool.withConnection { connection in
            try insert(verdict: verdict, reason: reason, transactionID: transactionID, bankTransactionID: nil, on: connection)
        }
    }

    func insert(verdict: String, reason: String?, transactionID: String?, bankTransactionID: Int64?, on connection: PostgresConnection) throws {
        try DeliveryAudit.insert([Row(audit: self, verdict: verdict, reason: reason, transactionID: transactionID,
                                      bankTransactionID: bankTransactionID)], on: connection)
    }

    /// One delivery's verdict, ready to insert.
    struct Row {
        let audit: DeliveryAudit
        let verdict: String
        let reason: String?
        let transactionID: String?
        let bankTransactionID: Int64?
    }

    /// Inserts the rows in one statement (a batch of callbacks commits its audit with its money).
    static func insert(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        let headers = rows.map(\.audit.headersJSON), queries = rows.map(\.audit.queryText), digests = rows.map(\.audit.bodyDigestHex)
        let sizes = rows.map { Int64($0.audit.delivery.request.body.count) }
        let bodies = rows.map { row in
            refusedVerdicts.contains(row.verdict)
                ? "\\x" + Hex.encode(Array(row.audit.delivery.request.body.prefix(refusedBodyPrefixBytes))) : row.audit.bodyHex
        }
        // Written, not awaited: in the lane's transaction it travels with the COMMIT.
        try connection.write("""
            INSERT INTO callback_deliveries (provider, school_id, connection_id, request_id, method, query, headers, body, body_sha256,
                                             body_bytes, verdict, reason, provider_transaction_id, bank_transaction_id)
            SELECT u.provider, u.school, u.connection, u.request, u.method, u.query, u.headers::jsonb, u.body::bytea, u.digest::bytea,
                   least(u.size, \(Int64(bodyBytesMax))), u.verdict, u.reason, u.provider_id, u.bank_transaction
            FROM unnest(\(PostgresTextArray(rows.map { fit($0.audit.delivery.provider, providerCharactersMax) })),
                        \(PostgresNullableInt64Array(rows.map(\.audit.schoolID))), \(PostgresNullableInt64Array(rows.map(\.audit.connectionID))),
                        \(PostgresTextArray(rows.map { fit($0.audit.delivery.requestID, requestIDCharactersMax, orIfEmpty: "-") })),
                        \(PostgresTextArray(rows.map { fit($0.audit.delivery.request.method, methodCharactersMax, orIfEmpty: "-") })),
                        \(PostgresTextArray(queries)), \(PostgresTextArray(headers)), \(PostgresTextArray(bodies)),
                        \(PostgresTextArray(digests)), \(PostgresInt64Array(sizes)),
                        \(PostgresTextArray(rows.map(\.verdict))), \(PostgresNullableTextArray(rows.map { $0.reason.map { fit($0, reasonCharactersMax) } })),
                        \(PostgresNullableTextArray(rows.map { $0.transactionID.map { fit($0, transactionIDCharactersMax) } })),
                        \(PostgresNullableInt64Array(rows.map(\.bankTransactionID))))
                 AS u(provider, school, connection, request, method, query, headers, body, digest, size, verdict, reason, provider_id,
                      bank_transaction)
            """)
    }

    /// Text as an audit column holds it, whatever the sender wrote (`StatementText.sanitized`).
    static func fit(_ text: String, _ characterMax: Int, orIfEmpty fallback: String? = nil) -> String {
        let fitted = StatementText.sanitized(text, characterMax: characterMax)
        guard let fallback, fitted.isEmpty else { return fitted }
        return fallback
    }
}
