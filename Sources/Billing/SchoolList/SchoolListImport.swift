import Core
import Ledger
import Postgres

/// A problem with one field of one row of the school list: the same shape and wording as a roster row's (the field
/// is the column's English name, see `SchoolListColumn`).
public typealias SchoolListProblem = RosterRowProblem

/// Why a school list was refused. When any row is bad, nothing is imported.
public enum SchoolListImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file itself (size, encoding, CSV shape), as the roster import words it.
    case file(String)
    case missingColumns([String])
    case invalidRows([SchoolListProblem], total: Int)

    public var description: String {
        switch self {
        case .file(let problem): return "the school list: \(problem)"
        case .missingColumns(let columns):
            return "the header has no column for " + columns.joined(separator: ", ") + " (see docs/authorities.md for the accepted names)"
        case .invalidRows(let problems, let total):
            var text = "\(total) problem\(total == 1 ? "" : "s") in the school list; nothing was imported:"
            for problem in problems { text += "\n  " + problem.description }
            if total > problems.count { text += "\n  ... and \(total - problems.count) more" }
            return text
        }
    }
}

/// What a school list import did (or, on a dry run, would do).
public struct SchoolListImportReport: Hashable, Sendable, Codable {
    public var created: [String]
    public var updated: [String]
    public var unchanged: Int
    public var dryRun: Bool

    public var summary: String {
        "\(created.count) new, \(updated.count) updated, \(unchanged) unchanged" + (dryRun ? " (dry run: nothing written)" : "")
    }
}

/// Imports the province's school list (docs/authorities.md): every row validated first, then all written in the
/// caller's transaction or nothing. Rows match schools by official code (or by a school code equal to it); a
/// school already recorded gets its official code, commune and authority; a new one is created with its
/// official code as its code, the default payment-code prefix and no bank account yet.
public enum SchoolListImport {
    public static let fileBytesMax = 2 * 1024 * 1024
    /// Data rows: a province has about a thousand schools.
    public static let rowsMax = 4_000
    public static let fieldBytesMax = 400
    public static let columnsMax = 40
    public static let problemsReportedMax = 200
    public static let newSchoolPaymentCodePrefix = "HP"

    struct Row {
        var line: Int
        var officialCode: String
        var name: String
        var level: SchoolLevel
        var ownership: SchoolOwnership
        var commune: Commune
        var authority: Authority
        var formerDistrict: String
        var areaClass: AreaClass
    }

    public static func run(file: [UInt8], dryRun: Bool, on connection: PostgresConnection) throws -> SchoolListImportReport {
        let rows = try read(file)
        let recorded = try rows.map { try Schools.find(officialCode: $0.officialCode, on: connection) }
        try checkLevels(rows, recorded)
        var report = SchoolListImportReport(created: [], updated: [], unchanged: 0, dryRun: dryRun)
        for (row, school) in zip(rows, recorded) {
            if let school {
                if school.officialCode == row.officialCode && school.commune == row.commune && school.authority.code == row.authority.code {
                    report.unchanged += 1
                    continue
                }
                if !dryRun {
                    try Schools.relocate(schoolID: school.id, officialCode: row.officialCode, commune: row.commune, authority: row.authority,
                                         on: connection)
                }
                report.updated.append(row.officialCode)
            } else {
                if !dryRun {
                    _ = try Schools.create(NewSchool(code: row.officialCode, name: row.name, district: row.formerDistrict,
                                                     officialCode: row.officialCode, commune: row.commune, level: row.level,
                                                     ownership: row.ownership, areaClass: row.areaClass,
                                                     paymentCodePrefix: newSchoolPaymentCodePrefix, bankAccounts: []), on: connection)
                }
                report.created.append(row.officialCode)
            }
        }
        return report
    }

    /// A row's level decides its authority, so it must be the level the school is recorded with (a change of
    /// level is not the list's to make).
    static func checkLevels(_ rows: [Row], _ recorded: [School?]) throws(SchoolListImportError) {
        var problems: [SchoolListProblem] = []
        for (row, school) in zip(rows, recorded) {
            guard let school, school.level != row.level else { continue }
            problems.append(SchoolListProblem(line: row.line, field: "level",
                                              problem: "school \(school.code) is recorded as \(school.level.vietnameseName), not \(row.level.vietnameseName)"))
        }
        guard problems.isEmpty else { throw .invalidRows(Array(problems.prefix(problemsReportedMax)), total: problems.count) }
    }

    /// The roster import's words for a bad file, said of a school list.
    static func fileProblem(_ error: RosterImportError) -> String {
        switch error {
        case .fileTooLarge(let bytes, let max): return "the file is \(bytes) bytes, more than the \(max) allowed"
        case .notUTF8(let line): return "line \(line) is not UTF-8 text (save the file as CSV UTF-8)"
        case .utf16: return "the file is UTF-16; save it as CSV UTF-8"
        case .tooManyRows(let max): return "more than \(max) rows"
        default: return error.description
        }
    }

    /// The rows of `file`, or every problem found in it (by line and field).
    static func read(_ file: [UInt8]) throws(SchoolListImportError) -> [Row] {
        let records: [CSVRecord]
        do {
            let text = try RosterImport.decode(file, bytesMax: fileBytesMax)
            records = try RosterCSV.parse(text, recordsMax: rowsMax + 1, fieldBytesMax: fieldBytesMax, columnsMax: columnsMax)
        } catch {
            throw .file(fileProblem(error))
        }
        guard let header = records.first else { throw .file("no header row") }
        var positions: [SchoolListColumn: Int] = [:]
        for (index, cell) in header.fields.enumerated() {
            if let column = SchoolListColumn.byNormalizedAlias[VietnameseText.normalized(cell)], positions[column] == nil {
                positions[column] = index
            }
        }
        let missing = SchoolListColumn.required.filter { positions[$0] == nil }
        guard missing.isEmpty else { throw .missingColumns(missing.map(\.rawValue)) }
        var problems: [SchoolListProblem] = []
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        for record in records.dropFirst() {
            let (row, rowProblems) = SchoolListRowReader.read(record, positions: positions)
            problems += rowProblems
            guard let row else { continue }
            if let first = seen[row.officialCode] {
                problems.append(SchoolListProblem(line: row.line, field: "official_code", problem: "\(row.officialCode) is also on line \(first)"))
            } else {
                seen[row.officialCode] = row.line
            }
            rows.append(row)
        }
        guard problems.isEmpty else {
            throw .invalidRows(Array(problems.prefix(problemsReportedMax)), total: problems.count)
        }
        return rows
    }
}
