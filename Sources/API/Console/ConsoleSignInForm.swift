import Crypto
import HTTP

/// The forms a person fills before any session exists — the console's sign-in and the parents' look-up — and
/// their one defence against login CSRF: the page sets a random value in a SameSite=Strict cookie scoped to the
/// form's path and in a hidden field, and a post counts only when both come back equal.
enum ConsoleSignInForm {
    /// The page: `intro` (HTML) above the form, `fields` (HTML) inside it, then the submit button.
    static func page(title: String, action: String, intro: String, fields: String, button: String, state: ConsoleState,
                     status: HTTPStatus) -> Response {
        let nonce = (try? SecureRandom.token(byteCount: ConsoleSessions.csrfBytes)) ?? ""
        var body = intro
        body += "<form class=\"card\" method=\"post\" action=\"\(action)\">\n<input type=\"hidden\" name=\"csrf\" value=\"\(nonce)\">\n"
        body += fields
        body += "<p><button type=\"submit\">\(button)</button></p>\n</form>\n"
        var response = ConsoleHTTP.html(ConsolePage.shell(title: title, body: body), status: status)
        response.headers.add("Set-Cookie", ConsoleHTTP.cookie(ConsoleHTTP.signInCookie, nonce, path: action, secure: state.secureCookies))
        return response
    }

    /// Whether a posted form carries the value its page set in the cookie.
    static func isGenuine(_ request: Request, form: [String: String]) -> Bool {
        guard let cookie = ConsoleHTTP.cookieValue(ConsoleHTTP.signInCookie, in: request) else { return false }
        return ConsoleHTTP.tokensMatch(form["csrf"], cookie)
    }
}
