import Core
import Ledger
import Postgres

/// What a roster import did (or, on a dry run, would do).
public struct RosterImportReport: Hashable, Sendable, Codable {
    public struct Row: Hashable, Sendable, Codable {
        public var line: Int
        public var studentCode: String
        /// Empty for new students.
        public var changes: [StudentFieldChange]
    }

    public var created: [Row]
    public var updated: [Row]
    public var unchanged: Int
    /// Active students of the school that the file does not list (left as they are).
    public var notInFile: Int
    /// Header cells that name no known column.
    public var ignoredColumns: [String]
    public var dryRun: Bool

    public var summary: String {
        "\(created.count) new, \(updated.count) updated, \(unchanged) unchanged" + (dryRun ? " (dry run: nothing written)" : "")
    }
}

/// Imports a school's roster from CSV: every row validated, then all written in the caller's
/// transaction or nothing at all. Students are keyed by their student code; a re-import of the same
/// file changes nothing. Students missing from the file are not withdrawn (withdrawal is explicit).
///
/// Throws `RosterImportError` for a bad file or bad rows (by line and field), `BillingError` otherwise.
public enum RosterImport {
    public static let fileBytesMax = 5 * 1024 * 1024
    /// Data rows, the header not counted.
    public static let rowsMax = BillingLimits.studentsPerSchoolMax
    public static let fieldBytesMax = 400
    public static let columnsMax = 60
    public static let problemsReportedMax = 200

    /// The most Unicode scalars of a roster the API takes (`apiFile`'s `maxLength`): with every row at least 22
    /// characters, it holds at most 19,996 rows, within `rowsMax`; a larger roster is sent in parts (students a file
    /// does not list are left as they are). At 4 bytes a scalar it stays within `fileBytesMax`.
    public static let apiFileCharactersMax = 440_000

    /// The roster the API takes (its document states `apiFile.pattern` and `apiFileCharactersMax`; the route checks
    /// `apiFile` at the door): the header of the 8 required columns in their English names and order, then one student a
    /// row, ISO dates, no quoting, each cell a narrowing of the rule `StudentRules.problems` holds it to. What the import
    /// still refuses of such a file: a student code twice (the file's contradiction, 422), a grade the school's level does
    /// not teach or a date of birth after today (the school's state and the clock, 409). The console and
    /// `tuition students import` take people's spreadsheets (`run` reads any header alias, order, quoting and dd/MM/yyyy).
    public static let apiFile: CSVShape = {
        let shape = CSVShape(columns: [
            (RosterColumn.studentCode.rawValue, "^" + StudentRules.bareCodePattern + "$", 1),
            (RosterColumn.fullName.rawValue, StudentRules.cellFullNamePattern, 1),
            (RosterColumn.dateOfBirth.rawValue, StudentRules.birthDatePattern, 10),
            (RosterColumn.className.rawValue, StudentRules.cellClassPattern, 1),
            (RosterColumn.grade.rawValue, StudentRules.cellGradePattern, 1),
            (RosterColumn.guardianName.rawValue, StudentRules.cellGuardianNamePattern, 0),
            (RosterColumn.guardianPhone.rawValue, StudentRules.cellPhonePattern, 0),
            (RosterColumn.familyKey.rawValue, StudentRules.cellFamilyKeyPattern, 0),
        ], charactersMax: apiFileCharactersMax)
        precondition(shape.columns.map(\.name) == RosterColumn.required.map(\.rawValue), "the API's roster is the required columns in order")
        precondition(shape.rowsMax <= rowsMax, "the rows that fit the API's character cap are within the importer's row cap")
        return shape
    }()

    public static func run(schoolID: Int64, file: [UInt8], dryRun: Bool, importedBy: String,
                           on connection: PostgresConnection) throws -> RosterImportReport {
        let school = try BillingSchool.load(schoolID, on: connection)
        let text = try decode(file)
        let records = try RosterCSV.parse(text, recordsMax: rowsMax + 1, fieldBytesMax: fieldBytesMax, columnsMax: columnsMax)
        guard let headerRecord = records.first else { throw RosterImportError.empty }
        let header = try RosterHeader(headerRecord)
        let rows = Array(records.dropFirst())
        var content: [RosterRowProblem] = [], state: [RosterRowProblem] = []
        var parsed: [(line: Int, details: StudentDetails)] = []
        let today = VietnamTime.today
        for record in rows {
            let row = RosterRowReader.read(record, header: header, level: school.level, today: today)
            content += row.content
            state += row.state
            if let details = row.details { parsed.append((record.line, details)) }
        }
        let existing = try Students.list(schoolID: schoolID, on: connection)
        let across = crossRowProblems(parsed, existing: existing)
        try RosterImportError.check(content: content + across.content, state: state + across.state)
        return try apply(school: school, parsed, existing: existing, header: header, dryRun: dryRun, importedBy: importedBy, on: connection)
    }

    /// UTF-8 text without its BOM; refuses UTF-16 and invalid bytes (naming the first bad line).
    static func decode(_ file: [UInt8], bytesMax: Int = fileBytesMax) throws(RosterImportError) -> String {
        guard file.count <= bytesMax else { throw .fileTooLarge(bytes: file.count, max: bytesMax) }
        if file.starts(with: [0xFF, 0xFE]) || file.starts(with: [0xFE, 0xFF]) { throw .utf16 }
        let body = file.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(file.dropFirst(3)) : file
        if let text = String(validating: body, as: UTF8.self) { return text }
        var line = 1
        for chunk in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: chunk, as: UTF8.self) == nil { throw .notUTF8(line: line) }
            line += 1
        }
        throw .notUTF8(line: line)
    }

    /// Duplicated student codes or virtual accounts in the file (`content`), and virtual accounts that another
    /// student of the school keeps (`state`).
    static func crossRowProblems(_ rows: [(line: Int, details: StudentDetails)],
                                 existing: [Student]) -> (content: [RosterRowProblem], state: [RosterRowProblem]) {
        var problems: [RosterRowProblem] = [], held: [RosterRowProblem] = []
        var lineOfCode: [String: Int] = [:]
        var holderOfAccount: [String: (line: Int, code: String)] = [:]
        for row in rows {
            if let first = lineOfCode[row.details.code] {
                problems.append(RosterRowProblem(line: row.line, field: RosterColumn.studentCode.rawValue,
                                                 problem: "student code \(row.details.code) is already on line \(first)"))
            } else {
                lineOfCode[row.details.code] = row.line
            }
            guard let account = row.details.virtualAccount else { continue }
            if let first = holderOfAccount[account] {
                problems.append(RosterRowProblem(line: row.line, field: RosterColumn.virtualAccount.rawValue,
                                                 problem: "virtual account \(account) is already on line \(first.line)"))
            } else {
                holderOfAccount[account] = (row.line, row.details.code)
            }
        }
        // A student the file does not list keeps their virtual account.
        for student in existing where lineOfCode[student.code] == nil {
            guard let account = student.virtualAccount, let claim = holderOfAccount[account] else { continue }
            held.append(RosterRowProblem(line: claim.line, field: RosterColumn.virtualAccount.rawValue,
                                         problem: "virtual account \(account) belongs to student \(student.code), who is not in this file"))
        }
        return (problems, held)
    }

    static func apply(school: School, _ rows: [(line: Int, details: StudentDetails)], existing: [Student], header: RosterHeader,
                      dryRun: Bool, importedBy: String, on connection: PostgresConnection) throws -> RosterImportReport {
        let byCode = Dictionary(existing.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var report = RosterImportReport(created: [], updated: [], unchanged: 0, notInFile: 0, ignoredColumns: header.ignored, dryRun: dryRun)
        var news: [StudentDetails] = []
        var updates: [(current: Student, new: StudentDetails)] = []
        for row in rows {
            var details = row.details
            guard let current = byCode[details.code] else {
                news.append(details)
                report.created.append(.init(line: row.line, studentCode: details.code, changes: []))
                continue
            }
            // Optional columns the file does not have keep their recorded values.
            if header.positions[.virtualAccount] == nil { details.virtualAccount = current.virtualAccount }
            if header.positions[.category] == nil { details.category = current.category }
            let changes = details.changes(from: current.details)
            if changes.isEmpty {
                report.unchanged += 1
            } else {
                updates.append((current, details))
                report.updated.append(.init(line: row.line, studentCode: details.code, changes: changes))
            }
        }
        let listed = Set(rows.map(\.details.code))
        report.notInFile = existing.filter { $0.status.isActive && !listed.contains($0.code) }.count
        guard !dryRun else { return report }
        // Virtual accounts move first so a swap between two students does not collide mid-statement.
        try releaseMovedAccounts(schoolID: school.id, updates, on: connection)
        try Students.applyUpdates(schoolID: school.id, updates, changedBy: importedBy, on: connection)
        _ = try Students.insert(school: school, news, changedBy: importedBy, on: connection)
        return report
    }

    /// Clears the virtual accounts that change hands in this import before they are set again.
    static func releaseMovedAccounts(schoolID: Int64, _ updates: [(current: Student, new: StudentDetails)],
                                     on connection: PostgresConnection) throws {
        let moving = updates.filter { $0.current.virtualAccount != nil && $0.current.virtualAccount != $0.new.virtualAccount }
        guard !moving.isEmpty else { return }
        try connection.query("""
            UPDATE students SET virtual_account = NULL
            WHERE school_id = \(schoolID) AND student_id = ANY(\(PostgresInt64Array(moving.map(\.current.id))))
            """)
    }
}
