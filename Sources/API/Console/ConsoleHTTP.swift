import Crypto
import Foundation
import HTTP

/// The console's HTTP conventions: security headers on every answer, cookies, form bodies, redirects.
enum ConsoleHTTP {
    static let htmlContentType = "text/html; charset=utf-8"
    /// No script at all, styles only from our stylesheet, nothing framed, forms post only to us.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"
    static let sessionCookie = "tuition_session"
    /// The sign-in form's double-submit cookie (no session exists yet to tie a CSRF token to).
    static let signInCookie = "tuition_signin"
    /// Form bodies larger than this are refused by the server before the handler runs.
    static let formBytesMax = 16 * 1024
    /// Form fields beyond this many are ignored.
    static let formFieldsMax = 32

    static func secured(_ response: Response) -> Response {
        var response = response
        response.headers.set("Content-Security-Policy", contentSecurityPolicy)
        response.headers.set("X-Content-Type-Options", "nosniff")
        response.headers.set("Referrer-Policy", "no-referrer")
        response.headers.set("X-Frame-Options", "DENY")
        if response.headers["Cache-Control"] == nil { response.headers.set("Cache-Control", "no-store") }
        return response
    }

    static func html(_ html: String, status: HTTPStatus = .ok) -> Response {
        secured(Response.text(html, status: status, contentType: htmlContentType))
    }

    /// An error a page handler threw (a bad month, a class too large to print) as a page with the security headers.
    static func errorPage(_ error: any HTTPResponseError) -> Response {
        let body = ConsolePage.notice(error.detail ?? error.title)
        return html(ConsolePage.shell(title: "Không thực hiện được", body: body), status: error.status)
    }

    /// After a form post the browser fetches the next page with GET (Post/Redirect/Get).
    static let seeOther = HTTPStatus(code: 303, reasonPhrase: "See Other")

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var response = Response(status: seeOther, headers: ["Location": location])
        for cookie in cookies { response.headers.add("Set-Cookie", cookie) }
        return secured(response)
    }

    /// `name=value` with the flags every console cookie carries; `secure` under TLS.
    static func cookie(_ name: String, _ value: String, path: String, secure: Bool, maxAgeSeconds: Int? = nil) -> String {
        var cookie = "\(name)=\(value); Path=\(path); HttpOnly; SameSite=Strict"
        if let maxAgeSeconds { cookie += "; Max-Age=\(maxAgeSeconds)" }
        if secure { cookie += "; Secure" }
        return cookie
    }

    static func cookieValue(_ name: String, in request: Request) -> String? {
        for header in request.headers.values(for: "cookie") {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }

    /// An `application/x-www-form-urlencoded` body as name → first value (a file upload's text fields for a multipart body).
    static func form(_ request: Request) -> [String: String] {
        if MultipartFormData.boundary(contentType: request.headers["content-type"]) != nil { return textFields(request) }
        var fields: [String: String] = [:]
        let body = String(decoding: request.body.prefix(formBytesMax), as: UTF8.self)
        for pair in body.split(separator: "&").prefix(formFieldsMax) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // A field that does not decode (or decodes to NUL, which no text column stores) is left out: the
            // page then names it as missing rather than storing something other than what was typed.
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else { continue }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// The text fields of a `multipart/form-data` body (files left out), first value of each name, each at most
    /// `formBytesMax`, read by the HTTP module's one multipart parser; none for a body it refuses.
    static func textFields(_ request: Request) -> [String: String] {
        guard let multipart = try? MultipartFormData(body: request.body, contentType: request.headers["content-type"]) else { return [:] }
        var fields: [String: String] = [:]
        for part in multipart.parts where part.filename == nil && fields[part.name] == nil && part.body.count <= formBytesMax {
            guard let text = multipart.text(part.name), !text.unicodeScalars.contains("\u{0}") else { continue }
            fields[part.name] = text
        }
        return fields
    }

    /// A form-encoded name or value; nil when its escapes are malformed or decode to NUL.
    static func decode(_ text: Substring) -> String? {
        guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
              !decoded.unicodeScalars.contains("\u{0}") else { return nil }
        return decoded
    }

    /// Whether a submitted CSRF token equals the expected one (constant-time).
    static func tokensMatch(_ submitted: String?, _ expected: String) -> Bool {
        guard let submitted, !expected.isEmpty else { return false }
        return ConstantTime.equal(Array(submitted.utf8), Array(expected.utf8))
    }

    /// The peer's address without the port: the key of per-address throttles.
    static func address(_ request: Request) -> String {
        guard let colon = request.peer.lastIndex(of: ":") else { return request.peer }
        return String(request.peer[..<colon])
    }
}
