import Foundation
import HTTP

/// The OpenAPI 3.1 description of every route, generated from the same specifications that
/// registered the routes — so the document cannot list a route the router lacks, or miss one.
enum OpenAPIDocument {
    /// RFC 9457 problem documents; some carry extension members (a roster import's `problems`), so
    /// additional properties are allowed here, unlike in the API's own schemas.
    static var problemSchema: [String: Any] {
        var object = JSONSchema.object(properties: [
            ("type", .string()), ("title", .string()), ("status", .integer), ("detail", .string()),
            ("code", .string()), ("request_id", .string()),
        ], required: ["type", "title", "status", "code"]).jsonObject
        object["additionalProperties"] = true
        return object
    }

    static func build(_ specs: [APIRouteSpec], version: String) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        var schemas: [String: Any] = ["Problem": problemSchema]
        for spec in specs {
            if let response = spec.responseSchema { schemas[response.name] = response.schema.jsonObject }
        }
        // A type that is both a request and its echo keeps the request's schema: the echo is the body as accepted.
        for spec in specs {
            if let request = spec.requestSchema { schemas[request.name] = request.schema.jsonObject }
            paths[spec.template, default: [:]][spec.method.rawValue.lowercased()] = operation(spec, among: specs)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "tuition",
                "version": version,
                "description": "Tuition ledger and payment reconciliation for schools. Amounts are integers in đồng.",
            ],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "An API token from `tuition token create`."]],
            ],
        ]
    }

    static func operation(_ spec: APIRouteSpec, among specs: [APIRouteSpec]) -> [String: Any] {
        var operation: [String: Any] = [
            "operationId": operationID(spec),
            "summary": spec.summary,
            "tags": [spec.tag],
        ]
        var parameters: [[String: Any]] = spec.pathParameters.map {
            ["name": $0, "in": "path", "required": true, "schema": APIParameterSchemas.path($0).jsonObject]
        }
        parameters += spec.query.map {
            var parameter: [String: Any] = ["name": $0.name, "in": "query", "required": $0.required, "description": $0.description,
                                            "schema": $0.schema.jsonObject]
            if $0.exploded { parameter["style"] = "form"; parameter["explode"] = true }
            return parameter
        }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        switch spec.access {
        case .open:
            operation["security"] = [[String: Any]]()
        case .signed:
            operation["security"] = [[String: Any]]()
            operation["description"] = "Authenticated by the provider's signature (see docs/callbacks.md), not by a token."
        case .roles(let roles):
            operation["security"] = [["bearer": [String]()]]
            operation["x-roles"] = roles.map(\.rawValue).sorted()
        }
        if let upload = spec.upload {
            operation["requestBody"] = ["required": true, "description": upload.description,
                                        "content": [upload.mediaType: ["schema": upload.schema.jsonObject]]]
        }
        if let request = spec.requestSchema {
            operation["requestBody"] = ["required": !spec.requestBodyOptional, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(request.name)"]]]]
        }
        var responses: [String: Any] = [:]
        var content: [String: Any] = [spec.responseContentType: [String: Any]()]
        if let response = spec.responseSchema {
            content = [spec.responseContentType: ["schema": ["$ref": "#/components/schemas/\(response.name)"]]]
        }
        for mediaType in alternativeMediaTypes(spec) where content[mediaType] == nil { content[mediaType] = [String: Any]() }
        var success: [String: Any] = ["description": spec.responseStatus.reasonPhrase, "content": content]
        if let links = OpenAPILinks.links(from: spec, among: specs) { success["links"] = links }
        responses[String(spec.responseStatus.code)] = success
        let problem: [String: Any] = ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]]
        var errors = ["400", "503"]
        if case .roles = spec.access { errors += ["401", "403"] }
        if spec.isSchoolScoped || !spec.pathParameters.isEmpty { errors.append("404") }
        // A JSON body, or a file upload (a POST without a JSON schema), can be refused for its content.
        if spec.requestSchema != nil || spec.method == .post || spec.method == .put { errors += ["409", "422"] }
        if spec.routeClass == .expensive { errors.append("429") }
        for code in errors { responses[code] = ["description": "Problem", "content": problem] }
        operation["responses"] = responses
        return operation
    }

    /// The media type each value of a `format` query parameter answers in (`ReportFormatChoice`, the collection
    /// day's answer files).
    static let formatMediaTypes = ["json": "application/json", "csv": "text/csv", "html": "text/html",
                                   "summary": "text/plain", "differences": "text/plain"]

    /// The other media types an operation answers in, by the values of its `format` parameter.
    static func alternativeMediaTypes(_ spec: APIRouteSpec) -> [String] {
        guard let format = spec.query.first(where: { $0.name == "format" }),
              let values = format.schema.jsonObject["enum"] as? [String] else { return [] }
        return values.compactMap { formatMediaTypes[$0] }
    }

    /// `GET /v1/schools/{school}/invoices` → `get_v1_schools_school_invoices`.
    static func operationID(_ spec: APIRouteSpec) -> String {
        operationID(spec.method, spec.template)
    }

    static func operationID(_ method: HTTPMethod, _ template: String) -> String {
        let path = template.split(separator: "/").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "{}")) }
        return ([method.rawValue.lowercased()] + path).joined(separator: "_").replacingOccurrences(of: ".", with: "_")
    }

    static func render(_ document: [String: Any]) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            preconditionFailure("the OpenAPI document is not serialisable: \(error)")
        }
    }
}
