import Core
import Ledger

/// Turns one roster row into student details, or into the problems of its fields.
enum RosterRowReader {
    /// Columns whose value may not be empty.
    static let valueRequired: [RosterColumn] = [.studentCode, .fullName, .dateOfBirth, .className, .grade]

    /// One row's details, or its problems: `content` for what the file says, `state` for a grade the school's level does
    /// not teach but another level does (the school decides, as `POST /students` answers 409) or a date of birth after
    /// today (the clock decides).
    struct Row {
        var details: StudentDetails?
        var content: [RosterRowProblem]
        var state: [RosterRowProblem]
    }

    /// Grades some level teaches: a grade outside them is content whatever the school.
    static let anyLevelGrades = Set(SchoolLevel.allCases.flatMap { Array($0.grades) })

    static func read(_ record: CSVRecord, header: RosterHeader, level: SchoolLevel, today: CalendarDate) -> Row {
        var problems: [RosterRowProblem] = []
        func problem(_ column: RosterColumn, _ text: String) {
            problems.append(RosterRowProblem(line: record.line, field: column.rawValue, problem: text))
        }
        for column in valueRequired where header.value(column, in: record).isEmpty { problem(column, "is empty") }
        let birthText = header.value(.dateOfBirth, in: record)
        var birth: CalendarDate?
        if !birthText.isEmpty {
            birth = parseDate(birthText)
            if birth == nil { problem(.dateOfBirth, "'\(birthText)' is not a date (dd/MM/yyyy or yyyy-MM-dd)") }
        }
        let gradeText = header.value(.grade, in: record)
        var grade: Int?
        if !gradeText.isEmpty {
            grade = gradeText.utf8.count <= 2 && gradeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int(gradeText) : nil
            if grade == nil { problem(.grade, "'\(gradeText)' is not a grade number") }
        }
        func optional(_ column: RosterColumn) -> String? {
            let value = header.value(column, in: record)
            return value.isEmpty ? nil : value
        }
        // Fields that did not parse take a placeholder so the rules still check every other field.
        let details = StudentRules.cleaned(StudentDetails(
            code: header.value(.studentCode, in: record), fullName: header.value(.fullName, in: record), dateOfBirth: birth,
            className: header.value(.className, in: record), grade: grade ?? level.grades.lowerBound,
            category: optional(.category) ?? StudentDetails.standardCategory,
            guardianName: optional(.guardianName), guardianPhone: optional(.guardianPhone),
            familyKey: optional(.familyKey), virtualAccount: optional(.virtualAccount)))
        let reported = Set(problems.map(\.field))
        var state: [RosterRowProblem] = []
        for found in StudentRules.problems(details, level: level, today: today) where !reported.contains(found.field) {
            let problem = RosterRowProblem(line: record.line, field: found.field, problem: found.problem)
            if isState(found, details, today: today) { state.append(problem) } else { problems.append(problem) }
        }
        return Row(details: problems.isEmpty && state.isEmpty ? details : nil, content: problems, state: state)
    }

    /// A problem the school or the clock decides, not the file: a grade another level teaches, a date of birth of a
    /// plausible year that is after today.
    static func isState(_ found: FieldProblem, _ details: StudentDetails, today: CalendarDate) -> Bool {
        switch found.field {
        case RosterColumn.grade.rawValue: return anyLevelGrades.contains(details.grade)
        case RosterColumn.dateOfBirth.rawValue:
            return (details.dateOfBirth?.year ?? 0) >= StudentRules.birthYearMin && StudentRules.isAfterToday(birth: details.dateOfBirth, today: today)
        default: return false
        }
    }

    /// `dd/MM/yyyy` (one-digit day and month accepted, `-` or `.` as separators too) or ISO `yyyy-MM-dd`.
    static func parseDate(_ text: String) -> CalendarDate? {
        if let iso = try? CalendarDate(iso: text) { return iso }
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        return try? CalendarDate(year: year, month: month, day: day)
    }
}
