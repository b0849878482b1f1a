import BankFormats
import Core
import Foundation
import HTTP
import Payments

/// Bank and intermediary callbacks. Authenticated by each provider's signature scheme (see
/// docs/callbacks.md), not by tokens: the route is `.signed` and the ingest verifies the sender.
enum CallbackEndpoints {
    /// Callback bodies are small JSON documents.
    static let bodyBytesMax = 64 * 1024

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let ingest = context.callbacks
        // Deferred: a callback the school's commit lane records is answered by the thread that commits it
        // (docs/callbacks.md §6, ninth round); its door runs on the event loop, and only what may block
        // (a refusal's audit row, a route not cached) wakes a worker (tenth round).
        builder.addUnauthenticatedDeferred(.post, "/v1/callbacks/{provider}",
                                           summary: "Receive a payment callback (tuition, sepay, sepay-hmac, casso, payos, momo)",
                                           tag: "callbacks", access: .signed, request: TuitionCallbackBody.self,
                                           options: RouteOptions(bodyBytesMax: bodyBytesMax,
                                                                 requiresClientCertificate: context.callbacksRequireClientCertificate), onLoop: { request, completion, workers in
            try handle(request, provider: request.pathParameters["provider"] ?? "", ingest: ingest, completion: completion, workers: workers)
        })
        builder.addUnauthenticatedDeferred(.get, "/v1/callbacks/vnpay", summary: "Receive a VNPay IPN (query string, RspCode reply)",
                                           tag: "callbacks", access: .signed,
                                           options: RouteOptions(requiresClientCertificate: context.callbacksRequireClientCertificate), onLoop: { request, completion, workers in
            try handle(request, provider: "vnpay", ingest: ingest, completion: completion, workers: workers)
        })
    }

    /// Runs on the event loop (it never blocks): answers through `completion` at once, or after the commit of
    /// the school's batch holding the delivery; what may block is handed on to a worker.
    static func handle(_ request: Request, provider: String, ingest: CallbackIngest, completion: ResponseCompletion,
                       workers: WorkerJobs) throws -> LoopStep {
        guard let description = ingest.catalog.description(for: provider),
              description.transport.method == request.method.rawValue else {
            throw APIError.notFound("unknown_provider", "no callback provider '\(String(provider.prefix(32)))' for \(request.method.rawValue)")
        }
        let rawQuery = request.target.firstIndex(of: "?").map { String(request.target[request.target.index(after: $0)...]) } ?? ""
        let headers = request.headers.map { CallbackHeader(name: $0.name, value: $0.value) }
        let callback: CallbackRequest
        do {
            callback = try CallbackRequest(method: request.method.rawValue, rawQuery: rawQuery, headers: headers, body: request.body)
        } catch {
            completion.complete(response(description.replies.reply(for: .malformed)))
            return .taken
        }
        let delivery = CallbackDelivery(provider: provider, request: callback, requestID: request.requestId, sourceAddress: sourceAddress(request.peer))
        let rest = ingest.handleWithoutBlocking(delivery, leaders: { workers.run($0) }) { result in
            completion.complete(response(result.reply))
        }
        guard let rest else { return .taken }
        return .onWorker { _ in rest() }
    }

    /// The peer's address without its port (`ip:port`, `[v6]:port`): refusals are counted per address.
    static func sourceAddress(_ peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":") else { return peer }
        return String(peer[..<colon])
    }

    static func response(_ reply: CallbackReply) -> Response {
        var headers: HTTPHeaders = [:]
        if let type = reply.contentType { headers.set("Content-Type", type) }
        if reply.status == 503 { headers.set("Retry-After", "30") }
        return Response(status: status(reply.status), headers: headers, body: reply.body)
    }

    /// The status a provider's reply table names, with its standard reason phrase.
    static func status(_ code: Int) -> HTTPStatus {
        let known: [HTTPStatus] = [.ok, .created, .accepted, .noContent, .badRequest, .unauthorized, .forbidden, .notFound,
                                   .conflict, .unprocessableContent, .internalServerError, .serviceUnavailable]
        return known.first { $0.code == code } ?? HTTPStatus(code: code, reasonPhrase: "Status")
    }
}

/// The body of the `tuition` scheme's callback (docs/callbacks.md), documented in the OpenAPI.
struct TuitionCallbackBody: Codable, APIExample {
    var transactionId: String
    var accountNumber: String
    var virtualAccount: String?
    var amount: Int64
    var direction: String
    var bookedAt: String
    var memo: String
    var payerName: String?
    var payerAccount: String?
    var payerBank: String?

    static let example = TuitionCallbackBody(transactionId: "FT26272123456", accountNumber: "0011001234567", virtualAccount: "V2MSHP7K2Q9X",
                                             amount: 1_500_000, direction: "in", bookedAt: "2026-09-05T09:15:00+07:00",
                                             memo: "HP7K2Q9X NGUYEN VAN AN", payerName: "NGUYEN VAN B", payerAccount: "0123456789",
                                             payerBank: "VCB")
}
