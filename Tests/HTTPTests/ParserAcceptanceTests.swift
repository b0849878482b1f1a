import Testing
@testable import HTTP

@Suite("Parser acceptance")
struct ParserAcceptanceTests {
    @Test("a GET head is parsed into method, target, headers and keep-alive")
    func simpleGet() throws {
        for chunk in [nil, 1, 7] as [Int?] {
            let run = DecodeRun("GET /v1/invoices?month=2025-09 HTTP/1.1\r\nHost: api.test\r\nAccept:  application/json \r\n\r\n", chunk: chunk)
            #expect(run.error == nil)
            let head = try #require(run.heads.first)
            #expect(head.method == .get)
            #expect(head.version == .http1_1)
            #expect(head.target == "/v1/invoices?month=2025-09")
            #expect(head.components.path == "/v1/invoices")
            #expect(head.components.segments == ["v1", "invoices"])
            #expect(head.components.query == [QueryItem(name: "month", value: "2025-09")])
            #expect(head.headers["accept"] == "application/json")
            #expect(head.keepAlive)
            #expect(head.framing == .none)
            #expect(run.bodies == [[]])
            #expect(run.leftover == 0)
        }
    }

    @Test("pipelined requests come out in order, with their bodies")
    func pipelined() {
        let raw = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        for chunk in [nil, 1, 5] as [Int?] {
            let run = DecodeRun(raw, chunk: chunk)
            #expect(run.error == nil)
            #expect(run.heads.map(\.components.path) == ["/a", "/b", "/c"])
            #expect(run.bodies.map { String(decoding: $0, as: UTF8.self) } == ["hello", "", "abc"])
        }
    }

    @Test("a chunked body with extensions and trailers is decoded; trailers are not headers")
    func chunked() throws {
        let raw = "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Checksum: abc\r\n\r\n"
        for chunk in [nil, 1, 3] as [Int?] {
            let run = DecodeRun(raw, chunk: chunk)
            #expect(run.error == nil)
            #expect(run.heads.first?.framing == .chunked)
            #expect(run.bodies.first.map { String(decoding: $0, as: UTF8.self) } == "hello, world!!!")
            #expect(run.heads.first?.headers["X-Checksum"] == nil)
        }
    }

    @Test("a chunked body exactly at the cap is accepted")
    func chunkedAtCap() {
        let raw = "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n"
        #expect(DecodeRun(raw, bodyBytesMax: 6).bodies == [Array("abcdef".utf8)])
        #expect(DecodeRun(raw, bodyBytesMax: 5).error?.status.code == 413)
    }

    @Test("HTTP/1.0 closes unless keep-alive is asked; HTTP/1.1 keeps alive unless close is asked")
    func connectionPersistence() {
        #expect(DecodeRun("GET / HTTP/1.0\r\n\r\n").heads.first?.keepAlive == false)
        #expect(DecodeRun("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").heads.first?.keepAlive == true)
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").heads.first?.keepAlive == false)
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, Close\r\n\r\n").heads.first?.keepAlive == false)
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n").heads.first?.keepAlive == true)
    }

    @Test("Expect: 100-continue is reported only for HTTP/1.1 requests with a body")
    func expectContinue() {
        let withBody = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\nabc"
        #expect(DecodeRun(withBody).heads.first?.expectsContinue == true)
        let noBody = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"
        #expect(DecodeRun(noBody).heads.first?.expectsContinue == false)
        let old = "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
        #expect(DecodeRun(old).heads.first?.expectsContinue == false)
    }

    @Test("up to two empty lines before a request are tolerated")
    func leadingEmptyLines() {
        let run = DecodeRun("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(run.error == nil && run.heads.count == 1)
    }

    @Test("HTTP/1.0 needs no Host; an empty Host is allowed on 1.1")
    func hostRules() {
        #expect(DecodeRun("GET / HTTP/1.0\r\n\r\n").error == nil)
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost:\r\n\r\n").error == nil)
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").error == nil)
    }

    @Test("an unknown token method is parsed (the router answers it)")
    func extensionMethod() {
        #expect(DecodeRun("PURGE / HTTP/1.1\r\nHost: h\r\n\r\n").heads.first?.method.rawValue == "PURGE")
        #expect(DecodeRun("get / HTTP/1.1\r\nHost: h\r\n\r\n").heads.first?.method.rawValue == "get")
    }

    @Test("obs-text in a field value is kept")
    func obsText() {
        let run = DecodeRun("GET / HTTP/1.1\r\nHost: h\r\nX-Name: Nguyễn\r\n\r\n")
        #expect(run.heads.first?.headers["x-name"] == "Nguyễn")
    }

    @Test("the head is reported only when complete, and the unread rest is left to the caller")
    func partialHead() {
        let run = DecodeRun("GET / HTTP/1.1\r\nHost: h\r\n")
        #expect(run.heads.isEmpty && run.error == nil)
        #expect(run.leftover == "GET / HTTP/1.1\r\nHost: h\r\n".utf8.count)
    }
}

@Suite("Request targets")
struct RequestTargetTests {
    private func parse(_ target: String) throws -> RequestTarget {
        let bytes = Array(target.utf8)
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPParseError) -> RequestTarget in try RequestTarget.parse(raw) }
        }
        return try result.get()
    }

    @Test("path segments are percent-decoded one by one")
    func pathDecoding() throws {
        let target = try parse("/v1/schools/THCS%20Ba%20%C4%90%C3%ACnh/invoices/42")
        #expect(target.segments == ["v1", "schools", "THCS Ba Đình", "invoices", "42"])
        #expect(target.path == "/v1/schools/THCS Ba Đình/invoices/42")
    }

    @Test("'+' is literal in the path and a space in the query")
    func plusHandling() throws {
        let target = try parse("/a+b?q=a+b&r=a%2Bb")
        #expect(target.segments == ["a+b"])
        #expect(target.query == [QueryItem(name: "q", value: "a b"), QueryItem(name: "r", value: "a+b")])
    }

    @Test("query keeps order and duplicates; names without '=' have empty values")
    func queryItems() throws {
        let target = try parse("/x?b=2&a=1&b=3&flag&&=v&c=")
        #expect(target.query == [
            QueryItem(name: "b", value: "2"), QueryItem(name: "a", value: "1"), QueryItem(name: "b", value: "3"),
            QueryItem(name: "flag", value: ""), QueryItem(name: "", value: "v"), QueryItem(name: "c", value: ""),
        ])
    }

    @Test("root and trailing slashes")
    func rootAndTrailing() throws {
        #expect(try parse("/").segments == [])
        #expect(try parse("/a/").segments == ["a", ""])
        #expect(try parse("/?x=1").segments == [])
    }

    @Test("escapes decoding to reserved or control characters are refused", arguments: [
        "/a%2fb", "/%5C%00", "/%7F", "/%2E", "/..", "/.", "/a%", "/a%4", "/%%41",
    ])
    func refusedEscapes(_ target: String) {
        let error = #expect(throws: HTTPParseError.self) { try parse(target) }
        #expect(error?.status == .badRequest && error?.code == "invalid_request_target", "\(String(describing: error))")
    }
}
