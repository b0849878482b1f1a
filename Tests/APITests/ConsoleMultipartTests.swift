@testable import API
import HTTP
import Testing

/// The console's reader of file uploads, on bodies as browsers send them and on broken ones.
@Suite struct ConsoleMultipartTests {
    static let boundary = "----WebKitFormBoundaryq1w2e3r4"

    static func request(_ body: String, contentType: String = "multipart/form-data; boundary=\(boundary)") -> Request {
        Request(method: .post, target: "/x", path: "/x", headers: ["Content-Type": contentType], body: Array(body.utf8),
                routeTemplate: "/x", requestId: "r", peer: "127.0.0.1:1")
    }

    static let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken-1\r\n"
        + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\fakepath\\\\vcb.sta\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n:20:A\r\n:25:1\r\n--not-the-boundary\r\n\r\n"
        + "--\(boundary)\r\nContent-Disposition: form-data; name=\"account\"\r\n\r\n1111222233\r\n--\(boundary)--\r\n"

    @Test func readsTextFieldsAndTheFileBytesExactly() {
        let request = Self.request(Self.body)
        #expect(ConsoleMultipart.textFields(of: request) == ["csrf": "token-1", "account": "1111222233"])
        #expect(ConsoleHTTP.form(request)["csrf"] == "token-1", "the CSRF check reads a multipart form too")
        let file = ConsoleMultipart.file(named: "file", in: request)
        #expect(file.map { String(decoding: $0.bytes, as: UTF8.self) } == ":20:A\r\n:25:1\r\n--not-the-boundary\r\n",
                "line ends and a look-alike line inside the file are kept")
        #expect(ConsoleStatementPages.sanitizedFileName(file?.fileName ?? "") == "vcb.sta", "no folder of the sender's machine")
    }

    @Test func brokenOrForeignBodiesGiveNothing() {
        let truncated = String(Self.body.prefix(Self.body.count / 2))
        #expect(ConsoleMultipart.file(named: "file", in: Self.request(truncated)) == nil, "a file cut short is no file")
        #expect(ConsoleMultipart.parts(of: Self.request(Self.body, contentType: "application/x-www-form-urlencoded")).isEmpty)
        #expect(ConsoleMultipart.boundary(of: Self.request("", contentType: "multipart/form-data")) == nil)
        let long = String(repeating: "b", count: ConsoleMultipart.boundaryBytesMax + 1)
        #expect(ConsoleMultipart.boundary(of: Self.request("", contentType: "multipart/form-data; boundary=\(long)")) == nil)
        #expect(ConsoleMultipart.file(named: "file", in: Self.request("no boundary here at all")) == nil)
    }
}
