import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Builds the router and the route specifications together, so the OpenAPI document lists
/// exactly the routes the router serves, and every route states who may call it.
public struct APIBuilder {
    public private(set) var router = Router()
    public private(set) var specs: [APIRouteSpec] = []
    /// The console's HTML pages (`METHOD template`): served by the router, outside the JSON API's document.
    public private(set) var pages: [String] = []
    let pool: PostgresPool

    init(pool: PostgresPool) {
        self.pool = pool
    }

    public typealias Handler = @Sendable (APIRequest) throws -> Response

    /// A route that needs a bearer token of one of `roles`. On a template with `{school}`, the
    /// school is resolved and checked against the caller's scope before `handler` runs.
    public mutating func add(_ method: HTTPMethod, _ template: String, summary: String, tag: String, roles: Set<Role>,
                             query: [QueryParameterSpec] = [], request: (any APIExample.Type)? = nil,
                             response: (any APIExample.Type)?, status: HTTPStatus = .ok,
                             contentType: String = "application/json", options: RouteOptions = RouteOptions(), upload: APIUpload? = nil,
                             handler: @escaping Handler) {
        precondition(!roles.isEmpty, "\(method) \(template) must allow at least one role")
        var spec = APIRouteSpec(method: method, template: template, summary: summary, tag: tag, access: .roles(roles), query: query,
                                requestSchema: request.map(Self.requestSchema), responseStatus: status, responseContentType: contentType,
                                responseSchema: response.map(Self.schema))
        spec.requestBodyOptional = request.map(RequestBodySchema.isOptional) ?? false
        spec.upload = upload
        let pool = self.pool
        let schoolScoped = spec.isSchoolScoped
        let bodySchema = spec.requestSchema
        var options = options
        options.bearerRealm = APIError.realm
        register(spec, options: options) { http in
            do {
                let (caller, school) = try pool.withConnection { connection in
                    try APIBuilder.authorize(http, roles: roles, schoolScoped: schoolScoped, on: connection)
                }
                return try handler(APIRequest(http: http, caller: caller, school: school, bodySchema: bodySchema))
            } catch {
                throw APIError.translate(error)
            }
        }
    }

    /// A route without a token: `.open` routes, and `.signed` callback routes that verify the sender themselves.
    public mutating func addUnauthenticated(_ method: HTTPMethod, _ template: String, summary: String, tag: String, access: RouteAccess,
                                            query: [QueryParameterSpec] = [], request: (any APIExample.Type)? = nil,
                                            response: (any APIExample.Type)?, status: HTTPStatus = .ok,
                                            contentType: String = "application/json", options: RouteOptions = RouteOptions(),
                                            handler: @escaping @Sendable (Request) throws -> Response) {
        let spec = Self.unauthenticatedSpec(method, template, summary: summary, tag: tag, access: access, query: query, request: request,
                                            response: response, status: status, contentType: contentType)
        register(spec, options: options) { http in
            do { return try handler(http) } catch { throw APIError.translate(error) }
        }
    }

    /// An unauthenticated route (a bank's callbacks and collection requests, checked by their own signatures)
    /// whose handler runs on the event loop first (`Router.addDeferred(_:_:options:onLoop:)`) and answers
    /// through its completion: the door needs no database in the common case (docs/callbacks.md §6, tenth round).
    mutating func addUnauthenticatedDeferred(_ method: HTTPMethod, _ template: String, summary: String, tag: String, access: RouteAccess,
                                             request: (any APIExample.Type)? = nil, options: RouteOptions = RouteOptions(),
                                             onLoop handler: @escaping LoopFirstHandler) {
        let spec = Self.unauthenticatedSpec(method, template, summary: summary, tag: tag, access: access, query: [], request: request,
                                            response: nil, status: .ok, contentType: "application/json")
        router.addDeferred(spec.method, spec.template, options: recorded(spec, options: options), onLoop: { http, completion, workers in
            let step: LoopStep
            do { step = try handler(http, completion, workers) } catch { throw APIError.translate(error) }
            guard case .onWorker(let rest) = step else { return step }
            return .onWorker { completion in
                do { try rest(completion) } catch { throw APIError.translate(error) }
            }
        })
    }

    private static func unauthenticatedSpec(_ method: HTTPMethod, _ template: String, summary: String, tag: String, access: RouteAccess,
                                            query: [QueryParameterSpec], request: (any APIExample.Type)?, response: (any APIExample.Type)?,
                                            status: HTTPStatus, contentType: String) -> APIRouteSpec {
        if case .roles = access { preconditionFailure("use add(_:_:roles:) for token routes") }
        return APIRouteSpec(method: method, template: template, summary: summary, tag: tag, access: access, query: query,
                            requestSchema: request.map(Self.requestSchema), responseStatus: status, responseContentType: contentType,
                            responseSchema: response.map(Self.schema))
    }

    /// Bank callbacks and bank collection are critical by their path, so every route under these prefixes,
    /// including ones added later, gets the reserved workers and is never shed (docs/http.md, "Flood protection").
    static let criticalPathPrefixes = ["/v1/callbacks/", "/v1/collect/"]

    /// A console page (HTML, not part of the JSON API's document): the console authenticates and scopes it itself.
    mutating func addPage(_ method: HTTPMethod, _ template: String, bodyBytesMax: Int? = nil, routeClass: RouteClass = .standard,
                          handler: @escaping HTTPHandler) {
        var options = RouteOptions(routeClass: routeClass)
        if let bodyBytesMax { options.bodyBytesMax = bodyBytesMax }
        pages.append("\(method.rawValue) \(template)")
        router.add(method, template, options: options) { request in
            do { return try handler(request) } catch {
                // The API's translation of service errors (e.g. a document that cannot print) into statuses, as a page.
                guard let answer = APIError.translate(error) as? any HTTPResponseError else { throw error }
                return ConsoleHTTP.errorPage(answer)
            }
        }
    }

    private mutating func register(_ spec: APIRouteSpec, options: RouteOptions, handler: @escaping HTTPHandler) {
        router.add(spec.method, spec.template, options: recorded(spec, options: options), handler: handler)
    }

    /// Records `spec` for the document and returns the options its route is added with: critical by its path.
    private mutating func recorded(_ spec: APIRouteSpec, options: RouteOptions) -> RouteOptions {
        var options = options
        if Self.criticalPathPrefixes.contains(where: spec.template.hasPrefix) { options.routeClass = .critical }
        var spec = spec
        spec.routeClass = options.routeClass
        specs.append(spec)
        return options
    }

    static func schema(_ type: any APIExample.Type) -> (name: String, schema: JSONSchema) {
        (String(describing: type), SchemaEncoder.schema(of: type.example))
    }

    /// A request body's schema: its example's, refined by the checks the server makes (`APIRequestBody`).
    static func requestSchema(_ type: any APIExample.Type) -> (name: String, schema: JSONSchema) {
        (String(describing: type), RequestBodySchema.schema(of: type))
    }

    // MARK: - Authorization

    /// The caller (401 without a valid token, 403 for a role the route does not allow) and, for school
    /// routes, the school — 404 when it does not exist *or* is outside the caller's scope.
    static func authorize(_ request: Request, roles: Set<Role>, schoolScoped: Bool,
                          on connection: PostgresConnection) throws -> (Caller, School?) {
        guard let token = BearerCredentials.token(in: request.headers["authorization"]),
              let caller = try TokenStore.authenticate(String(token), on: connection) else { throw APIError.unauthorized }
        // A verified token is rate limited by its own bucket, whatever its role or scope decide next; the address's
        // bucket is for what no token vouches for (docs/http.md, "Rate limits of expensive routes").
        request.rateCharge?.authenticated()
        guard roles.contains(caller.role) else {
            throw APIError.forbidden("role \(caller.role.rawValue) may not call this route")
        }
        guard schoolScoped else { return (caller, nil) }
        guard let code = request.pathParameters["school"], code.utf8.count <= 32,
              let school = try Schools.find(code: code, on: connection), caller.canSee(school) else {
            throw APIError.notFound("school_not_found", "no such school")
        }
        return (caller, school)
    }
}
