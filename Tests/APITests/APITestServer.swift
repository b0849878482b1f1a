import API
import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import TestSupport

/// A live API server on an ephemeral port over a fresh database, with two schools in two
/// districts and a token for every role.
final class APITestServer: @unchecked Sendable {
    let database: TestDatabase
    let pool: PostgresPool
    let builder: APIBuilder
    let server: HTTPServer
    let client: TestHTTPClient
    let ownSchool: School
    let otherSchool: School
    /// A token per role, scoped to `ownSchool` (accountant, bank) or its district (district office).
    let tokens: [Role: String]
    /// The listener that lets callback routes be cached (`cacheRoutes`), as `tuition serve` runs one.
    let changes: ConnectionChanges?

    /// `tls`: served over TLS; with a client CA the bank routes require a verified client certificate, as `tuition serve --tls-client-ca`.
    /// `cacheRoutes`: bank connection changes are listened to and routes cached, as in `tuition serve`.
    /// `loopConnections`: database connections each event loop keeps for bank inquiries; `eventLoops`: the server's loops.
    init(tls: TLSConfiguration? = nil, cacheRoutes: Bool = false, loopConnections: Int = APIContext.loopConnectionsDefault,
         eventLoops: Int = HTTPServerConfiguration().eventLoopThreads) throws {
        database = try TestDatabase.create()
        pool = database.pool(size: 4)
        let (own, other) = try pool.transaction(isolation: .readCommitted) { connection in
            (try Schools.create(NewSchool(code: "TH-OWN", name: "Trường Tiểu học Của Mình", district: "Quận Một", level: .primary,
                                          ownership: .nonPublic, paymentCodePrefix: "HP",
                                          bankAccounts: [NewBankAccount(bankBIN: "970436", accountNumber: "1111222233", holderName: "TH OWN")]),
                               on: connection),
             try Schools.create(NewSchool(code: "TH-OTHER", name: "Trường Tiểu học Khác", district: "Quận Hai", level: .primary,
                                          ownership: .nonPublic, paymentCodePrefix: "KH",
                                          bankAccounts: [NewBankAccount(bankBIN: "970418", accountNumber: "4444555566", holderName: "TH OTHER")]),
                               on: connection))
        }
        ownSchool = own
        otherSchool = other
        var tokens: [Role: String] = [:]
        try pool.withConnection { connection in
            for role in Role.allCases {
                let schoolID: Int64? = (role == .accountant || role == .bank) ? own.id : nil
                let authority: String? = role == .authorityOffice ? own.authority.code : nil
                tokens[role] = try TokenStore.create(role: role, schoolID: schoolID, authority: authority, label: "test \(role.rawValue)",
                                                     on: connection).token
            }
        }
        self.tokens = tokens
        let metrics = HTTPMetrics()
        changes = cacheRoutes ? ConnectionChanges(configuration: pool.configuration) : nil
        builder = TuitionAPI.build(try APIContext(pool: pool, layout: ProjectLayout(root: Repository.root), metrics: metrics,
                                                  callbacksRequireClientCertificate: tls?.clientCAFile != nil, connectionChanges: changes,
                                                  loopConnections: loopConnections))
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.workerThreads = 4
        configuration.eventLoopThreads = eventLoops
        configuration.tls = tls
        // The authorization matrix calls every expensive route many times from one address: rate limits have
        // their own tests (HTTPTests, RouteClassTests).
        configuration.protection.expensiveRequestsBurst = 100_000
        configuration.protection.newConnectionsPerAddressBurst = 100_000
        configuration.protection.refusalsPerAddressBurst = 100_000
        configuration.accessLog = nil
        configuration.errorLog = { _ in }
        server = HTTPServer(configuration: configuration, router: builder.router, metrics: metrics)
        try server.start()
        client = TestHTTPClient(port: server.boundPort)
        Thread.detachNewThread { [server] in try? server.run() }
    }

    deinit {
        server.shutdown()
        server.waitUntilStopped()
        changes?.stop()
        pool.close()
    }
}
