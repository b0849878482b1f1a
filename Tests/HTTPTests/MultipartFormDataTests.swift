import Testing
@testable import HTTP

@Suite("multipart/form-data")
struct MultipartFormDataTests {
    static let contentType = "multipart/form-data; boundary=----WebKitFormBoundaryX7a"

    /// A body as Chromium sends a form with a CSRF field and one file.
    static func body(file: String, filename: String = "roster.csv", closing: Bool = true) -> [UInt8] {
        var text = "------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n"
        text += "------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
        text += "Content-Type: text/csv\r\n\r\n\(file)\r\n"
        if closing { text += "------WebKitFormBoundaryX7a--\r\n" }
        return Array(text.utf8)
    }

    @Test func readsFieldsAndAFileWithItsLineBreaksKept() throws {
        let file = "student_code,full_name\r\nHS001,Nguyễn Văn An\r\n\r\n--not-a-boundary\r\n"
        let form = try MultipartFormData(body: Self.body(file: file), contentType: Self.contentType)
        #expect(form.parts.count == 2)
        #expect(form.text("csrf") == "abc123")
        #expect(form["file"]?.filename == "roster.csv")
        #expect(form["file"]?.contentType == "text/csv")
        #expect(form["file"].map { String(decoding: $0.body, as: UTF8.self) } == file)
        #expect(form.text("file") == nil, "a file part is not a text field")
    }

    @Test func theBoundaryComesOnlyFromAMultipartContentType() {
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == nil, "no spaces in a boundary")
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=\"abc\"") == "abc")
        #expect(MultipartFormData.boundary(contentType: "Multipart/Form-Data;boundary=xyz") == "xyz")
        #expect(MultipartFormData.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
    }

    @Test func refusesWhatAFormDoesNotSend() {
        #expect(throws: MultipartError.notMultipart) { try MultipartFormData(body: [], contentType: "text/csv") }
        #expect(throws: MultipartError.missingFirstBoundary) {
            try MultipartFormData(body: Array("garbage".utf8), contentType: Self.contentType)
        }
        #expect(throws: MultipartError.missingClosingBoundary) {
            try MultipartFormData(body: Self.body(file: "a,b", closing: false), contentType: Self.contentType)
        }
        let unnamed = Array("------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nx\r\n------WebKitFormBoundaryX7a--".utf8)
        #expect(throws: MultipartError.unnamedPart(part: 1)) { try MultipartFormData(body: unnamed, contentType: Self.contentType) }
        let noDisposition = Array("------WebKitFormBoundaryX7a\r\nX-Thing\r\n\r\nx\r\n------WebKitFormBoundaryX7a--".utf8)
        #expect(throws: MultipartError.malformedPartHeaders(part: 1)) {
            try MultipartFormData(body: noDisposition, contentType: Self.contentType)
        }
        let badDelimiter = Array("------WebKitFormBoundaryX7aXX".utf8)
        #expect(throws: MultipartError.malformedDelimiter) { try MultipartFormData(body: badDelimiter, contentType: Self.contentType) }
    }

    @Test func boundsPartsAndHeaders() {
        var many = ""
        for index in 0...MultipartFormData.partsMax {
            many += "------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\nv\r\n"
        }
        many += "------WebKitFormBoundaryX7a--"
        #expect(throws: MultipartError.tooManyParts(max: MultipartFormData.partsMax)) {
            try MultipartFormData(body: Array(many.utf8), contentType: Self.contentType)
        }
        let longHeader = "------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; name=\"\(String(repeating: "n", count: 2_000))\"\r\n\r\nv\r\n"
            + "------WebKitFormBoundaryX7a--"
        #expect(throws: MultipartError.malformedPartHeaders(part: 1)) {
            try MultipartFormData(body: Array(longHeader.utf8), contentType: Self.contentType)
        }
    }

    @Test func unquotedNamesAndAFolderInTheFileNameAreReadAsSent() throws {
        // Some clients send `name=csrf` unquoted; old browsers send the file's full path (the console keeps the base name).
        let text = "------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; name=csrf\r\n\r\ntoken-1\r\n"
            + "------WebKitFormBoundaryX7a\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\fakepath\\vcb.sta\"\r\n\r\n"
            + ":20:A\r\n--not-the-boundary\r\n------WebKitFormBoundaryX7a--\r\n"
        let form = try MultipartFormData(body: Array(text.utf8), contentType: Self.contentType)
        #expect(form.text("csrf") == "token-1")
        #expect(form["file"]?.filename == "C:\\fakepath\\vcb.sta")
        #expect(form["file"].map { String(decoding: $0.body, as: UTF8.self) } == ":20:A\r\n--not-the-boundary")
    }

    @Test func anEmptyFileInputIsAPartWithAnEmptyBody() throws {
        let form = try MultipartFormData(body: Self.body(file: "", filename: ""), contentType: Self.contentType)
        #expect(form["file"]?.filename == "" && form["file"]?.body == [])
    }
}
