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

/// A school with September invoices, collection connections for `tuition` and `vnbank` on its bank
/// account, and a way to send signed collection requests at a chosen time.
struct CollectionFixture: Sendable {
    let billing: BillingFixture
    let service: CollectionService
    let clock: Clock
    static let secret = "collection-secret-2026-tuition"
    static let service = "SVC-TRUONG-1"
    static let account = "0011001234567"

    var pool: PostgresPool { billing.pool }
    var school: School { billing.school }
    var now: Date { clock.now }

    /// The injected clock, movable by tests (cut-offs, token expiry).
    final class Clock: Sendable {
        private let value = Mutex<Date>(Date(timeIntervalSince1970: 1_789_456_000)) // 2026-09-15 ~14:06 in Vietnam
        var now: Date { value.withLock { $0 } }
        func advance(seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    init(parameters: [String: String] = [:]) throws {
        billing = try BillingFixture()
        let catalog = try CollectionCatalog.load(directory: URL(fileURLWithPath: Repository.bankFormats + "/collections"))
        let clock = Clock()
        self.clock = clock
        service = CollectionService(pool: billing.pool, catalog: catalog, clock: { clock.now })
        let schoolID = billing.school.id
        try billing.transaction { connection in
            for provider in ["tuition", "vnbank"] {
                _ = try BankConnections.add(schoolID: schoolID, provider: catalog.description(for: provider)!.connectionProvider,
                                            requiredParameters: [], label: "test \(provider)",
                                            accounts: [(receiving: CollectionFixture.service + (provider == "vnbank" ? "-V" : ""),
                                                        bankAccountNumber: CollectionFixture.account)],
                                            secret: CollectionFixture.secret, parameters: parameters, on: connection)
            }
        }
    }

    private init(billing: BillingFixture, service: CollectionService, clock: Clock) {
        self.billing = billing
        self.service = service
        self.clock = clock
    }

    /// The service as a new process starts it over the same database, `seconds` later: nothing kept in memory.
    func restarted(afterSeconds seconds: TimeInterval) -> CollectionFixture {
        clock.advance(seconds: seconds)
        let clock = self.clock
        return CollectionFixture(billing: billing, service: CollectionService(pool: pool, catalog: service.catalog, clock: { clock.now }),
                                 clock: clock)
    }

    /// The same service, its routes cached until `changes` hears a connection change.
    func listening(to changes: ConnectionChanges) -> CollectionFixture {
        let clock = self.clock
        return CollectionFixture(billing: billing, service: CollectionService(pool: pool, catalog: service.catalog, clock: { clock.now },
                                                                              changes: changes),
                                 clock: clock)
    }

    var tuition: CollectionProviderDescription { service.catalog.description(for: "tuition")! }
    var vnbank: CollectionProviderDescription { service.catalog.description(for: "vnbank")! }

    /// Sends a body of our contract to `path`, signed with `secret` at `signedAt` with `nonce` (fresh by default).
    func send(_ path: String, _ fields: [String: Any], secret: String = CollectionFixture.secret, signedAt: Date? = nil,
              nonce: String? = nil, signature: String? = nil, clientCertificate: String? = nil) throws -> CollectionService.Result {
        var object = fields
        if object["service_code"] == nil { object["service_code"] = CollectionFixture.service }
        let body = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        return sendRaw(path, body, secret: secret, signedAt: signedAt, nonce: nonce, signature: signature, clientCertificate: clientCertificate)
    }

    func sendRaw(_ path: String, _ body: [UInt8], secret: String = CollectionFixture.secret, signedAt: Date? = nil,
                 nonce: String? = nil, signature: String? = nil, clientCertificate: String? = nil) -> CollectionService.Result {
        let timestamp = Int64((signedAt ?? now).timeIntervalSince1970)
        let header = signature ?? CollectionSigning.header(secret: CallbackSecret(secret)!, timestamp: timestamp,
                                                            nonce: nonce ?? "n-\(UInt64.random(in: 0...UInt64.max))", path: path, body: body)
        return service.handle(CollectionRequest(provider: "tuition", path: path, headers: [CallbackHeader(name: "Collect-Signature", value: header)],
                                                body: body, requestID: "test-\(UInt32.random(in: 0...UInt32.max))",
                                                clientCertificateSHA256: clientCertificate))
    }

    /// A bank-style token for the vnbank connection (HTTP Basic with the service code and the secret).
    func vnbankToken(password: String = CollectionFixture.secret) throws -> CollectionService.Result {
        let basic = "Basic " + Data("\(CollectionFixture.service)-V:\(password)".utf8).base64EncodedString()
        return service.handle(CollectionRequest(provider: "vnbank", path: "token", headers: [CallbackHeader(name: "Authorization", value: basic)],
                                                body: [], requestID: "test-token"))
    }

    /// Sends a vnbank request with its checksum over the operation's fields and a bearer token.
    func sendVnbank(_ operation: CollectionOperation, _ fields: [String: String], token: String, checksumSecret: String = CollectionFixture.secret)
        throws -> CollectionService.Result {
        guard case .bearerChecksum(let scheme) = vnbank.authentication else { preconditionFailure() }
        var object = fields
        object["partnerCode"] = object["partnerCode"] ?? CollectionFixture.service + "-V"
        object["requestId"] = object["requestId"] ?? "R\(UInt64.random(in: 0...UInt64.max))"
        object["requestTime"] = object["requestTime"] ?? CollectionFixture.vietnamTime(now)
        let values = scheme.checksumFields[operation.rawValue]!.map { object[$0] ?? "" }
        object["checksum"] = CollectionSigning.checksum(secret: CallbackSecret(checksumSecret)!, values: values, separator: scheme.separator)
        let body = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        return service.handle(CollectionRequest(provider: "vnbank", path: vnbank.paths[operation]!,
                                                headers: [CallbackHeader(name: "Authorization", value: "Bearer " + token)],
                                                body: body, requestID: "test-vn"))
    }

    static func vietnamTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMddHHmmss"
        formatter.timeZone = TimeZone(secondsFromGMT: VietnamTime.utcOffsetSeconds)
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: date)
    }

    static func json(_ result: CollectionService.Result) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(result.body))) as? [String: Any] ?? [:]
    }

    func count(_ sql: String) throws -> Int64 {
        try pool.withConnection { try $0.query(PostgresQuery(unsafeSQL: sql)).singleRow()!.decode(column: 0, as: Int64.self) }
    }

    func suspenseBalance(of transaction: Int64) throws -> Money {
        try pool.withConnection { connection in
            let suspense = try LedgerQueries.account(schoolID: school.id, purpose: .suspense, on: connection)!.accountID
            return try LedgerQueries.balance(schoolID: school.id, accountID: suspense, dimension: .bankTransaction, id: transaction, on: connection) ?? .zero
        }
    }

    func payment(_ reference: String, provider: String = "tuition") throws -> CollectionPayment? {
        try pool.withConnection { try CollectionPayments.find(schoolID: school.id, provider: provider, bankReference: reference, on: $0) }
    }
}
