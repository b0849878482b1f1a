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
        guard case .immediate(let handler) = route.handler else { preconditionFailure("a deferred route answers through its completion") }
        let response: Response
        do {
            response = try handler(request)
        } catch {
            return problem(for: error, requestId: request.requestId, routeTemplate: route.template, errorLog: errorLog)
        }
        return checked(response, requestId: request.requestId, routeTemplate: route.template, errorLog: errorLog)
    }

    /// Runs a deferred handler: a throw before it answered is answered with the error's problem document.
    static func respondLater(_ route: Route, to request: Request, completion: ResponseCompletion, errorLog: @Sendable (String) -> Void) {
        guard case .deferred(let handler) = route.handler else { preconditionFailure("an immediate route returns its response") }
        do {
            try handler(request, completion)
        } catch {
            completion.fail(error)
        }
    }

    /// A handler's response, or a 500 when its headers cannot be sent.
    static func checked(_ response: Response, requestId: String, routeTemplate: String, errorLog: @Sendable (String) -> Void) -> Response {
        guard let problem = ResponseSerializer.headerProblem(response.headers) else { return response }
        errorLog("request \(requestId) \(routeTemplate): handler response rejected: \(problem)")
        return ProblemDocument.response(HTTPError.internalError, requestId: requestId)
    }

    /// What a handler's error answers: its own problem document, or 500 for errors that are not HTTP errors.
    static func problem(for error: any Error, requestId: String, routeTemplate: String, errorLog: @Sendable (String) -> Void) -> Response {
        guard let error = error as? any HTTPResponseError else {
            errorLog("request \(requestId) \(routeTemplate): handler failed: \(String(reflecting: error))")
            return ProblemDocument.response(HTTPError.internalError, requestId: requestId)
        }
        if error.status.code >= 500 {
            errorLog("request \(requestId) \(routeTemplate): \(error.status.code) \(error.code)")
        }
        let response = ProblemDocument.response(error, requestId: requestId)
        if let problem = ResponseSerializer.headerProblem(response.headers) {
            errorLog("request \(requestId) \(routeTemplate): error response rejected: \(problem)")
            return ProblemDocument.response(HTTPError.internalError, requestId: requestId)
        }
        return response
    }
}
