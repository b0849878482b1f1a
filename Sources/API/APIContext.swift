import BankFormats
import Core
import Foundation
import HTTP
import Payments
import Postgres
import Synchronization

/// What the endpoints share: the database pool, the project's files, the server's metrics.
public struct APIContext: Sendable {
    public let pool: PostgresPool
    public let layout: ProjectLayout
    public let metrics: HTTPMetrics
    public let version: String
    public let callbacks: CallbackIngest
    /// The bank collection service, with the descriptions of `bank-formats/collections`.
    public let collections: CollectionService
    /// The bank CSV statement descriptions of `bank-formats/statements`, read once at startup.
    public let statementFormats: CSVFormatCatalog
    /// Whether callback routes require a verified TLS client certificate (the server has a client CA).
    public let callbacksRequireClientCertificate: Bool
    /// The listener that lets callback and collection routes be cached (nil: not cached, or 5 s for collections).
    public let connectionChanges: ConnectionChanges?
    /// Whether console cookies carry `Secure` (the server speaks TLS).
    public var consoleCookiesSecure = false
    /// The database connections each event loop keeps for bank inquiries (`LoopStatements`).
    let loopStatements: LoopStatements

    /// Loads the callback and statement descriptions from `bank-formats/`; a broken description stops startup.
    public init(pool: PostgresPool, layout: ProjectLayout, metrics: HTTPMetrics, version: String = TuitionAPI.version,
                callbacksRequireClientCertificate: Bool = false, clock: @escaping @Sendable () -> Date = { Date() },
                laneBatchesInFlight: Int = GroupCommit.batchesInFlightDefault, connectionChanges: ConnectionChanges? = nil,
                loopConnections: Int = APIContext.loopConnectionsDefault) throws {
        self.callbacksRequireClientCertificate = callbacksRequireClientCertificate
        self.connectionChanges = connectionChanges
        self.pool = pool
        self.layout = layout
        self.metrics = metrics
        self.version = version
        let catalog = try CallbackCatalog.load(directory: URL(fileURLWithPath: layout.bankFormats + "/callbacks"))
        self.callbacks = CallbackIngest(pool: pool, catalog: catalog, clock: clock, batchesInFlightMax: laneBatchesInFlight,
                                        changes: connectionChanges, delivery: ResponseCompletion.postingTogether)
        self.collections = CollectionService(pool: pool, catalog: try CollectionCatalog.load(directory: URL(fileURLWithPath: layout.bankFormats + "/collections")),
                                             clock: clock, batchesInFlightMax: laneBatchesInFlight, changes: connectionChanges,
                                             delivery: ResponseCompletion.postingTogether)
        self.statementFormats = try CSVFormatCatalog(directory: layout.bankFormats + "/statements")
        self.loopStatements = LoopStatements(configuration: pool.configuration, connectionsPerLoop: loopConnections,
                                             warmUp: CollectionService.prepareLoopStatements)
    }

    /// Database connections each event loop keeps for the statements it runs itself (`loopConnectionsRange`; 0:
    /// none, every inquiry runs on a worker).
    public static let loopConnectionsDefault = 4
    public static let loopConnectionsRange = 0...LoopStatements.connectionsPerLoopMax
}

/// The whole JSON API: every endpoint registered in one place.
public enum TuitionAPI {
    public static let version = "0.1.0"

    /// Builds the router and specifications of every route, and the metrics gauges of the pool.
    public static func build(_ context: APIContext) -> APIBuilder {
        var builder = APIBuilder(pool: context.pool)
        let document = RenderedDocument()
        SystemEndpoints.register(&builder, context: context, openAPI: document)
        SchoolEndpoints.register(&builder, context: context)
        CallbackEndpoints.register(&builder, context: context)
        CollectionEndpoints.register(&builder, context: context)
        CollectionReconciliationEndpoints.register(&builder, context: context)
        BillingEndpoints.register(&builder, context: context)
        BudgetClaimEndpoints.register(&builder, context: context)
        StatementEndpoints.register(&builder, context: context)
        SuspenseEndpoints.register(&builder, context: context)
        ReconciliationEndpoints.register(&builder, context: context)
        KPIEndpoints.register(&builder, context: context)
        FeedEndpoints.register(&builder, context: context)
        ConsoleRoutes.register(&builder, context: context)
        document.set(OpenAPIDocument.render(OpenAPIDocument.build(builder.specs, version: context.version)))
        registerPoolGauges(context)
        return builder
    }

    static func registerPoolGauges(_ context: APIContext) {
        let pool = context.pool
        context.metrics.registerGauge(name: "tuition_db_pool_size", help: "Connections the database pool may open.") { Double(pool.size) }
        context.metrics.registerGauge(name: "tuition_db_pool_in_use", help: "Database connections checked out.") { Double(pool.statistics.inUse) }
        context.metrics.registerGauge(name: "tuition_db_pool_waiting", help: "Threads waiting for a database connection.") {
            Double(pool.statistics.waiting)
        }
        if let changes = context.connectionChanges {
            context.metrics.registerGauge(name: "tuition_route_cache_listening",
                                          help: "1 while bank connection changes are heard and routes are cached, else 0.") {
                changes.listeningGeneration == nil ? 0 : 1
            }
            context.metrics.registerGauge(name: "tuition_route_cache_generation",
                                          help: "Bank connection changes heard (and listener reconnects) since the start.") {
                Double(changes.generation)
            }
        }
        // Round trips, not statements: a pipeline of many statements is one (bench/callbacks-where.sh).
        context.metrics.registerGauge(name: "tuition_db_round_trips_total", help: "Database round trips of this process (a pipeline is one).") {
            Double(PostgresRoundTrips.total)
        }
        context.metrics.registerGauge(name: "tuition_db_pipelined_statements_total", help: "Statements this process sent in pipelines.") {
            Double(PostgresRoundTrips.pipelinedStatements)
        }
    }
}

/// The OpenAPI document, rendered once every route is registered (the route serving it is one of them).
final class RenderedDocument: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func set(_ value: [UInt8]) { bytes.withLock { $0 = value } }
    var value: [UInt8] { bytes.withLock { $0 } }
}
