/// `Authorization: Bearer <token>` (RFC 6750), checked for its shape only: whether the token is valid
/// is the application's business. The server answers a route that requires bearer credentials with
/// 401 before reading the body when the header is missing or malformed, so an anonymous client
/// cannot make it buffer a large upload.
public enum BearerCredentials {
    /// The token of a well-formed `Bearer` header (scheme case-insensitive), or nil.
    public static func token(in header: String?) -> Substring? {
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7)
    }

    /// The problem for a request without valid bearer credentials.
    public static func required(realm: String) -> HTTPError {
        HTTPError(status: .unauthorized, code: "unauthorized", detail: "a valid bearer token is required",
                  headers: ["WWW-Authenticate": "Bearer realm=\"\(realm)\""])
    }
}
