import Core
import Postgres

/// Why an attendance or enrolment file was refused. When any row is bad, nothing is imported.
public enum RowImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file itself cannot be read as CSV (encoding, size, quoting).
    case file(String)
    case missingColumns([String])
    /// Every bad field found (at most `AttendanceImport.problemsReportedMax`), and how many there were in all: some of
    /// them are the file's content (a value that is no month, a pupil named twice for a month), listed with any others.
    case invalidRows([RosterRowProblem], total: Int)
    /// The file is well formed, but the school's records refuse these rows (a pupil the school does not have, a month
    /// with no school days recorded, more absent days than it has, an enrolment the fee's state does not take).
    case conflictingRows([RosterRowProblem], total: Int)

    /// Throws for the problems found, none when there are none: content first (the file must change), else the state.
    static func check(content: [RosterRowProblem], state: [RosterRowProblem]) throws(RowImportError) {
        guard let found = RowProblemReport(content: content, state: state, reportedMax: AttendanceImport.problemsReportedMax) else { return }
        throw found.areContent ? .invalidRows(found.reported, total: found.total) : .conflictingRows(found.reported, total: found.total)
    }

    public var description: String {
        switch self {
        case .file(let problem): return problem
        case .missingColumns(let columns): return "the header has no column for " + columns.joined(separator: ", ")
        case .invalidRows(let problems, let total), .conflictingRows(let problems, let total):
            var text = "\(total) problem\(total == 1 ? "" : "s") in the file; nothing was imported:"
            for problem in problems { text += "\n  " + problem.description }
            if total > problems.count { text += "\n  ... and \(total - problems.count) more" }
            return text
        }
    }
}

/// Imports absent days per pupil and month (CSV: `student_code`, `month`, `absent_days`; Vietnamese headers
/// `Mã học sinh`, `Tháng`, `Số ngày nghỉ` accepted): all or nothing, every problem by line and field. The one
/// owner of `student_absences`; a row replaces what was recorded for that pupil and month.
public enum AttendanceImport {
    public static let fileBytesMax = 5 << 20
    public static let rowsMax = 60_000
    public static let problemsReportedMax = 200
    /// The file the API takes (its document states `apiFile.pattern`; the route checks `apiFile` at the door): the
    /// English header, then a student code, an ISO month and 0 to `SchoolCalendar.schoolDaysMax` days per row, at most
    /// `CSVShape.patternRowsMax` rows (a larger file is sent in parts; each row replaces its pupil's month). What the
    /// pattern cannot say is a pupil named twice for one month (422); the rest of a file it allows is the school's state (409).
    public static let apiFile = CSVShape(columns: [("student_code", "^" + StudentRules.bareCodePattern + "$"), ("month", CalendarMonth.isoPattern),
                                                   ("absent_days", SchoolCalendar.dayCountPattern)])
    static let columns: [(name: String, aliases: [String])] = [
        ("student_code", ["student_code", "code", "mã học sinh", "mã hs", "mahs"]),
        ("month", ["month", "period", "tháng"]),
        ("absent_days", ["absent_days", "absences", "số ngày nghỉ", "số ngày vắng", "ngày nghỉ"]),
    ]

    /// Imports the file; returns the rows written.
    public static func run(schoolID: Int64, file: [UInt8], importedBy: String, on connection: PostgresConnection) throws -> Int {
        guard file.count <= fileBytesMax else { throw RowImportError.file("the file is \(file.count) bytes, more than \(fileBytesMax)") }
        let records = try csvRecords(file, rowsMax: rowsMax)
        let positions = try columnPositions(records[0], columns: columns)
        let students = Dictionary(try Students.list(schoolID: schoolID, on: connection).map { ($0.code, $0.id) }, uniquingKeysWith: { a, _ in a })
        let rows = Array(records.dropFirst())
        let periods = Set(rows.compactMap { field($0, positions[1]).flatMap(month) })
        let calendar = try SchoolCalendar.schoolDays(schoolID: schoolID, periods: Array(periods), on: connection)
        var content: [RosterRowProblem] = [], state: [RosterRowProblem] = []
        var absences: [(student: Int64, period: CalendarMonth, days: Int)] = []
        var seen: [String: Int] = [:]
        for record in rows {
            let row = read(record, positions: positions, students: students, calendar: calendar, seen: &seen)
            content += row.content
            state += row.state
            if let absence = row.absence { absences.append(absence) }
        }
        try RowImportError.check(content: content, state: state)
        try write(schoolID: schoolID, absences, importedBy: importedBy, on: connection)
        return absences.count
    }

    /// The records of a small CSV file (header first), read as roster files are.
    static func csvRecords(_ file: [UInt8], rowsMax: Int) throws(RowImportError) -> [CSVRecord] {
        let records: [CSVRecord]
        do {
            records = try RosterCSV.parse(try RosterImport.decode(file), recordsMax: rowsMax + 1, fieldBytesMax: 100, columnsMax: 20)
        } catch {
            throw RowImportError.file(error.description.replacingOccurrences(of: "roster ", with: ""))
        }
        guard !records.isEmpty else { throw RowImportError.file("the file has no header row") }
        return records
    }

    /// Where each column is, by its English name or an alias, compared after normalisation. A column of `optional`
    /// the header does not name reads as empty on every row (its position is past any row's end).
    static func columnPositions(_ header: CSVRecord, columns: [(name: String, aliases: [String])],
                                optional: Set<String> = []) throws(RowImportError) -> [Int] {
        let names = header.fields.map(VietnameseText.normalized)
        var positions: [Int] = [], missing: [String] = []
        for column in columns {
            let accepted = Set(column.aliases.map(VietnameseText.normalized))
            if let index = names.firstIndex(where: accepted.contains) {
                positions.append(index)
            } else if optional.contains(column.name) {
                positions.append(Int.max)
            } else {
                missing.append(column.name)
            }
        }
        guard missing.isEmpty else { throw .missingColumns(missing) }
        return positions
    }

    /// One row's absence, or its problems: `content` for what the file says (no month, no number, a pupil named twice
    /// for a month, more days than any month has), `state` for what the school's records refuse.
    struct Row {
        var absence: (student: Int64, period: CalendarMonth, days: Int)?
        var content: [RosterRowProblem] = []
        var state: [RosterRowProblem] = []
    }

    /// One row: the pupil, the month (`2026-09` or `09/2026`) and the absent days, at most the month's school days.
    static func read(_ record: CSVRecord, positions: [Int], students: [String: Int64], calendar: [CalendarMonth: Int],
                     seen: inout [String: Int]) -> Row {
        var row = Row()
        func fail(_ field: String, _ problem: String) { row.content.append(RosterRowProblem(line: record.line, field: field, problem: problem)) }
        func refuse(_ field: String, _ problem: String) { row.state.append(RosterRowProblem(line: record.line, field: field, problem: problem)) }
        let code = field(record, positions[0]) ?? ""
        let student = students[code]
        if code.isEmpty { fail("student_code", "is empty") } else if student == nil { refuse("student_code", "no student '\(code)' in this school") }
        let monthText = field(record, positions[1]) ?? ""
        let period = month(monthText)
        if period == nil { fail("month", "'\(monthText)' is not a month like 2026-09 or 09/2026") }
        let daysText = field(record, positions[2]) ?? ""
        var days = Int(daysText)
        if let count = days, !(0...SchoolCalendar.schoolDaysMax).contains(count) {
            fail("absent_days", "\(count) must be 0 to \(SchoolCalendar.schoolDaysMax) days"); days = nil
        } else if let count = days, let period {
            if let schoolDays = calendar[period] {
                if count > schoolDays { refuse("absent_days", "\(count) must be 0 to the \(schoolDays) school days of \(period.iso)"); days = nil }
            } else {
                refuse("month", "the school calendar has no school days for \(period.iso) (tuition calendar set)")
            }
        } else if days == nil {
            fail("absent_days", "'\(daysText)' must be a whole number of days")
        }
        if let period {
            let key = code + "|" + period.iso
            if let first = seen[key] { fail("student_code", "\(code) for \(period.iso) is already on line \(first)") } else { seen[key] = record.line }
        }
        guard row.content.isEmpty, row.state.isEmpty, let student, let period, let days else { return row }
        row.absence = (student, period, days)
        return row
    }

    static func field(_ record: CSVRecord, _ index: Int) -> String? {
        index < record.fields.count ? StudentRules.collapse(record.fields[index]) : nil
    }

    /// `2026-09`, or `09/2026` / `9/2026` as spreadsheets write it.
    static func month(_ text: String) -> CalendarMonth? {
        let parts = text.split(separator: text.contains("/") ? "/" : "-").map(String.init)
        guard parts.count == 2 else { return nil }
        let (year, month) = text.contains("/") ? (Int(parts[1]), Int(parts[0])) : (Int(parts[0]), Int(parts[1]))
        guard let year, let month else { return nil }
        return try? CalendarMonth(year: year, month: month)
    }

    static func write(schoolID: Int64, _ absences: [(student: Int64, period: CalendarMonth, days: Int)], importedBy: String,
                      on connection: PostgresConnection) throws {
        guard !absences.isEmpty else { return }
        try connection.query("""
            INSERT INTO student_absences (school_id, student_id, period, absent_days, imported_by)
            SELECT \(schoolID), u.s, u.p::date, u.d::smallint, \(importedBy)
            FROM unnest(\(PostgresInt64Array(absences.map(\.student))), \(PostgresTextArray(absences.map(\.period.firstDay.iso))),
                        \(PostgresInt64Array(absences.map { Int64($0.days) }))) AS u(s, p, d)
            ON CONFLICT (school_id, student_id, period) DO UPDATE SET absent_days = EXCLUDED.absent_days,
                imported_by = EXCLUDED.imported_by, imported_at = now()
            """)
    }

    /// Absent days by pupil, summed over the months of `schoolYear` before `period`.
    static func absencesBefore(_ period: CalendarMonth, schoolID: Int64, on connection: PostgresConnection) throws -> [Int64: Int] {
        let first = FeeSchedules.month(9, ofSchoolYear: period.schoolYear)
        var totals: [Int64: Int] = [:]
        for row in try connection.query("""
            SELECT student_id, sum(absent_days)::int8 FROM student_absences
            WHERE school_id = \(schoolID) AND period >= \(first.firstDay) AND period < \(period.firstDay)
            GROUP BY student_id
            """) {
            let (student, days) = try row.decode((Int64, Int).self)
            totals[student] = days
        }
        return totals
    }
}
