import Billing
import Core
import Foundation
import HTTP
import Postgres

/// The school calendar, pupils' absences and enrolments in opt-in fees (docs/billing.md, "Fees from 2025–26").
enum BillingAttendanceEndpoints {
    static func register(_ builder: inout APIBuilder, context: APIContext) {
        let base = BillingEndpoints.base
        builder.add(.post, base + "/school-calendar", summary: "Record the school days of a month (per-day fees are billed by them)",
                    tag: "fees", roles: BillingEndpoints.writers, request: SchoolMonthRequest.self, response: SchoolMonthRequest.self) { request in
            let body = try request.decode(SchoolMonthRequest.self)
            let holidays = try SchoolCalendar.holidays(days: body.holidayDays ?? [], in: body.month)
            try BillingRequest.write(context) { connection in
                try SchoolCalendar.set(schoolID: request.scopedSchool.id, SchoolMonth(period: body.month, schoolDays: body.schoolDays,
                                                                                      holidays: holidays),
                                       updatedBy: BillingRequest.actor(request), on: connection)
            }
            return try APIJSON.response(body)
        }
        builder.add(.post, base + "/attendance/import",
                    summary: "Import absent days (CSV: student_code, month, absent_days), all or nothing. A file the pattern refuses is "
                        + "a 422 naming every line and column that does not fit; a pupil named twice for a month a 422 listing every problem; rows the school's records "
                        + "refuse (no such pupil, no school days recorded for the month, more absent days than it has) a 409 listing them.",
                    tag: "fees", roles: BillingEndpoints.writers, response: RowImportView.self,
                    options: RouteOptions(bodyBytesMax: AttendanceImport.fileBytesMax),
                    upload: APIUpload(csv: AttendanceImport.apiFile, bodyBytesMax: AttendanceImport.fileBytesMax,
                                      description: "CSV: the header student_code,month,absent_days, then one row per pupil and month "
                                          + "(a student code, YYYY-MM, 0 to \(SchoolCalendar.schoolDaysMax) days), lines ended by LF or CR LF")) { request in
            try importRows(request, shape: AttendanceImport.apiFile, context: context) { connection in
                try AttendanceImport.run(schoolID: request.scopedSchool.id, file: request.http.body, importedBy: BillingRequest.actor(request),
                                         on: connection)
            }
        }
        builder.add(.post, base + "/enrolments/import",
                    summary: "Import open-ended enrolments in opt-in fees (CSV: student_code, fee, from), all or nothing. A file the "
                        + "pattern refuses is a 422 naming every line and column that does not fit; rows the school's records refuse (no such pupil or fee, a fee not "
                        + "taken by enrolment, an overlapping enrolment) a 409 listing every one by line and field.",
                    tag: "fees", roles: BillingEndpoints.writers, response: RowImportView.self,
                    options: RouteOptions(bodyBytesMax: AttendanceImport.fileBytesMax),
                    upload: APIUpload(csv: EnrolmentImport.apiFile, bodyBytesMax: AttendanceImport.fileBytesMax,
                                      description: "CSV: the header student_code,fee,from, then one row per enrolment (a student code, "
                                          + "the fee's code, the first day YYYY-MM-DD), lines ended by LF or CR LF")) { request in
            try importRows(request, shape: EnrolmentImport.apiFile, context: context) { connection in
                try EnrolmentImport.run(schoolID: request.scopedSchool.id, file: request.http.body, recordedBy: BillingRequest.actor(request),
                                        on: connection)
            }
        }
        builder.add(.post, base + "/enrolments", summary: "Enrol a pupil in an opt-in fee (a month partly covered is billed pro rata)",
                    tag: "fees", roles: BillingEndpoints.writers, request: EnrolmentRequest.self, response: EnrolmentRequest.self,
                    status: .created) { request in
            let body = try request.decode(EnrolmentRequest.self)
            let school = request.scopedSchool
            try BillingRequest.write(context) { connection in
                let student = try BillingLookup.bodyStudent(body.student, field: "student", school: school, on: connection)
                let fee = try BillingLookup.bodyFeeType(body.fee, field: "fee", school: school, on: connection)
                try Enrolments.enrol(schoolID: school.id, Enrolment(studentID: student.id, feeTypeID: fee.id, from: body.from, through: body.through),
                                     recordedBy: BillingRequest.actor(request), on: connection)
            }
            return try APIJSON.response(body, status: .created)
        }
    }

    /// Runs an all-or-nothing row import of a file of `shape`. A file the shape refuses answers 422 `file_invalid` with every
    /// line and column that does not fit (at most `AttendanceImport.problemsReportedMax`), before anything is read; bad
    /// rows 422 with every problem, rows the school's records refuse 409.
    static func importRows(_ request: APIRequest, shape: CSVShape, context: APIContext,
                           _ body: (PostgresConnection) throws -> Int) throws -> Response {
        if let refused = try BillingStudentEndpoints.refusedAtTheDoor(request, shape: shape) { return refused }
        do {
            return try APIJSON.response(RowImportView(rows: try BillingRequest.write(context, body)))
        } catch RowImportError.invalidRows(let problems, let total) {
            return try BillingStudentEndpoints.rosterProblems(problems, total: total, requestID: request.http.requestId, what: "the file",
                                                              code: "rows_invalid")
        } catch RowImportError.conflictingRows(let problems, let total) {
            return try BillingStudentEndpoints.rosterProblems(problems, total: total, requestID: request.http.requestId, what: "the file",
                                                              code: "rows_conflict", status: .conflict)
        } catch let error as RowImportError {
            throw HTTPError(status: .unprocessableContent, code: "file_invalid", detail: error.description)
        }
    }
}

struct SchoolMonthRequest: Codable, APIExample {
    var month: CalendarMonth
    /// School days of the month, weekends and holidays left out (0–23).
    var schoolDays: Int
    /// The weekday holidays, as days of `month` (1 to the month's last day), for the record.
    var holidayDays: [Int]?

    static let example = SchoolMonthRequest(month: try! CalendarMonth(year: 2026, month: 10), schoolDays: 22, holidayDays: [20])
}

struct EnrolmentRequest: Codable, APIExample {
    /// Student code or standing payment code.
    var student: String
    var fee: String
    var from: CalendarDate
    /// Open-ended when absent.
    var through: CalendarDate?

    static let example = EnrolmentRequest(student: "HS0001", fee: "CLB_TIENGANH", from: try! CalendarDate(year: 2026, month: 9, day: 1),
                                          through: try! CalendarDate(year: 2027, month: 5, day: 31))
}

struct RowImportView: Codable, APIExample {
    var rows: Int
    static let example = RowImportView(rows: 360)
}

/// What `SchoolCalendar.set` and `SchoolCalendar.holidays` check: the school days, and holidays as days of the month,
/// each no later than the month's last day (a rule across `month` and `holiday_days`, one `anyOf` branch per month
/// length from `CalendarMonth.isoPatternsByDaysAtLeast`).
extension SchoolMonthRequest: APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] {
        ["school_days": .integerRange(0...Int64(SchoolCalendar.schoolDaysMax)),
         "holiday_days": .boundedArray(.integerRange(1...31), items: 0...SchoolCalendar.holidaysPerMonthMax)]
    }

    static var crossFieldRules: [JSONSchema] {
        [.anyOf(CalendarMonth.isoPatternsByDaysAtLeast.map { length in
            .fields(properties: [("month", .patterned(pattern: length.pattern)),
                                 ("holiday_days", .nullable(.array(.integerRange(1...Int64(length.days)))))],
                    required: ["month"])
        })]
    }
}
