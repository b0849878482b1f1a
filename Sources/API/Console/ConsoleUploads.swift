import Core
import Crypto
import Foundation
import HTTP
import Ledger
import Synchronization

/// Files uploaded through a console form and kept between their preview and the confirmation, bound to the session that
/// uploaded them and to one school. The confirmation imports the kept bytes — never a file the browser sends again —
/// and the importer validates them again in its own transaction (the preview is not trusted).
///
/// Kept in memory: a restart (or a second server) forgets them and the accountant uploads again; the store is bounded
/// in entries, bytes and age so uploads cannot fill the server.
final class ConsoleUploads: Sendable {
    /// An upload unconfirmed this long is forgotten.
    static let keptSeconds: Int64 = 15 * 60
    /// Uploads kept at once (every session together); the oldest goes first.
    static let entriesMax = 32
    /// Bytes kept at once (every upload together).
    static let keptBytesMax = 64 * 1024 * 1024
    static let idBytes = 16

    struct Upload: Sendable {
        let owner: String
        let schoolID: Int64
        let filename: String
        let bytes: [UInt8]
        let keptUntil: Int64
        /// The order of keeping (seconds do not tell uploads of one second apart): the smallest goes first.
        let sequence: Int
    }

    private struct Store {
        var uploads: [String: Upload] = [:]
        var next = 0
    }

    private let store = Mutex(Store())

    /// Keeps `bytes` for `owner` (the session's CSRF token: secret, and one per session) and returns the upload's id.
    func keep(_ bytes: [UInt8], filename: String, owner: String, schoolID: Int64) throws -> String {
        let id = try SecureRandom.token(byteCount: Self.idBytes)
        let now = Self.nowSeconds()
        store.withLock { store in
            store.uploads = store.uploads.filter { $0.value.keptUntil > now }
            while store.uploads.count >= Self.entriesMax
                    || store.uploads.values.reduce(0, { $0 + $1.bytes.count }) + bytes.count > Self.keptBytesMax,
                  let oldest = store.uploads.min(by: { $0.value.sequence < $1.value.sequence }) {
                store.uploads[oldest.key] = nil
            }
            store.next += 1
            store.uploads[id] = Upload(owner: owner, schoolID: schoolID, filename: filename, bytes: bytes, keptUntil: now + Self.keptSeconds,
                                       sequence: store.next)
        }
        return id
    }

    /// The upload `id` when it belongs to `owner` and `schoolID` and has not expired; it is removed (used once).
    func take(_ id: String, owner: String, schoolID: Int64) -> Upload? {
        let now = Self.nowSeconds()
        return store.withLock { store -> Upload? in
            guard let upload = store.uploads[id], upload.keptUntil > now, upload.schoolID == schoolID,
                  ConstantTime.equal(Array(upload.owner.utf8), Array(owner.utf8)) else { return nil }
            store.uploads[id] = nil
            return upload
        }
    }

    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// A signed-in page receiving a `multipart/form-data` file form: the CSRF token comes from the form's `csrf` part.
enum ConsoleFileForms {
    /// The largest form body accepted: the file's own limit plus room for the other fields; larger bodies the server refuses
    /// before the handler (413).
    static func bodyBytesMax(fileBytesMax: Int) -> Int { fileBytesMax + 64 * 1024 }

    typealias Handler = @Sendable (Request, ConsoleSessions.Live, School, MultipartFormData) throws -> Response

    static func page(_ builder: inout APIBuilder, _ template: String, fileBytesMax: Int, state: ConsoleState, handler: @escaping Handler) {
        let allowed = ConsoleAccess.allowedRoles(.post, template)
        // Expensive, as the API's imports are: parsing a file of megabytes is rate-limited per address under floods.
        builder.addPage(.post, template, bodyBytesMax: bodyBytesMax(fileBytesMax: fileBytesMax), routeClass: .expensive) { request in
            guard let presented = ConsoleHTTP.cookieValue(ConsoleHTTP.sessionCookie, in: request),
                  let session = try state.pool.withConnection({ try ConsoleSessions.resolve(presented, on: $0) }) else {
                return ConsoleHTTP.redirect("/console/sign-in")
            }
            let form: MultipartFormData
            do throws(MultipartError) { form = try MultipartFormData(body: request.body, contentType: request.headers["content-type"]) } catch {
                // Without a readable form there is no CSRF token to check: refused as a forged form is.
                return refused(session, "Biểu mẫu gửi lên không đọc được (\(error.description)).")
            }
            guard ConsoleHTTP.tokensMatch(form.text("csrf"), session.csrf) else {
                return refused(session, "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và thử lại.")
            }
            guard let school = try ConsoleAccess.admit(request, session: session, roles: allowed, state: state) else {
                return try ConsoleAccess.refusal(request, session: session, roles: allowed)
            }
            return try handler(request, session, school, form)
        }
    }

    static func refused(_ session: ConsoleSessions.Live, _ message: String) -> Response {
        ConsoleHTTP.html(ConsolePage.shell(title: "Yêu cầu bị từ chối", body: ConsolePage.notice(message), session: session,
                                           navigation: ConsoleRoutes.navigation(session.caller)), status: .forbidden)
    }
}
