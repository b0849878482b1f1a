import Core
import Crypto
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Reconciliation

/// The open data feed (docs/feed.md) for the province's operations centre and the ministry's sector database:
/// schools by official code and the KPI figures by authority, aggregated only — no pupil's name, code or any
/// personal data, no account numbers. Versioned by path and a `version` field, paged with an opaque cursor,
/// with an `ETag` over the body so `If-None-Match` answers 304 when nothing changed.
enum FeedEndpoints {
    static let version = 1
    static let readers = RoleSets.feedReaders
    static let pageSizeDefault = 100
    static let pageSizeMax = 500
    /// A cursor longer than this cannot be one we issued.
    static let cursorBytesMax = 64

    static let cursorParameter = QueryParameterSpec("cursor", .patterned(pattern: cursorPattern), "the next_cursor of the previous page; absent for the first page")
    static let limitParameter = QueryParameterSpec("limit", .integerRange(1...Int64(pageSizeMax)), "items per page, 1 to \(pageSizeMax) (default \(pageSizeDefault))")

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.get, "/v1/feed/schools", summary: "Open data: schools by official code, with commune and managing authority",
                    tag: "feed", roles: readers, query: [cursorParameter, limitParameter], response: FeedSchoolPage.self) { request in
            let (after, limit) = try paging(request)
            let schools = try context.pool.withConnection { try Schools.listByOfficialCode(after: after, limit: limit + 1, on: $0) }
            let page = Array(schools.prefix(limit))
            let next = schools.count > limit ? page.last?.officialCode.map(encodeCursor) : nil
            return try tagged(request, FeedSchoolPage(version: version, items: page.map(FeedSchool.init), nextCursor: next))
        }
        builder.add(.get, "/v1/feed/kpi", summary: "Open data: the month's KPI figures per managing authority and for the province",
                    tag: "feed", roles: readers, query: [ReconciliationEndpoints.requiredMonthParameter, cursorParameter, limitParameter],
                    response: FeedKPIPage.self) { request in
            guard let month = try request.query("month", { try CalendarMonth(iso: $0) }) else {
                throw APIError.invalidParameter("month", "required, e.g. 2026-09")
            }
            let (after, limit) = try paging(request)
            let report = try ReconciliationEndpoints.translating {
                try context.pool.transaction(isolation: .repeatableRead) { try KPIReports.build(period: .month(month), on: $0) }
            }
            let authorities = report.authorities.sorted { $0.code < $1.code }.filter { after == nil || $0.code > after! }
            let page = Array(authorities.prefix(limit))
            let items = page.map {
                FeedKPIAuthority(authorityCode: $0.code, authorityName: $0.name, authorityKind: $0.kind, figures: FeedKPIFigures($0.figures))
            }
            let body = FeedKPIPage(version: version, month: month, definition: KPIReport.definition,
                                   targetBankSchools2025: FeedRate(KPITargets.bankSchools2025), targetCashless2030: FeedRate(KPITargets.cashless2030),
                                   province: FeedKPIFigures(report.province),
                                   trend: report.trend.map { FeedKPIMonth(month: $0.month, figures: FeedKPIFigures($0.figures)) },
                                   items: items, nextCursor: authorities.count > limit ? page.last.map { encodeCursor($0.code) } : nil)
            return try tagged(request, body)
        }
    }

    /// The cursor's position (decoded) and the page size.
    static func paging(_ request: APIRequest) throws -> (after: String?, limit: Int) {
        let limit = try request.query("limit") { text -> Int in
            guard let value = Int(text), (1...pageSizeMax).contains(value) else { throw APIError.invalidParameter("limit", "1 to \(pageSizeMax)") }
            return value
        } ?? pageSizeDefault
        let after = try request.query("cursor") { text -> String in
            guard let position = position(ofCursor: text) else { throw APIError.invalidParameter("cursor", "not a cursor this feed issued") }
            return position
        }
        return (after, limit)
    }

    /// Cursors carry the feed version, so a cursor of another version is refused instead of misread.
    static let cursorPrefix = "v\(version):"

    static func encodeCursor(_ position: String) -> String { Base64URL.encode(Array((cursorPrefix + position).utf8)) }

    /// The position a cursor carries: base64url (canonical) of this version's prefix and the position, at most
    /// `cursorBytesMax`; nil for anything else. Bytes that are not UTF-8 are read as U+FFFD: such a position
    /// sorts somewhere like any other, so every cursor of the documented shape is answered.
    static func position(ofCursor text: String) -> String? {
        guard text.utf8.count <= cursorBytesMax, let bytes = try? Base64URL.decode(text),
              bytes.starts(with: cursorPrefix.utf8) else { return nil }
        return String(decoding: bytes.dropFirst(cursorPrefix.utf8.count), as: UTF8.self)
    }

    /// What `position(ofCursor:)` accepts, as a pattern: the prefix's base64url (its length is a multiple of 3
    /// bytes, so it encodes on its own), then whole groups of four, then a canonical tail of two or three
    /// characters (their unused bits zero), all within `cursorBytesMax`.
    static let cursorPattern: String = {
        let prefix = Base64URL.encode(Array(cursorPrefix.utf8))
        precondition(cursorPrefix.utf8.count % 3 == 0, "the cursor prefix must encode to whole groups")
        let symbol = "[A-Za-z0-9_-]"
        let groupsMax = (cursorBytesMax - prefix.count) / 4
        let tail2 = symbol + "[AQgw]"
        let tail3 = symbol + symbol + "[AEIMQUYcgkosw048]"
        let withTail2 = "(\(symbol){4}){0,\((cursorBytesMax - prefix.count - 2) / 4)}" + tail2
        let withTail3 = "(\(symbol){4}){0,\((cursorBytesMax - prefix.count - 3) / 4)}" + tail3
        return "^" + prefix + "((\(symbol){4}){0,\(groupsMax)}|" + withTail2 + "|" + withTail3 + ")$"
    }()

    /// The JSON body with a strong `ETag` (SHA-256 of the body); 304 and no body when `If-None-Match` names it.
    static func tagged<Value: Encodable>(_ request: APIRequest, _ value: Value) throws -> Response {
        let body = Array(try APIJSON.encoder.encode(value))
        let etag = "\"" + Hex.encode(SHA256Digest.hash(body)) + "\""
        let wanted = request.http.headers["If-None-Match"] ?? ""
        let tags = wanted.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains(etag) || tags.contains("*") {
            return Response(status: .notModified, headers: ["ETag": etag, "Cache-Control": "no-cache"])
        }
        return Response(status: .ok, headers: ["Content-Type": "application/json", "ETag": etag, "Cache-Control": "no-cache"], body: body)
    }
}
