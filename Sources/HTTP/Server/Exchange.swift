/// What the server remembers about one request between its head and its response: enough to frame the
/// response, log it and count it. Travels to the worker and back.
struct Exchange: Sendable {
    var requestId: String
    /// nil when the request line could not be parsed.
    var method: HTTPMethod?
    /// Index of the matched template, or -1 (unmatched).
    var templateIndex: Int
    var routeLabel: String
    var keepAlive: Bool
    var version: HTTPVersion = .http1_1
    /// HEAD: send the headers of the response but not its body.
    var omitBody: Bool
    var startedAt: UInt64
    /// The flood protection that refused the request (`load_shed`, `rate_limited`, `body_budget`), for the access log.
    var limit: String?

    static func unmatched(requestId: String, method: HTTPMethod?, keepAlive: Bool, startedAt: UInt64) -> Exchange {
        Exchange(requestId: requestId, method: method, templateIndex: -1, routeLabel: HTTPMetrics.unmatchedRoute,
                 keepAlive: keepAlive, omitBody: method == .head, startedAt: startedAt)
    }
}

/// Runs a handler and turns whatever happens into a response that is safe to send.
enum Responder {
    static func respond(_ route: Route, to request: Request, errorLog: @Sendable (String) -> Void) -> Response {
        let response: Response
        do {
            response = try route.handler(request)
        } catch let error as any HTTPResponseError {
            if error.status.code >= 500 {
                errorLog("request \(request.requestId) \(route.template): \(error.status.code) \(error.code)")
            }
            return safeProblem(error, request: request, route: route, errorLog: errorLog)
        } catch {
            errorLog("request \(request.requestId) \(route.template): handler failed: \(String(reflecting: error))")
            return ProblemDocument.response(HTTPError.internalError, requestId: request.requestId)
        }
        if let problem = ResponseSerializer.headerProblem(response.headers) {
            errorLog("request \(request.requestId) \(route.template): handler response rejected: \(problem)")
            return ProblemDocument.response(HTTPError.internalError, requestId: request.requestId)
        }
        return response
    }

    private static func safeProblem(
        _ error: any HTTPResponseError, request: Request, route: Route, errorLog: @Sendable (String) -> Void
    ) -> Response {
        let response = ProblemDocument.response(error, requestId: request.requestId)
        if let problem = ResponseSerializer.headerProblem(response.headers) {
            errorLog("request \(request.requestId) \(route.template): error response rejected: \(problem)")
            return ProblemDocument.response(HTTPError.internalError, requestId: request.requestId)
        }
        return response
    }
}
