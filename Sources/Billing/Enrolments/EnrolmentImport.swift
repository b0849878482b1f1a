import Core
import Postgres

/// Imports enrolments in opt-in fees (CSV: `student_code`, `fee`, `from`, `through`; Vietnamese headers
/// `Mã học sinh`, `Khoản thu`, `Từ ngày`, `Đến ngày` accepted; `through` may be empty or its column absent: open-ended):
/// all or nothing, every problem by line and field. Each row goes through `Enrolments.enrol`.
public enum EnrolmentImport {
    public static let rowsMax = 60_000
    /// The file the API takes (its document states `apiFile.pattern`; the route checks `apiFile` at the door): the English
    /// header `student_code,fee,from`, then a student code, an opt-in fee's code and the first day (`YYYY-MM-DD`, a real
    /// day) per row, at most `CSVShape.patternRowsMax` rows: open-ended enrolments, so no end can precede its start. Everything else it refuses of such a file
    /// is the school's state (409). An end is recorded with `POST /enrolments` or when the pupil leaves.
    public static let apiFile = CSVShape(columns: [("student_code", "^" + StudentRules.bareCodePattern + "$"), ("fee", FeeTypes.codePattern),
                                                   ("from", CalendarDate.fullISOPattern)])
    static let columns: [(name: String, aliases: [String])] = [
        ("student_code", ["student_code", "code", "mã học sinh", "mã hs"]),
        ("fee", ["fee", "fee_code", "khoản thu", "mã khoản thu"]),
        ("from", ["from", "enrolled_from", "từ ngày"]),
        ("through", ["through", "enrolled_through", "đến ngày"]),
    ]

    /// Imports the file; returns the enrolments recorded.
    public static func run(schoolID: Int64, file: [UInt8], recordedBy: String, on connection: PostgresConnection) throws -> Int {
        guard file.count <= AttendanceImport.fileBytesMax else { throw RowImportError.file("the file is more than \(AttendanceImport.fileBytesMax) bytes") }
        let records = try AttendanceImport.csvRecords(file, rowsMax: rowsMax)
        let positions = try AttendanceImport.columnPositions(records[0], columns: columns, optional: ["through"])
        let students = Dictionary(try Students.list(schoolID: schoolID, on: connection).map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        let fees = Dictionary(try FeeTypes.list(schoolID: schoolID, on: connection).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        // `content`: what the file says (a date that is no date, an end before the start); `state`: what the school's
        // records refuse (a pupil or fee it does not have, a fee not taken by enrolment, an overlapping enrolment).
        var content: [RosterRowProblem] = [], state: [RosterRowProblem] = []
        var parsed: [(line: Int, enrolment: Enrolment)] = []
        for record in records.dropFirst() {
            func fail(_ field: String, _ problem: String) { content.append(RosterRowProblem(line: record.line, field: field, problem: problem)) }
            func refuse(_ field: String, _ problem: String) { state.append(RosterRowProblem(line: record.line, field: field, problem: problem)) }
            let code = AttendanceImport.field(record, positions[0]) ?? ""
            let feeCode = (AttendanceImport.field(record, positions[1]) ?? "").uppercased()
            let student = students[code]
            if code.isEmpty { fail("student_code", "is empty") } else if student == nil { refuse("student_code", "no student '\(code)' in this school") }
            let fee = fees[feeCode]
            if feeCode.isEmpty { fail("fee", "is empty") } else if fee == nil { refuse("fee", "no fee type '\(feeCode)' in this school") }
            if let fee, !fee.requiresEnrolment { refuse("fee", "\(fee.code) is not an opt-in fee") }
            let from = date(AttendanceImport.field(record, positions[2]) ?? "", field: "from", fail: fail)
            let throughText = AttendanceImport.field(record, positions[3]) ?? ""
            let through = throughText.isEmpty ? nil : date(throughText, field: "through", fail: fail)
            if let from, let through, through < from { fail("through", "\(through.iso) is before \(from.iso)") }
            guard let student, let fee, let from, throughText.isEmpty || through != nil else { continue }
            parsed.append((record.line, Enrolment(studentID: student, feeTypeID: fee.id, from: from, through: through)))
        }
        try RowImportError.check(content: content, state: state)
        // Every row is well formed now: what `Enrolments.enrol` refuses is the enrolments on record, this file's earlier
        // rows included (an overlap).
        for (line, enrolment) in parsed {
            do { try Enrolments.enrol(schoolID: schoolID, enrolment, recordedBy: recordedBy, on: connection) } catch {
                state.append(RosterRowProblem(line: line, field: "from", problem: error.description))
            }
        }
        // The caller's transaction is rolled back by the throw: nothing of a file with a conflicting row stays.
        try RowImportError.check(content: [], state: state)
        return parsed.count
    }

    static func date(_ text: String, field: String, fail: (String, String) -> Void) -> CalendarDate? {
        if let date = try? CalendarDate(iso: text) { return date }
        let parts = text.split(separator: "/").compactMap { Int($0) }
        if parts.count == 3, let date = try? CalendarDate(year: parts[2], month: parts[1], day: parts[0]) { return date }
        fail(field, "'\(text)' is not a date like 2026-09-05 or 05/09/2026")
        return nil
    }
}
