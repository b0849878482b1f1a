import BankFormats
import Core
import Foundation
import HTTP
import Payments

/// Upload of a bank's end-of-day collection file (docs/collection.md §5): the body is the file;
/// the answer is the day's report (JSON, CSV with BOM, HTML) or the answer files for the bank.
enum CollectionReconciliationEndpoints {
    /// A busy school's day of collections fits many times over.
    static let bodyBytesMax = 8 * 1024 * 1024
    static let reconcilers = RoleSets.bookkeepers
    static let formats = ["json", "csv", "html", "summary", "differences"]

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.post, "/v1/schools/{school}/collections/{provider}/reconciliations",
                    summary: "Reconcile a bank's end-of-day collection file (body: the file) with the day's payment notices",
                    tag: "collections", roles: reconcilers, query: queryParameters, response: nil,
                    options: RouteOptions(bodyBytesMax: bodyBytesMax),
                    upload: APIUpload(mediaType: "application/octet-stream", bodyBytesMax: bodyBytesMax, binary: true,
                                      description: "The bank's end-of-day collection file, in the provider's layout")) { request in
            try upload(request, service: context.collections)
        }
    }

    static let queryParameters = [
        QueryParameterSpec("date", APIParameterSchemas.date, "The business day the file covers, YYYY-MM-DD", required: true),
        QueryParameterSpec("format", .string(enumeration: formats), "json (default), csv, html, summary or differences (the answer files for the bank)"),
        QueryParameterSpec("file_name", APIParameterSchemas.queryText, "The file's name, used in errors"),
    ]

    static func upload(_ request: APIRequest, service: CollectionService) throws -> Response {
        let provider = request.http.pathParameters["provider"] ?? ""
        guard let description = service.catalog.description(for: provider) else {
            throw APIError.notFound("unknown_provider", "no collection provider '\(String(provider.prefix(32)))'")
        }
        guard let date = request.http.queryValue("date").flatMap({ try? CalendarDate(iso: $0) }) else {
            throw APIError.invalidParameter("date", "required: YYYY-MM-DD")
        }
        let format = request.http.queryValue("format") ?? "json"
        guard formats.contains(format) else { throw APIError.invalidParameter("format", "one of \(formats.joined(separator: ", "))") }
        let fileName = String((request.http.queryValue("file_name") ?? "upload").prefix(100))
        guard !request.http.body.isEmpty else { throw APIError.validation("the body is empty: send the file's bytes") }
        let report: CollectionDayReport
        do {
            report = try CollectionReconciler.reconcile(request.http.body, fileName: fileName, description: description,
                                                        school: request.scopedSchool, date: date, pool: service.pool, now: service.clock())
        } catch let error as CollectionReconcileError {
            throw HTTPError(status: .unprocessableContent, code: "collection_file_refused", detail: error.description)
        }
        switch format {
        case "csv": return file(CollectionDayReportFormats.csv(report), type: "text/csv; charset=utf-8")
        case "html": return file(Array(CollectionDayReportFormats.html(report).utf8), type: "text/html; charset=utf-8")
        case "summary": return file(Array(CollectionDayReportFormats.summary(report, layout: description.file).utf8), type: "text/plain; charset=utf-8")
        case "differences":
            return file(Array(CollectionDayFile.differencesFile(report.differences, layout: description.file).utf8), type: "text/plain; charset=utf-8")
        default: return file(try CollectionDayReportFormats.json(report), type: "application/json")
        }
    }

    static func file(_ bytes: [UInt8], type: String) -> Response {
        var headers: HTTPHeaders = [:]
        headers.set("Content-Type", type)
        return Response(status: .ok, headers: headers, body: bytes)
    }
}
