/// A problem with one field of one roster row.
/// The problems a refused row import reports, and whether the file must change (its content) or the school's
/// records refuse it (its state): content first. One rule for the roster and the row importers.
struct RowProblemReport {
    let reported: [RosterRowProblem]
    let total: Int
    let areContent: Bool

    /// nil when there are no problems; otherwise the first `reportedMax` of them all, by line and field.
    init?(content: [RosterRowProblem], state: [RosterRowProblem], reportedMax: Int) {
        guard !content.isEmpty || !state.isEmpty else { return nil }
        let all = (content + state).sorted { ($0.line, $0.field) < ($1.line, $1.field) }
        reported = Array(all.prefix(reportedMax))
        total = all.count
        areContent = !content.isEmpty
    }
}

public struct RosterRowProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file line the row starts on (the header is line 1).
    public var line: Int
    /// The column, by its English name (see `RosterColumn`).
    public var field: String
    public var problem: String

    public init(line: Int, field: String, problem: String) {
        self.line = line
        self.field = field
        self.problem = problem
    }

    public var description: String { "line \(line), \(field): \(problem)" }
}

/// Why a roster file was refused. When any row is bad, nothing is imported.
public enum RosterImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case fileTooLarge(bytes: Int, max: Int)
    case notUTF8(line: Int)
    case utf16
    case empty
    case malformedCSV(line: Int, problem: String)
    case missingColumns([String])
    case duplicateColumn(column: String, header: String)
    case tooManyRows(max: Int)
    /// Every bad field found (at most `RosterImport.problemsReportedMax`), and how many there were in all: some of them
    /// are the file's content (a field that breaks its rule, a code or virtual account twice), listed with any others.
    case invalidRows([RosterRowProblem], total: Int)
    /// The rows are well formed, but the school refuses them: a grade its level does not teach (one another level
    /// does), a virtual account another of its students keeps.
    case conflictingRows([RosterRowProblem], total: Int)

    /// Throws for the problems found, none when there are none: content first (the file must change), else the state.
    static func check(content: [RosterRowProblem], state: [RosterRowProblem]) throws(RosterImportError) {
        guard let found = RowProblemReport(content: content, state: state, reportedMax: RosterImport.problemsReportedMax) else { return }
        throw found.areContent ? .invalidRows(found.reported, total: found.total) : .conflictingRows(found.reported, total: found.total)
    }

    public var description: String {
        switch self {
        case .fileTooLarge(let bytes, let max): return "the roster file is \(bytes) bytes, more than the \(max) allowed"
        case .notUTF8(let line): return "line \(line) is not UTF-8 text (save the file as CSV UTF-8)"
        case .utf16: return "the roster file is UTF-16; save it as CSV UTF-8"
        case .empty: return "the roster file has no header row"
        case .malformedCSV(let line, let problem): return "line \(line): \(problem)"
        case .missingColumns(let columns):
            return "the header has no column for " + columns.joined(separator: ", ")
                + " (see docs/billing.md for the accepted names, English or Vietnamese)"
        case .duplicateColumn(let column, let header): return "the header names column \(column) twice (again as '\(header)')"
        case .tooManyRows(let max): return "the roster file has more than \(max) rows"
        case .invalidRows(let problems, let total), .conflictingRows(let problems, let total):
            var text = "\(total) problem\(total == 1 ? "" : "s") in the roster; nothing was imported:"
            for problem in problems { text += "\n  " + problem.description }
            if total > problems.count { text += "\n  ... and \(total - problems.count) more" }
            return text
        }
    }
}
