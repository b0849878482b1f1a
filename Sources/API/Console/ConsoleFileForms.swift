import Core
import HTTP
import Ledger

/// A signed-in school page receiving a `multipart/form-data` file form (a roster, a bank statement), parsed once by the HTTP
/// module's `MultipartFormData`: the CSRF token comes from the form's `csrf` part, the roles from `ConsoleSchoolPages.roles`.
enum ConsoleFileForms {
    /// The largest form body accepted: the file's own limit plus room for the other fields; larger bodies the server refuses
    /// before the handler (413).
    static func bodyBytesMax(fileBytesMax: Int) -> Int { fileBytesMax + 64 * 1024 }

    typealias Handler = @Sendable (Request, ConsoleSessions.Live, School, MultipartFormData) throws -> Response

    static func page(_ builder: inout APIBuilder, _ template: String, fileBytesMax: Int, state: ConsoleState, handler: @escaping Handler) {
        let allowed = ConsoleSchoolPages.allowedRoles(.post, template)
        // Expensive, as the API's imports are: parsing a file of megabytes is rate-limited per address under floods.
        builder.addPage(.post, template, bodyBytesMax: bodyBytesMax(fileBytesMax: fileBytesMax), routeClass: .expensive) { request in
            guard let session = try ConsoleRoutes.session(request, state: state) else { return ConsoleHTTP.redirect("/console/sign-in") }
            let form: MultipartFormData
            do throws(MultipartError) { form = try MultipartFormData(body: request.body, contentType: request.headers["content-type"]) } catch {
                // Without a readable form there is no CSRF token to check: refused as a forged form is.
                return ConsoleRoutes.refusedForm(session, problem: "Biểu mẫu gửi lên không đọc được (\(error.description)).")
            }
            guard ConsoleHTTP.tokensMatch(form.text("csrf"), session.csrf) else { return ConsoleRoutes.refusedForm(session) }
            guard let school = try ConsoleSchoolPages.admit(request, session: session, roles: allowed, state: state) else {
                return try ConsoleSchoolPages.refusal(request, session: session, roles: allowed)
            }
            return try handler(request, session, school, form)
        }
    }
}
