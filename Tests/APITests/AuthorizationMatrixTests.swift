import API
import Core
import Foundation
import HTTP
import Testing
import TestSupport

/// Every route × every role × own school / other school / no token, against what the route declares.
@Suite struct AuthorizationMatrixTests {
    /// A concrete target for a template: `{school}` becomes `school`, any other parameter `1`.
    func target(_ template: String, school: String) -> String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            if segment == "{school}" { return school }
            if segment.hasPrefix("{") { return "1" }
            return String(segment)
        }.joined(separator: "/")
    }

    func call(_ server: APITestServer, _ spec: APIRouteSpec, school: String, token: String?) throws -> TestHTTPClient.Response {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let body: [UInt8] = spec.method == .post || spec.method == .put ? Array("{}".utf8) : []
        if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
        return try server.client.request(spec.method.rawValue, target(spec.template, school: school), headers: headers, body: body)
    }

    @Test func everyRouteEnforcesWhatItDeclares() throws {
        let server = try APITestServer()
        var checked = 0
        for spec in server.builder.specs {
            guard case .roles(let allowed) = spec.access else { continue }
            let own = server.ownSchool.code, other = server.otherSchool.code
            let anonymous = try call(server, spec, school: own, token: nil)
            #expect(anonymous.status == 401, "\(spec.method) \(spec.template) without a token: \(anonymous.status)")
            #expect(anonymous.header("WWW-Authenticate") != nil)
            let forged = try call(server, spec, school: own, token: "tt_" + String(repeating: "A", count: 43))
            #expect(forged.status == 401, "\(spec.method) \(spec.template) with an unknown token: \(forged.status)")
            for role in Role.allCases {
                let token = server.tokens[role]!
                let mine = try call(server, spec, school: own, token: token)
                if !allowed.contains(role) {
                    #expect(mine.status == 403, "\(role) on \(spec.method) \(spec.template): \(mine.status) \(mine.text)")
                    continue
                }
                #expect(![401, 403].contains(mine.status) && mine.json["code"] as? String != "school_not_found",
                        "\(role) on own school \(spec.method) \(spec.template): \(mine.status) \(mine.text)")
                guard spec.isSchoolScoped else { continue }
                let theirs = try call(server, spec, school: other, token: token)
                if role == .admin || role == .financeOffice {
                    #expect(theirs.json["code"] as? String != "school_not_found", "\(role) sees every school")
                } else {
                    // Another school's resources do not exist for this caller: 404, never 403.
                    #expect(theirs.status == 404 && theirs.json["code"] as? String == "school_not_found",
                            "\(role) on other school \(spec.method) \(spec.template): \(theirs.status)")
                }
                let missing = try call(server, spec, school: "NO-SUCH-SCHOOL", token: token)
                #expect(missing.status == 404 && missing.json["code"] as? String == "school_not_found")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    /// An upload without a bearer header is refused from its head: the server never waits for, or
    /// buffers, the 20 MiB it announces.
    @Test func aBodyWithoutBearerCredentialsIsRefusedBeforeItIsRead() throws {
        let server = try APITestServer()
        let head = "POST /v1/schools/\(server.ownSchool.code)/statements?account=1 HTTP/1.1\r\nHost: test\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: 20000000\r\n\r\n"
        let reply = String(decoding: try server.client.exchange(Array(head.utf8), timeoutSeconds: 5), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 401 "), "\(reply)")
        #expect(reply.contains("WWW-Authenticate: Bearer realm=\"tuition\"") && reply.contains("\"code\":\"unauthorized\""), "\(reply)")
    }

    @Test func revokedTokensAreRefused() throws {
        let server = try APITestServer()
        let created = try server.pool.withConnection {
            try TokenStore.create(role: .financeOffice, schoolID: nil, authority: nil, label: "short-lived", on: $0)
        }
        #expect(try server.client.get("/v1/schools", token: created.token).status == 200)
        #expect(try server.pool.withConnection { try TokenStore.revoke(tokenID: created.tokenID, on: $0) })
        #expect(try server.client.get("/v1/schools", token: created.token).status == 401)
    }

    @Test func tokensAreStoredOnlyAsHashes() throws {
        let server = try APITestServer()
        let stored = try server.pool.withConnection {
            try $0.query("SELECT encode(token_hash, 'hex') FROM api_tokens").map { try $0.decode(column: 0, as: String.self) }
        }
        for token in server.tokens.values {
            #expect(token.utf8.count >= 43 + 3)
            #expect(!stored.contains { $0.contains(token) })
        }
    }
}

@Suite struct OpenAPITests {
    @Test func theDocumentListsExactlyTheRoutesTheRouterServes() throws {
        let server = try APITestServer()
        let response = try server.client.get("/openapi.json")
        #expect(response.status == 200)
        let document = response.json
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let pages = Set(server.builder.pages)
        #expect(pages.allSatisfy { $0.contains(" /console") || $0.contains(" /parents") }, "only the console's HTML pages are left out")
        let routed = Set(server.builder.router.routes.map { "\($0.method.rawValue) \($0.template)" }).subtracting(pages)
        #expect(documented == routed)
        #expect(!routed.isEmpty)
        // Every referenced schema is defined.
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let text = response.text
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: "#/components/schemas/", range: searchRange) {
            let name = text[found.upperBound...].prefix { $0 != "\"" }
            #expect(schemas[String(name)] != nil, "schema \(name) is referenced but not defined")
            searchRange = found.upperBound..<text.endIndex
        }
    }

    @Test func schemasFollowTheEncodedJSON() throws {
        let server = try APITestServer()
        let schools = try server.client.get("/v1/schools/\(server.ownSchool.code)", token: server.tokens[.admin]!)
        #expect(schools.status == 200)
        let document = try server.client.get("/openapi.json").json
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let schoolSchema = schemas["SchoolView"] as? [String: Any] ?? [:]
        let properties = Set((schoolSchema["properties"] as? [String: Any] ?? [:]).keys)
        // Every key the server wrote is documented (optional ones may be absent from this response).
        #expect(Set(schools.json.keys).isSubset(of: properties))
        let required = Set(schoolSchema["required"] as? [String] ?? [])
        #expect(required.isSubset(of: Set(schools.json.keys)))
    }
}

@Suite struct SystemEndpointTests {
    @Test func healthReadyAndMetrics() throws {
        let server = try APITestServer()
        #expect(try server.client.get("/health").status == 200)
        let ready = try server.client.get("/ready")
        #expect(ready.status == 200 && ready.json["status"] as? String == "ready")
        let metrics = try server.client.get("/metrics", token: server.tokens[.admin]!)
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("tuition_db_pool_in_use"))
        #expect(metrics.text.contains(#"route="/health""#))
        // Labels come from templates, never from raw paths.
        _ = try server.client.get("/v1/schools/SOME-RAW-VALUE", token: server.tokens[.admin]!)
        #expect(!(try server.client.get("/metrics", token: server.tokens[.admin]!).text.contains("SOME-RAW-VALUE")))
    }

    @Test func createsSchoolsWithValidationErrorsNamingTheField() throws {
        let server = try APITestServer()
        let admin = server.tokens[.admin]!
        let created = try server.client.postJSON("/v1/schools", """
            {"code":"THCS-NEW","name":"Trường THCS Mới","district":"Quận Ba","level":"lower_secondary","payment_code_prefix":"NM",
             "bank_accounts":[{"bank_bin":"970415","account_number":"0011001932418","holder_name":"THCS MOI"}]}
            """, token: admin)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["code"] as? String == "THCS-NEW")
        let duplicate = try server.client.postJSON("/v1/schools", """
            {"code":"THCS-NEW","name":"x","district":"y","level":"primary","payment_code_prefix":"NM","bank_accounts":[]}
            """, token: admin)
        #expect(duplicate.status == 409)
        let badPrefix = try server.client.postJSON("/v1/schools", """
            {"code":"THCS-BAD","name":"x","district":"y","level":"primary","payment_code_prefix":"IO","bank_accounts":[]}
            """, token: admin)
        #expect(badPrefix.status == 422 && (badPrefix.json["detail"] as? String ?? "").contains("paymentCodePrefix"))
        let missing = try server.client.postJSON("/v1/schools", #"{"code":"X"}"#, token: admin)
        #expect(missing.status == 400 && (missing.json["detail"] as? String ?? "").contains("name"))
        let accountant = try server.client.postJSON("/v1/schools", "{}", token: server.tokens[.accountant]!)
        #expect(accountant.status == 403)
    }

    @Test func internalErrorsLeakNothing() throws {
        let server = try APITestServer()
        // A database failure (here: the pool is closed) is a clean 503, without SQL or paths.
        server.pool.close()
        let response = try server.client.get("/v1/schools", token: server.tokens[.admin]!)
        #expect(response.status == 503)
        #expect(response.header("Content-Type")?.hasPrefix("application/problem+json") == true)
        #expect(!response.text.contains("SELECT") && !response.text.contains("/work") && !response.text.contains(".swift"))
    }
}
