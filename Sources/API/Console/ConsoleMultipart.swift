import Foundation
import HTTP

/// A file submitted by a plain HTML form (`enctype="multipart/form-data"`, no script), read from the request body.
///
/// The console's only reader of multipart bodies: pages take a file's bytes from `file(named:in:)` and text fields
/// from `ConsoleHTTP.form`, so pointing this one type at a shared multipart parser later changes no page.
enum ConsoleMultipart {
    /// Parts read from one body at most (a form has a CSRF token, a few fields and one file).
    static let partsMax = 16
    /// A part's header block longer than this is not a form's.
    static let headerBytesMax = 2 * 1024
    /// Boundaries longer than RFC 2046's 70 characters are refused.
    static let boundaryBytesMax = 70

    struct Part {
        let name: String
        let fileName: String?
        let body: ArraySlice<UInt8>
    }

    /// The boundary of a `multipart/form-data` request; nil for any other body.
    static func boundary(of request: Request) -> String? {
        guard let type = request.headers["content-type"], type.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in type.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""])
            return (1...boundaryBytesMax).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// The file of field `name`: its name as the browser sent it and its bytes; nil when the form sent no such file.
    static func file(named name: String, in request: Request) -> (fileName: String, bytes: [UInt8])? {
        guard let part = parts(of: request).first(where: { $0.name == name && $0.fileName != nil }) else { return nil }
        return (part.fileName ?? "", Array(part.body))
    }

    /// The text fields of a multipart body (files left out), first value of each name, as `ConsoleHTTP.form` gives them.
    static func textFields(of request: Request) -> [String: String] {
        var fields: [String: String] = [:]
        for part in parts(of: request) where part.fileName == nil && fields[part.name] == nil {
            guard part.body.count <= ConsoleHTTP.formBytesMax else { continue }
            fields[part.name] = String(decoding: part.body, as: UTF8.self)
        }
        return fields
    }

    /// Every part of the body, in order; an empty list for a body that is not well-formed multipart.
    static func parts(of request: Request) -> [Part] {
        guard let boundary = boundary(of: request) else { return [] }
        let body = request.body
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard var cursor = find(delimiter, in: body, from: 0).map({ $0 + delimiter.count }) else { return [] }
        var parts: [Part] = []
        while parts.count < partsMax, cursor + 2 <= body.count, body[cursor] == 0x0D, body[cursor + 1] == 0x0A {
            let headerStart = cursor + 2
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: headerStart), headerEnd - headerStart <= headerBytesMax,
                  let end = find(separator, in: body, from: headerEnd + 4) else { break }
            let headers = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            if let (name, fileName) = disposition(headers) {
                parts.append(Part(name: name, fileName: fileName, body: body[(headerEnd + 4)..<end]))
            }
            cursor = end + separator.count
        }
        return parts
    }

    /// `name` and `filename` of a part's `Content-Disposition: form-data` header.
    static func disposition(_ headers: String) -> (String, String?)? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            var name: String?
            var fileName: String?
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""])
                switch pair[0].trimmingCharacters(in: .whitespaces).lowercased() {
                case "name": name = value
                case "filename": fileName = value
                default: continue
                }
            }
            return name.map { ($0, fileName) }
        }
        return nil
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
