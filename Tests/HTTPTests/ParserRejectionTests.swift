import Testing
@testable import HTTP

/// A malformed or ambiguous request and the refusal it must get.
struct RejectionVector: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    let status: Int
    let code: String
    var testDescription: String { name }
}

private let host = "Host: example.test\r\n"

let smugglingVectors: [RejectionVector] = [
    .init(name: "CL and TE", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
          status: 400, code: "ambiguous_message_length"),
    .init(name: "TE and CL", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
          status: 400, code: "ambiguous_message_length"),
    .init(name: "CL list", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 4, 5\r\n\r\nabcd", status: 400, code: "invalid_content_length"),
    .init(name: "CL same list", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 4, 4\r\n\r\nabcd", status: 400, code: "invalid_content_length"),
    .init(name: "CL duplicated", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
          status: 400, code: "ambiguous_message_length"),
    .init(name: "CL duplicated, differing", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcd",
          status: 400, code: "ambiguous_message_length"),
    .init(name: "CL plus sign", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: +4\r\n\r\nabcd", status: 400, code: "invalid_content_length"),
    .init(name: "CL minus", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", status: 400, code: "invalid_content_length"),
    .init(name: "CL trailing junk", raw: "POST / HTTP/1.1\r\n\(host)Content-Length:  4x\r\n\r\nabcd", status: 400, code: "invalid_content_length"),
    .init(name: "CL inner space", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 1 0\r\n\r\nabcd", status: 400, code: "invalid_content_length"),
    .init(name: "CL hex", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 0x10\r\n\r\n", status: 400, code: "invalid_content_length"),
    .init(name: "CL empty", raw: "POST / HTTP/1.1\r\n\(host)Content-Length:\r\n\r\n", status: 400, code: "invalid_content_length"),
    .init(name: "CL huge", raw: "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999999\r\n\r\n",
          status: 400, code: "invalid_content_length"),
    .init(name: "TE chunked, gzip", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "TE gzip, chunked", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "TE xchunked", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: xchunked\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "TE chunked twice in a list", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, chunked\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "TE in two fields", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "TE identity", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: identity\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "TE with vertical tab", raw: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: \u{0B}chunked\r\n\r\n",
          status: 400, code: "invalid_header_field"),
    .init(name: "TE on HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
          status: 400, code: "unsupported_transfer_coding"),
    .init(name: "obs-fold", raw: "GET / HTTP/1.1\r\n\(host)X-Long: a\r\n  b\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "obs-fold with tab", raw: "GET / HTTP/1.1\r\n\(host)X-Long: a\r\n\tb\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "bare CR in a value", raw: "GET / HTTP/1.1\r\n\(host)X-A: a\rb\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "bare CR in the request line", raw: "GET /\r HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "CR CR LF after the request line", raw: "GET / HTTP/1.1\r\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "bare LF ends the request line", raw: "GET / HTTP/1.1\n\(host)\r\n", status: 400, code: "invalid_line_ending"),
    .init(name: "bare LF ends a field", raw: "GET / HTTP/1.1\r\nHost: a\nX-B: c\r\n\r\n", status: 400, code: "invalid_line_ending"),
    .init(name: "bare LF ends the head", raw: "GET / HTTP/1.1\r\n\(host)\n", status: 400, code: "invalid_line_ending"),
    .init(name: "NUL in the request line", raw: "GET /\u{0} HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "NUL in a value", raw: "GET / HTTP/1.1\r\n\(host)X-A: a\u{0}b\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "NUL in a name", raw: "GET / HTTP/1.1\r\n\(host)X\u{0}A: b\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "space before colon", raw: "GET / HTTP/1.1\r\n\(host)Content-Length : 0\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "tab before colon", raw: "GET / HTTP/1.1\r\n\(host)Transfer-Encoding\t: chunked\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "no colon", raw: "GET / HTTP/1.1\r\n\(host)Garbage\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "empty field name", raw: "GET / HTTP/1.1\r\n\(host): value\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "invalid name character", raw: "GET / HTTP/1.1\r\n\(host)X(A): b\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "non-ASCII name", raw: "GET / HTTP/1.1\r\n\(host)Tên: b\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "DEL in a value", raw: "GET / HTTP/1.1\r\n\(host)X-A: a\u{7F}\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "invalid method character", raw: "G@T / HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "empty method", raw: " / HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "two spaces", raw: "GET  / HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "tab separator", raw: "GET\t/ HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "trailing space", raw: "GET / HTTP/1.1 \r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "no version", raw: "GET /\r\n\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "lower-case version", raw: "GET / http/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "short version", raw: "GET / HTTP/1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\n\(host)\r\n", status: 505, code: "http_version_not_supported"),
    .init(name: "HTTP/2 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 505, code: "http_version_not_supported"),
    .init(name: "HTTP/1.2", raw: "GET / HTTP/1.2\r\n\(host)\r\n", status: 505, code: "http_version_not_supported"),
    .init(name: "HTTP/0.9", raw: "GET / HTTP/0.9\r\n\r\n", status: 505, code: "http_version_not_supported"),
    .init(name: "missing Host", raw: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", status: 400, code: "invalid_host"),
    .init(name: "duplicate Host", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400, code: "invalid_host"),
    .init(name: "invalid Host", raw: "GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", status: 400, code: "invalid_host"),
    .init(name: "absolute-form", raw: "GET http://example.test/ HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "asterisk-form", raw: "OPTIONS * HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "authority-form", raw: "CONNECT example.test:443 HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "truncated escape", raw: "GET /a%2 HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "non-hex escape", raw: "GET /a%zz HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "encoded slash", raw: "GET /a%2Fb HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "encoded NUL in the path", raw: "GET /a%00 HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "encoded CRLF in the path", raw: "GET /a%0d%0a HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "dot-dot segment", raw: "GET /a/../b HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "encoded dot-dot segment", raw: "GET /a/%2e%2E/b HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "invalid UTF-8 in the path", raw: "GET /%C3%28 HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "bad escape in the query", raw: "GET /a?q=%G1 HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "encoded NUL in the query", raw: "GET /a?q=%00 HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "fragment", raw: "GET /a#frag HTTP/1.1\r\n\(host)\r\n", status: 400, code: "invalid_request_target"),
    .init(name: "raw non-ASCII target", raw: "GET /trường HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
    .init(name: "unsupported Expect", raw: "POST / HTTP/1.1\r\n\(host)Expect: 200-ok\r\nContent-Length: 1\r\n\r\na", status: 417, code: "expectation_failed"),
    .init(name: "three empty lines first", raw: "\r\n\r\n\r\nGET / HTTP/1.1\r\n\(host)\r\n", status: 400, code: "malformed_request_line"),
]

let chunkedVectors: [RejectionVector] = [
    .init(name: "size not hex", raw: "g\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "empty size", raw: "\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "space before size", raw: " 3\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "space after size", raw: "3 \r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "negative size", raw: "-3\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "0x prefix", raw: "0x3\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "size overflow", raw: "fffffffffffffffff\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "bare LF after size", raw: "3\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "bare CR after size", raw: "3\rabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "data longer than size", raw: "3\r\nabcd\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "data without CRLF", raw: "3\r\nabc0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "data with bare LF", raw: "3\r\nabc\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "control character in an extension", raw: "3;a=\u{1}\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "extension too long", raw: "3;\(String(repeating: "x", count: 300))\r\nabc\r\n0\r\n\r\n", status: 400, code: "invalid_chunked_body"),
    .init(name: "trailer with obs-fold", raw: "3\r\nabc\r\n0\r\nX-T: a\r\n b\r\n\r\n", status: 400, code: "invalid_header_field"),
    .init(name: "trailer with bare LF", raw: "3\r\nabc\r\n0\r\nX-T: a\n\r\n", status: 400, code: "invalid_line_ending"),
    .init(name: "trailer too large", raw: "3\r\nabc\r\n0\r\nX-T: \(String(repeating: "t", count: 5_000))\r\n\r\n", status: 431, code: "trailer_section_too_large"),
    .init(name: "chunks over the cap", raw: "400\r\n\(String(repeating: "a", count: 1024))\r\n400\r\n", status: 413, code: "content_too_large"),
]

@Suite("Parser refusals")
struct ParserRejectionTests {
    @Test("smuggling and malformed heads are refused", arguments: smugglingVectors)
    func refusesHead(_ vector: RejectionVector) {
        for chunk in [nil, 1] as [Int?] {
            let run = DecodeRun(vector.raw, chunk: chunk)
            #expect(run.error?.status.code == vector.status, "\(vector.name), chunk \(chunk.map(String.init) ?? "all")")
            #expect(run.error?.code == vector.code, "\(vector.name): \(run.error.map { "\($0)" } ?? "accepted")")
            #expect(run.bodies.isEmpty, "\(vector.name): no request may be delivered")
        }
    }

    @Test("malformed chunked bodies are refused", arguments: chunkedVectors)
    func refusesChunkedBody(_ vector: RejectionVector) {
        let raw = "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + vector.raw
        for chunk in [nil, 1] as [Int?] {
            let run = DecodeRun(raw, bodyBytesMax: 1_500, chunk: chunk)
            #expect(run.heads.count == 1)
            #expect(run.error?.status.code == vector.status, "\(vector.name)")
            #expect(run.error?.code == vector.code, "\(vector.name): \(run.error.map { "\($0)" } ?? "accepted")")
            #expect(run.bodies.isEmpty)
        }
    }

    @Test("a request line over the limit is 414, even before its end arrives")
    func requestLineTooLong() {
        var limits = HTTPParserLimits()
        limits.requestLineBytesMax = 100
        let target = "/" + String(repeating: "a", count: 120)
        let complete = DecodeRun("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits)
        #expect(complete.error?.status.code == 414)
        let partial = DecodeRun("GET \(target)", limits: limits)
        #expect(partial.error?.status.code == 414)
        let fits = DecodeRun("GET /\(String(repeating: "a", count: 80)) HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits)
        #expect(fits.error == nil && fits.bodies.count == 1)
    }

    @Test("a header section over the limit is 431, even before its end arrives")
    func headerSectionTooLarge() {
        var limits = HTTPParserLimits()
        limits.headerSectionBytesMax = 200
        let big = "X-Big: \(String(repeating: "b", count: 250))\r\n"
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\n\(big)\r\n", limits: limits).error?.code == "header_section_too_large")
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\n\(big)", limits: limits).error?.status.code == 431)
        let many = (0..<20).map { "X-\($0): \(String(repeating: "v", count: 10))\r\n" }.joined()
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\n\(many)\r\n", limits: limits).error?.status.code == 431)
    }

    @Test("more than the maximum number of fields is 431")
    func tooManyFields() {
        let fields = (0..<100).map { "X-\($0): v\r\n" }.joined()
        #expect(DecodeRun("GET / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n").error?.code == "too_many_header_fields")
        let hundred = (0..<99).map { "X-\($0): v\r\n" }.joined()
        let accepted = DecodeRun("GET / HTTP/1.1\r\nHost: h\r\n\(hundred)\r\n")
        #expect(accepted.error == nil && accepted.heads.first?.headers.count == 100)
    }

    @Test("a declared length over the route's cap is 413 before any body byte")
    func contentLengthOverCap() {
        let run = DecodeRun("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n", bodyBytesMax: 1_000)
        #expect(run.heads.count == 1)
        #expect(run.error?.status.code == 413)
        #expect(run.error?.code == "content_too_large")
    }

    @Test("after an error the decoder keeps refusing")
    func errorIsSticky() {
        var decoder = HTTPRequestDecoder()
        let bad = Array("GET / HTTP/1.1\nHost: h\r\n\r\n".utf8)
        let first = bad.withUnsafeBytes { decoder.decode($0) }
        let good = Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let second = good.withUnsafeBytes { decoder.decode($0) }
        guard case .error(let error) = first.event, case .error(let again) = second.event else {
            Issue.record("expected errors")
            return
        }
        #expect(error == again)
        #expect(second.consumed == 0)
    }
}
