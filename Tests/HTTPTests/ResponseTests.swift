import Foundation
import Synchronization
import Testing
@testable import HTTP

@Suite("Responses and problems")
struct ResponseTests {
    private let date = Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8)

    private func wire(_ response: Response, close: Bool = false, keepAlive10: Bool = false, omitBody: Bool = false) -> String {
        var output: [UInt8] = []
        let framing = ResponseSerializer.Framing(requestId: "req-1", closeConnection: close, announceKeepAlive: keepAlive10,
                                                 omitBody: omitBody, dateLine: date)
        ResponseSerializer.write(response, framing, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test("a text response on the wire, byte for byte")
    func textWire() {
        #expect(wire(.text("ok")) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            + "X-Request-Id: req-1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok")
    }

    @Test("closing, HTTP/1.0 keep-alive, HEAD and 204 framing")
    func framing() {
        #expect(wire(.text("ok"), close: true).contains("X-Request-Id: req-1\r\nConnection: close\r\n"))
        #expect(wire(.text("ok"), keepAlive10: true).contains("Connection: keep-alive\r\n"))
        let head = wire(.text("hello"), omitBody: true)
        #expect(head.contains("Content-Length: 5\r\n") && head.hasSuffix("\r\n\r\n"))
        let noContent = wire(Response(status: .noContent))
        #expect(noContent == "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Request-Id: req-1\r\n\r\n")
        #expect(wire(Response(body: [1, 2])).contains("Content-Type: application/octet-stream\r\n"))
    }

    @Test("a parser refusal on the wire, byte for byte")
    func problemWire() {
        let error = HTTPParseError.framing("both Transfer-Encoding and Content-Length are present")
        let body = #"{"code":"ambiguous_message_length","detail":"both Transfer-Encoding and Content-Length are present","#
            + #""request_id":"req-1","status":400,"title":"Bad Request","type":"about:blank"}"#
        #expect(wire(ProblemDocument.response(error, requestId: "req-1"), close: true)
            == "HTTP/1.1 400 Bad Request\r\nContent-Length: \(body.utf8.count)\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            + "X-Request-Id: req-1\r\nConnection: close\r\nContent-Type: application/problem+json\r\n\r\n" + body)
    }

    @Test("problem documents escape JSON and carry the error's headers")
    func problemDocument() throws {
        let error = HTTPError(status: .tooManyRequests, code: "rate_limited", title: "Slow \"down\"",
                              detail: "line1\nline2\t\u{1}", headers: ["Retry-After": "3"])
        let response = ProblemDocument.response(error, requestId: "abc")
        #expect(response.headers["Retry-After"] == "3")
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["title"] as? String == "Slow \"down\"")
        #expect(object?["detail"] as? String == "line1\nline2\t\u{1}")
        #expect(object?["status"] as? Int == 429)
        #expect(object?["code"] as? String == "rate_limited")
        #expect(object?["request_id"] as? String == "abc")
        #expect(object?["type"] as? String == "about:blank")
    }

    @Test("bad or reserved response headers are found before anything is sent")
    func headerValidation() {
        #expect(ResponseSerializer.headerProblem(["X-Ok": "fine\tvalue"]) == nil)
        #expect(ResponseSerializer.headerProblem(["X-Bad": "a\r\nSet-Cookie: x=1"]) != nil)
        #expect(ResponseSerializer.headerProblem(["X-Bad": "a\nb"]) != nil)
        #expect(ResponseSerializer.headerProblem(["X-Bad": "a\u{0}b"]) != nil)
        #expect(ResponseSerializer.headerProblem(["Bad Name": "v"]) != nil)
        #expect(ResponseSerializer.headerProblem(["": "v"]) != nil)
        #expect(ResponseSerializer.headerProblem(["Bad:Name": "v"]) != nil)
        for reserved in ["Content-Length", "transfer-encoding", "Connection", "Date", "X-Request-ID"] {
            #expect(ResponseSerializer.headerProblem([reserved: "1"]) != nil, "\(reserved)")
        }
    }

    @Test("an unknown error becomes a 500 that names nothing internal; the cause is logged")
    func unknownErrorLeaksNothing() throws {
        struct Secret: Error { let sql = "SELECT * FROM payers" }
        let route = Route(method: .get, template: "/x", options: RouteOptions(), templateIndex: 0) { _ in throw Secret() }
        let logged = LockedStrings()
        let request = Request(method: .get, target: "/x", path: "/x", routeTemplate: "/x", requestId: "rid", peer: "p")
        let response = Responder.respond(route, to: request) { logged.append($0) }
        #expect(response.status.code == 500)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("\"code\":\"internal_error\""))
        #expect(!body.contains("SELECT") && !body.contains("Secret"))
        #expect(logged.all.count == 1 && logged.all[0].contains("SELECT * FROM payers"))
    }

    @Test("a handler's HTTPResponseError is sent as its problem; a bad header on it becomes a 500")
    func responseErrors() {
        let logged = LockedStrings()
        let request = Request(method: .get, target: "/x", path: "/x", routeTemplate: "/x", requestId: "rid", peer: "p")
        let conflict = Route(method: .get, template: "/x", options: RouteOptions(), templateIndex: 0) { _ in
            throw HTTPError(status: .conflict, code: "already_paid")
        }
        #expect(Responder.respond(conflict, to: request) { logged.append($0) }.status.code == 409)
        let sneaky = Route(method: .get, template: "/x", options: RouteOptions(), templateIndex: 0) { _ in
            throw HTTPError(status: .unauthorized, code: "unauthenticated", headers: ["WWW-Authenticate": "x\r\ny"])
        }
        #expect(Responder.respond(sneaky, to: request) { logged.append($0) }.status.code == 500)
    }

    @Test("JSON responses use sorted keys; JSON bodies decode with field-naming errors")
    func json() throws {
        struct Payment: Codable { let amount: Int64; let memo: String }
        let response = try Response.json(Payment(amount: 1_500_000, memo: "HP7K2Q9X"))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"amount":1500000,"memo":"HP7K2Q9X"}"#)
        #expect(response.headers["Content-Type"] == "application/json")
        let bad = Request(method: .post, target: "/p", path: "/p", body: Array(#"{"amount":"x","memo":"m"}"#.utf8),
                          routeTemplate: "/p", requestId: "r", peer: "p")
        #expect(throws: HTTPError(status: .badRequest, code: "invalid_json", detail: "field 'amount' has the wrong type")) {
            try bad.decodeJSON(Payment.self)
        }
        let missing = Request(method: .post, target: "/p", path: "/p", body: Array(#"{"amount":1}"#.utf8),
                              routeTemplate: "/p", requestId: "r", peer: "p")
        #expect(throws: HTTPError(status: .badRequest, code: "invalid_json", detail: "field 'memo' is missing")) {
            try missing.decodeJSON(Payment.self)
        }
    }

    @Test("a JSON string holding NUL is refused naming its field; an escaped backslash before u0000 is not NUL")
    func jsonNUL() throws {
        struct Payment: Codable { let amount: Int64; let memo: String; let students: [String] }
        func request(_ json: String) -> Request {
            Request(method: .post, target: "/p", path: "/p", body: Array(json.utf8), routeTemplate: "/p", requestId: "r", peer: "p")
        }
        #expect(throws: HTTPError(status: .badRequest, code: "invalid_json",
                                  detail: "field 'students[1]' holds the NUL character (\\u0000), which no text can store")) {
            try request(#"{"amount":1,"memo":"m","students":["a","b\u0000c"]}"#).decodeJSON(Payment.self)
        }
        #expect(throws: HTTPError(status: .badRequest, code: "invalid_json",
                                  detail: "field 'memo' holds the NUL character (\\u0000), which no text can store")) {
            try request(#"{"amount":1,"memo":"\u0000","students":[]}"#).decodeJSON(Payment.self)
        }
        // A key holding NUL is named too (the decoder ignores an unknown key, so only this check sees it).
        #expect(throws: HTTPError(status: .badRequest, code: "invalid_json",
                                  detail: "field 'x\\u0000' holds the NUL character (\\u0000), which no text can store")) {
            try request(#"{"amount":1,"memo":"m","students":[],"x\u0000":1}"#).decodeJSON(Payment.self)
        }
        // `\\u0000` is a backslash followed by the text "u0000": accepted as it is.
        let text = try request(#"{"amount":1,"memo":"\\u0000","students":["\\\\u0000"]}"#).decodeJSON(Payment.self)
        #expect(text.memo == #"\u0000"# && text.students == [#"\\u0000"#])
        #expect(JSONNULCharacter.isEscaped(in: Array(#""\\u0000""#.utf8)) == false)
        #expect(JSONNULCharacter.isEscaped(in: Array(#""\\\u0000""#.utf8)) == true)
    }

    @Test("headers look up case-insensitively and keep every value in order")
    func headers() {
        var headers: HTTPHeaders = ["Accept": "a", "X-Multi": "1"]
        headers.add("x-multi", "2")
        #expect(headers["ACCEPT"] == "a")
        #expect(headers.values(for: "X-MULTI") == ["1", "2"])
        headers.set("X-Multi", "3")
        #expect(headers.values(for: "x-multi") == ["3"])
        headers.remove("accept")
        #expect(headers["Accept"] == nil && headers.count == 1)
    }
}

final class LockedStrings: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var all: [String] { storage.withLock { $0 } }
}
