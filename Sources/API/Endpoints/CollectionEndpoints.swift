import BankFormats
import Core
import Foundation
import HTTP
import Payments

/// The bank collection service (docs/collection.md): token, inquiry, payment notice and reversal,
/// one route per operation path the collection descriptions name. Authenticated by each provider's
/// scheme (signature, or bearer token and checksum) against the connection its service code names.
enum CollectionEndpoints {
    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let service = context.collections
        for path in service.catalog.paths {
            let providers = service.catalog.providers.filter { service.resolve(provider: $0, path: path) != nil }
            let (summary, body) = documentation(path)
            // Deferred: a payment notice is answered by the thread that commits its school's batch (docs/callbacks.md §6,
            // ninth round), and its door runs on the event loop (tenth round); the other operations, and whatever may
            // block, run on a worker and answer before their handler returns.
            builder.addUnauthenticatedDeferred(.post, "/v1/collect/{provider}/\(path)", summary: summary + " (\(providers.joined(separator: ", ")))",
                                               tag: "collections", access: .signed, request: body,
                                               options: RouteOptions(bodyBytesMax: CollectionLimits.bodyBytesMax,
                                                                     requiresClientCertificate: context.callbacksRequireClientCertificate), onLoop: { request, completion, workers in
                try handle(request, path: path, service: service, reads: context.loopStatements, completion: completion, workers: workers)
            })
        }
    }

    static func documentation(_ path: String) -> (String, (any APIExample.Type)?) {
        switch path {
        case "inquiry": return ("Bank collection: what a pupil owes", CollectionInquiryBody.self)
        case "payments": return ("Bank collection: payment notice, exactly once on the bank's transaction id", CollectionPaymentBody.self)
        case "reversals": return ("Bank collection: reverse a payment notice within the cut-off", CollectionReversalBody.self)
        case "token": return ("Bank collection: a short-lived bearer token for HTTP Basic credentials", nil)
        default: return ("Bank collection operation '\(path)' of a bank-style layout", nil)
        }
    }

    /// Runs on the event loop (it never blocks): answers through `completion` at once, when an inquiry's rows
    /// arrive on a connection of this loop (`reads`), or (a payment notice) after the commit of its school's
    /// batch; what may block is handed on to a worker.
    static func handle(_ request: Request, path: String, service: CollectionService, reads: LoopStatements, completion: ResponseCompletion,
                       workers: WorkerJobs) throws -> LoopStep {
        let provider = request.pathParameters["provider"] ?? ""
        guard service.resolve(provider: provider, path: path) != nil else {
            throw APIError.notFound("unknown_provider", "no collection provider '\(String(provider.prefix(32)))' serving '\(path)'")
        }
        let collection = CollectionRequest(provider: provider, path: path, headers: request.headers.map { CallbackHeader(name: $0.name, value: $0.value) },
                                           body: request.body, requestID: request.requestId,
                                           clientCertificateSHA256: request.clientCertificate?.sha256Fingerprint)
        let rest = service.handleWithoutBlocking(collection, leaders: { workers.run($0) },
                                                 startRead: { query, finish in reads.start(query, workers: workers, finish: finish) }) { result in
            completion.complete(response(result))
        }
        guard let rest else { return .taken }
        return .onWorker { _ in rest() }
    }

    static func response(_ result: CollectionService.Result) -> Response {
        var headers: HTTPHeaders = [:]
        headers.set("Content-Type", "application/json")
        headers.set("Cache-Control", "no-store")
        if result.status == 503 { headers.set("Retry-After", "30") }
        return Response(status: CallbackEndpoints.status(result.status), headers: headers, body: result.body)
    }
}

/// Our contract's inquiry body (docs/collection.md), documented in the OpenAPI.
struct CollectionInquiryBody: Codable, APIExample {
    var serviceCode: String
    var customerCode: String
    static let example = CollectionInquiryBody(serviceCode: "THCS-BADINH-01", customerCode: "HS0001")
}

/// Our contract's payment notice body.
struct CollectionPaymentBody: Codable, APIExample {
    var serviceCode: String
    var transactionId: String
    var inquiryId: String?
    var items: [String]?
    var customerCode: String?
    var amount: Int64
    var paidAt: String
    static let example = CollectionPaymentBody(serviceCode: "THCS-BADINH-01", transactionId: "VCB-COL-20260915-000123",
                                               inquiryId: "q1.1.42.1789443369.7-1500000.0f3c...", items: ["2026/000007"],
                                               customerCode: "HS0001", amount: 1_500_000, paidAt: "2026-09-15T10:21:07+07:00")
}

/// Our contract's reversal body.
struct CollectionReversalBody: Codable, APIExample {
    var serviceCode: String
    var transactionId: String
    var reversalId: String
    var reason: String?
    static let example = CollectionReversalBody(serviceCode: "THCS-BADINH-01", transactionId: "VCB-COL-20260915-000123",
                                                reversalId: "VCB-REV-20260915-000009", reason: "customer cancelled")
}
