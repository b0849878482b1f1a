import Billing
import Core
import Foundation
import HTTP
import Ledger
import Postgres

/// Students: the roster import, listing, one student by code, create, replace, withdraw.
enum BillingStudentEndpoints {
    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let base = BillingEndpoints.base
        builder.add(.post, base + "/students/import",
                    summary: "Import the roster (CSV: student_code, full_name, date_of_birth, class, grade, guardian_name, guardian_phone, "
                        + "family_key), all or nothing. A file the pattern refuses is a 422 naming every line and column that does not fit; "
                        + "a student code twice a 422 listing every problem; rows the school's records or the clock refuse (a grade its level "
                        + "does not teach, a date of birth after today) a 409 listing them.",
                    tag: "students", roles: BillingEndpoints.writers,
                    query: [QueryParameterSpec("dry_run", APIParameterSchemas.boolean, "true: check and report, write nothing.")],
                    response: RosterImportView.self, options: RouteOptions(bodyBytesMax: RosterImport.fileBytesMax, routeClass: .expensive),
                    upload: APIUpload(csv: RosterImport.apiFile, bodyBytesMax: RosterImport.fileBytesMax,
                                      description: "UTF-8 CSV: the header student_code,full_name,date_of_birth,class,grade,guardian_name,"
                                          + "guardian_phone,family_key, then one row per student (a student code; a name starting with a letter "
                                          + "or digit; YYYY-MM-DD from 1940; a class; a grade 0 to 12; optional guardian, phone of 8 to 15 digits "
                                          + "with an optional +, family key), no quoting, no comma or quote in a value, lines ended by LF or CR LF; "
                                          + "at most \(RosterImport.apiFileCharactersMax) characters (a larger roster is sent in parts)")) { request in
            try importRoster(request, context: context)
        }
        builder.add(.get, base + "/students", summary: "List students by student code", tag: "students", roles: BillingEndpoints.readers,
                    query: [QueryParameterSpec("class", APIParameterSchemas.queryText(characters: 1...StudentRules.classCharactersMax), "Only this class."),
                            QueryParameterSpec("status", .string(enumeration: BillingStudentListing.Status.allCases.map(\.rawValue)),
                                               "Only active or only withdrawn students.")] + BillingPage.queryParameters,
                    response: StudentList.self) { request in
            try list(request, context: context)
        }
        builder.add(.post, base + "/students", summary: "Create a student", tag: "students", roles: BillingEndpoints.writers,
                    request: StudentRequest.self, response: StudentView.self, status: .created) { request in
            let input = try request.decode(StudentRequest.self)
            let school = request.scopedSchool
            try input.checkState(school: school)
            let student = try BillingRequest.write(context) { connection in
                try Students.create(schoolID: school.id, input.details, changedBy: BillingRequest.actor(request), on: connection)
            }
            return try APIJSON.response(StudentView(student, school: school), status: .created)
        }
        registerOne(&builder, context: context)
    }

    /// The routes of one student, named by student code (or standing payment code).
    static func registerOne(_ builder: inout APIBuilder, context: APIContext) {
        let path = BillingEndpoints.base + "/students/{student}"
        builder.add(.get, path, summary: "Get a student by student code", tag: "students", roles: BillingEndpoints.readers,
                    response: StudentView.self) { request in
            let student = try BillingRequest.read(context) { try BillingLookup.pathStudent(request, on: $0) }
            return try APIJSON.response(StudentView(student, school: request.scopedSchool))
        }
        builder.add(.put, path, summary: "Replace a student's details (the code may change; every change is recorded)", tag: "students",
                    roles: BillingEndpoints.writers, request: StudentRequest.self, response: StudentView.self) { request in
            let school = request.scopedSchool
            let student = try BillingRequest.write(context) { connection -> Student in
                let current = try BillingLookup.pathStudent(request, on: connection)
                let input = try request.decode(StudentRequest.self)
                try input.checkState(school: school)
                return try Students.update(schoolID: school.id, studentID: current.id, input.details, changedBy: BillingRequest.actor(request),
                                           on: connection)
            }
            return try APIJSON.response(StudentView(student, school: school))
        }
        builder.add(.post, path + "/withdraw", summary: "Withdraw a student: no further invoices; invoices and payments stay; per-day items are credited back for the days not served (family credit)",
                    tag: "students", roles: BillingEndpoints.writers, request: WithdrawRequest.self, response: StudentView.self) { request in
            let school = request.scopedSchool
            let student = try BillingRequest.write(context) { connection -> Student in
                let current = try BillingLookup.pathStudent(request, on: connection)
                // Withdrawn already: the student's state, 409 like a prepayment for them.
                guard current.status.isActive else {
                    throw APIError.conflict("student_withdrawn", "status: student \(current.code) is already withdrawn")
                }
                // An empty body withdraws today (`WithdrawRequest.bodyOptional`).
                let input = request.http.body.isEmpty ? WithdrawRequest(withdrawnOn: nil) : try request.decode(WithdrawRequest.self)
                try Students.withdraw(schoolID: school.id, studentID: current.id, on: input.withdrawnOn ?? VietnamTime.today,
                                      changedBy: BillingRequest.actor(request), on: connection)
                return try Students.find(schoolID: school.id, id: current.id, on: connection) ?? current
            }
            return try APIJSON.response(StudentView(student, school: school))
        }
    }

    static func list(_ request: APIRequest, context: APIContext) throws -> Response {
        let className = try request.query("class") { text -> String in
            guard !text.isEmpty, text.unicodeScalars.count <= StudentRules.classCharactersMax else {
                throw BillingParameterError("1 to \(StudentRules.classCharactersMax) characters")
            }
            return text
        }
        let status = try request.query("status") { text -> BillingStudentListing.Status in
            guard let status = BillingStudentListing.Status(rawValue: text) else { throw BillingParameterError("active or withdrawn") }
            return status
        }
        let page = try BillingPage(request)
        let list = try BillingRequest.read(context) { connection in
            try BillingStudentListing.page(school: request.scopedSchool, className: className, status: status, page: page, on: connection)
        }
        return try APIJSON.response(list)
    }

    static func importRoster(_ request: APIRequest, context: APIContext) throws -> Response {
        let dryRun = try request.query("dry_run") { text -> Bool in
            guard let value = APIParameterSchemas.parseBoolean(text) else { throw BillingParameterError("true or false") }
            return value
        } ?? false
        let school = request.scopedSchool
        if let refused = try refusedAtTheDoor(request, shape: RosterImport.apiFile) { return refused }
        do {
            let report = try BillingRequest.write(context) { connection in
                try RosterImport.run(schoolID: school.id, file: request.http.body, dryRun: dryRun, importedBy: BillingRequest.actor(request),
                                     on: connection)
            }
            return try APIJSON.response(RosterImportView(report))
        } catch RosterImportError.invalidRows(let problems, let total) {
            return try rosterProblems(problems, total: total, requestID: request.http.requestId)
        } catch RosterImportError.conflictingRows(let problems, let total) {
            return try rosterProblems(problems, total: total, requestID: request.http.requestId, code: "roster_rows_conflict", status: .conflict)
        }
    }

    /// The 422 `file_invalid` naming every line and column of the body that does not fit `shape` (at most
    /// `AttendanceImport.problemsReportedMax`), before anything is read; nil when the file has the shape.
    static func refusedAtTheDoor(_ request: APIRequest, shape: CSVShape) throws -> Response? {
        let mismatches = shape.mismatches(request.http.body, reportedMax: AttendanceImport.problemsReportedMax)
        guard !mismatches.isEmpty else { return nil }
        let problems = mismatches.map { RosterRowProblem(line: $0.line, field: $0.column ?? ($0.line == 1 ? "header" : "row"), problem: $0.problem) }
        return try rosterProblems(problems, total: problems.count, requestID: request.http.requestId,
                                  what: "the file (not of the shape the document states)", code: "file_invalid")
    }

    /// The 422 (or, for rows the school's records refuse, 409) naming every bad field by line (nothing was imported).
    /// `what` and `code` name the file for the other row imports (attendance, enrolments).
    static func rosterProblems(_ problems: [RosterRowProblem], total: Int, requestID: String, what: String = "the roster",
                               code: String = "roster_rows_invalid", status: HTTPStatus = .unprocessableContent) throws -> Response {
        let document = RosterProblemDocument(
            code: code, detail: "\(total) problem\(total == 1 ? "" : "s") in \(what); nothing was imported",
            requestId: requestID, problems: problems.map { .init(line: $0.line, field: $0.field, problem: $0.problem) }, problemsTotal: total)
        var response = try APIJSON.response(document, status: status)
        response.headers.set("Content-Type", "application/problem+json")
        return response
    }
}
