import Core
import Foundation
import HTTP
import Ledger
import Payments
import Postgres
import Reconciliation
import VietQR

/// Monthly reconciliation runs of a school (re-matching, the report, closing the month) and the
/// province report. Reports come as JSON (the stored canonical document, byte for byte), CSV for
/// Excel or a self-contained HTML page, as `format=` asks.
enum ReconciliationEndpoints {
    static let readers = RoleSets.schoolReaders
    static let runners = RoleSets.bookkeepers
    static let provinceReaders = RoleSets.provinceReaders
    static let formatParameter = QueryParameterSpec("format", .string(enumeration: ReportFormatChoice.allCases.map(\.rawValue)),
                                                    "json (default), csv (UTF-8 with BOM, for Excel) or html (a printable page)")
    static let separatorParameter = QueryParameterSpec("separator", .string(enumeration: ["comma", "semicolon"]),
                                                       "CSV separator: comma (default) or semicolon, for Excel set to a decimal comma")
    static let monthParameter = QueryParameterSpec("month", APIParameterSchemas.month, "the month, e.g. 2026-09")
    static let requiredMonthParameter = QueryParameterSpec("month", APIParameterSchemas.month, "the month, e.g. 2026-09", required: true)

    static func register(_ builder: inout APIBuilder, context: APIContext) {
        builder.add(.post, "/v1/schools/{school}/reconciliations",
                    summary: "Run a month: re-match what is unapplied, build the report, close the month when asked and every account agrees",
                    tag: "reconciliation", roles: runners, request: ReconciliationRunRequest.self, response: ReconciliationRunView.self,
                    status: .created, options: RouteOptions(routeClass: .expensive)) { request in
            let body = try request.decode(ReconciliationRunRequest.self)
            let runner = MonthlyReconciliation(pool: context.pool, bankName: VietQRBank.displayName)
            let result = try translating {
                try runner.run(schoolID: request.scopedSchool.id, month: body.month, close: body.close ?? false, actor: request.caller.actor)
            }
            return try runResponse(result.run, school: request.scopedSchool, status: .created)
        }
        builder.add(.get, "/v1/schools/{school}/reconciliations", summary: "The school's recorded runs, newest first",
                    tag: "reconciliation", roles: readers, query: [monthParameter], response: ReconciliationRunList.self) { request in
            let month = try request.query("month") { try CalendarMonth(iso: $0) }
            let school = request.scopedSchool
            let runs = try context.pool.withConnection { try ReconciliationRuns.list(schoolID: school.id, month: month, on: $0) }
            return try APIJSON.response(ReconciliationRunList(items: runs.map { ReconciliationRunView($0, school: school) }))
        }
        builder.add(.get, "/v1/schools/{school}/reconciliations/{run}", summary: "A recorded run with its report (the canonical JSON)",
                    tag: "reconciliation", roles: readers, response: ReconciliationRunView.self) { request in
            let run = try storedRun(request, context)
            _ = try translating { try ReconciliationRuns.report(of: run) }
            return try runResponse(run, school: request.scopedSchool, status: .ok)
        }
        builder.add(.get, "/v1/schools/{school}/reconciliations/{run}/report", summary: "A run's stored report as JSON, CSV or HTML",
                    tag: "reconciliation", roles: readers, query: [formatParameter, separatorParameter], response: nil,
                    options: RouteOptions(routeClass: .expensive)) { request in
            let run = try storedRun(request, context)
            let report = try translating { try ReconciliationRuns.report(of: run) }
            let name = "doi-soat-\(request.scopedSchool.code)-\(run.month.iso)-\(run.id)"
            return try document(request, name: name, json: Array(run.reportJSON.utf8),
                                csv: { MonthlyReportCSV.render(report, separator: $0) }, html: { MonthlyReportPage.html(report) })
        }
        builder.add(.get, "/v1/reports/province", summary: "The province's month per school and managing authority (an authority office: its schools)",
                    tag: "reconciliation", roles: provinceReaders, query: [requiredMonthParameter, formatParameter, separatorParameter],
                    response: nil, options: RouteOptions(routeClass: .expensive)) { request in
            guard let month = try request.query("month", { try CalendarMonth(iso: $0) }) else {
                throw APIError.invalidParameter("month", "required, e.g. 2026-09")
            }
            let report = try translating {
                try context.pool.transaction(isolation: .repeatableRead) { connection in
                    try ProvinceReports.build(month: month, scope: try KPIEndpoints.scope(of: request.caller, on: connection), on: connection)
                }
            }
            return try document(request, name: "bao-cao-tinh-\(month.iso)", json: ProvinceReportJSON.canonicalBytes(report),
                                csv: { ProvinceReportCSV.render(report, separator: $0) }, html: { ProvinceReportPage.html(report) })
        }
    }

    static func storedRun(_ request: APIRequest, _ context: APIContext) throws -> ReconciliationRun {
        let id = try request.id("run", notFound: "run_not_found")
        let school = request.scopedSchool.id
        guard let run = try context.pool.withConnection({ try ReconciliationRuns.find(schoolID: school, runID: id, on: $0) }) else {
            throw APIError.notFound("run_not_found", "no reconciliation run \(id) of this school")
        }
        return run
    }

    /// The run's JSON with its report spliced in verbatim as `report`: the canonical document keeps
    /// its own (camelCase) keys and bytes, so a client can hash it and compare with `report_sha256`.
    static func runResponse(_ run: ReconciliationRun, school: School, status: HTTPStatus) throws -> Response {
        var body = Array(try APIJSON.encoder.encode(ReconciliationRunView(run, school: school)))
        precondition(body.last == UInt8(ascii: "}") && body.count > 2, "a run view encodes as a non-empty object")
        body.removeLast()
        body += Array(#","report":"#.utf8) + Array(run.reportJSON.utf8) + [UInt8(ascii: "}")]
        return Response(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// A report in the format the query asks for.
    static func document(_ request: APIRequest, name: String, json: [UInt8], csv: (CSVSeparator) -> [UInt8],
                         html: () -> String) throws -> Response {
        let format = try request.query("format") { text -> ReportFormatChoice in
            guard let format = ReportFormatChoice(rawValue: text) else { throw APIError.invalidParameter("format", "json, csv or html") }
            return format
        } ?? .json
        let separator = try request.query("separator") { text -> CSVSeparator in
            switch text {
            case "comma": return .comma
            case "semicolon": return .semicolon
            default: throw APIError.invalidParameter("separator", "comma or semicolon")
            }
        } ?? .comma
        switch format {
        case .json:
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: json)
        case .csv:
            return Response(status: .ok, headers: ["Content-Type": "text/csv; charset=utf-8",
                                                   "Content-Disposition": "attachment; filename=\"\(name).csv\""], body: csv(separator))
        case .html:
            return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html().utf8))
        }
    }

    static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ReconciliationError {
            switch error {
            case .unknownSchool, .unknownRun: throw APIError.notFound(error.code, error.description)
            // A month not started yet is a well-formed month refused by the clock, the state of the moment: 409.
            case .closeRefused, .invalidMonth: throw APIError.conflict(error.code, error.description)
            case .report: throw HTTPError(status: .unprocessableContent, code: error.code, detail: error.description)
            // Our own data failed its integrity check: the server logs why, the client gets the generic 500.
            case .storedReportCorrupt: throw error
            case .ledger(let inner): throw APIError.translate(inner)
            case .database(let inner): throw APIError.translate(inner)
            }
        }
    }
}

enum ReportFormatChoice: String, CaseIterable {
    case json, csv, html
}

/// `POST /v1/schools/{school}/reconciliations`.
struct ReconciliationRunRequest: Codable, APIExample {
    var month: CalendarMonth
    /// Close the month when every bank account agrees with its statement (default false).
    var close: Bool?
    static let example = ReconciliationRunRequest(month: try! CalendarMonth(year: 2026, month: 9), close: true)
}

/// The canonical report document (`tuition/monthly-reconciliation-report/1`, docs/reports.md), kept as written.
struct ReconciliationReportDocument: Codable, SchemaDescribing {
    static var jsonSchema: JSONSchema { .any }
}

struct ReconciliationRunView: Codable, APIExample {
    var runId: Int64
    var school: String
    var month: CalendarMonth
    var state: String
    var closeRequested: Bool
    var closed: Bool
    var appliedCount: Int
    var statementOnlyCount: Int
    var statementOnlyTotal: Money
    var reportSha256: String
    var runBy: String
    var runByRole: String
    var runAt: Date
    /// Present on a single run: the report itself.
    var report: ReconciliationReportDocument?

    static let example = ReconciliationRunView(
        runId: 41, school: "THCS-BADINH", month: try! CalendarMonth(year: 2026, month: 9), state: "closed", closeRequested: true,
        closed: true, appliedCount: 3, statementOnlyCount: 12, statementOnlyTotal: Money(dong: 18_500_000),
        reportSha256: "9f2c4e0d1b7a5c3e8f6a2d4b0c9e7f1a3b5d7c9e1f2a4b6c8d0e2f4a6b8c0d2e", runBy: "token 3 (kế toán)", runByRole: "accountant",
        runAt: Date(timeIntervalSince1970: 1_790_818_205), report: ReconciliationReportDocument())
}

extension ReconciliationRunView {
    init(_ run: ReconciliationRun, school: School) {
        self.init(runId: run.id, school: school.code, month: run.month, state: run.state.rawValue, closeRequested: run.closeRequested,
                  closed: run.closed, appliedCount: run.appliedCount, statementOnlyCount: run.statementOnlyCount,
                  statementOnlyTotal: run.statementOnlyTotal, reportSha256: run.reportSHA256, runBy: run.runBy, runByRole: run.runByRole,
                  runAt: run.runAt, report: nil)
    }
}

struct ReconciliationRunList: Codable, APIExample {
    var items: [ReconciliationRunView]
    static let example = ReconciliationRunList(items: [ReconciliationRunView.example])
}
