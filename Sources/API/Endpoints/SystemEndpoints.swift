import Core
import Foundation
import HTTP
import Postgres
import Synchronization

struct StatusView: Codable, APIExample {
    var status: String
    var pendingMigrations: [String]?
    static let example = StatusView(status: "ready", pendingMigrations: ["0009_example"])
}

/// Liveness, readiness, metrics and the API description.
enum SystemEndpoints {
    static func register(_ builder: inout APIBuilder, context: APIContext, openAPI: RenderedDocument) {
        let health = Array(#"{"status":"ok"}"#.utf8)
        builder.addUnauthenticated(.get, "/health", summary: "Liveness: the process answers", tag: "system", access: .open,
                                   response: StatusView.self, options: .inline) { _ in
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: health)
        }
        builder.addUnauthenticated(.get, "/ready", summary: "Readiness: the database answers and migrations are current",
                                   tag: "system", access: .open, response: StatusView.self) { _ in
            try ready(context)
        }
        builder.add(.get, "/metrics", summary: "Prometheus metrics", tag: "system", roles: RoleSets.operators,
                    response: nil, contentType: "text/plain; version=0.0.4") { _ in
            context.metrics.prometheusResponse()
        }
        builder.addUnauthenticated(.get, "/openapi.json", summary: "This API's OpenAPI 3.1 description", tag: "system",
                                   access: .open, response: nil, options: .inline) { _ in
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: openAPI.value)
        }
    }

    static func ready(_ context: APIContext) throws -> Response {
        let pending: [String]
        do {
            pending = try context.pool.withConnection { connection in
                try Migrator(directory: context.layout.migrations).pending(connection)
            }
        } catch {
            return try APIJSON.response(StatusView(status: "database unreachable", pendingMigrations: nil), status: .serviceUnavailable)
        }
        guard pending.isEmpty else {
            return try APIJSON.response(StatusView(status: "migrations pending", pendingMigrations: pending), status: .serviceUnavailable)
        }
        return try APIJSON.response(StatusView(status: "ready", pendingMigrations: nil))
    }
}
