import Core
import Ledger

/// Reads one row of the school list into a `SchoolListImport.Row`, or names every field that is wrong.
enum SchoolListRowReader {
    static func read(_ record: CSVRecord, positions: [SchoolListColumn: Int]) -> (SchoolListImport.Row?, [SchoolListProblem]) {
        var problems: [SchoolListProblem] = []
        func cell(_ column: SchoolListColumn) -> String {
            guard let index = positions[column], index < record.fields.count else { return "" }
            return StudentRules.collapse(record.fields[index])
        }
        func problem(_ column: SchoolListColumn, _ text: String) {
            problems.append(SchoolListProblem(line: record.line, field: column.rawValue, problem: text))
        }
        let officialCode = cell(.officialCode).uppercased()
        if !Schools.isOfficialCode(officialCode) { problem(.officialCode, "2 to 32 upper-case letters, digits or dashes") }
        let name = cell(.name)
        if name.isEmpty || name.count > 200 { problem(.name, "1 to 200 characters") }
        let level = SchoolListValues.level(cell(.level))
        if level == nil { problem(.level, "one of " + SchoolLevel.allCases.map(\.vietnameseName).joined(separator: ", ")) }
        let ownership = SchoolListValues.ownership(cell(.ownership))
        if ownership == nil { problem(.ownership, "Công lập or Ngoài công lập (public, non_public)") }
        let commune = Commune(code: cell(.communeCode), name: cell(.commune))
        if let wrong = commune.problem { problem(wrong.field == "communeCode" ? .communeCode : .commune, wrong.problem) }
        let district = cell(.formerDistrict)
        if district.count > 100 { problem(.formerDistrict, "at most 100 characters") }
        var areaClass = AreaClass.rural
        if !cell(.areaClass).isEmpty {
            if let area = SchoolListValues.areaClass(cell(.areaClass)) { areaClass = area } else { problem(.areaClass, "urban, rural or mountainous") }
        }
        let kind = SchoolListValues.authorityKind(cell(.authority))
        if kind == nil { problem(.authority, "the department (Sở GD&ĐT) or the commune's people's committee (UBND ...)") }
        guard problems.isEmpty, let level, let ownership, let kind else { return (nil, problems) }
        let authority = Authority.managing(level: level, commune: commune)
        if authority.kind != kind {
            let expected = level.isManagedByDepartment ? "the department manages \(level.vietnameseName) schools"
                : "the commune's people's committee manages \(level.vietnameseName) schools"
            problem(.authority, expected + " since 1 July 2025")
            return (nil, problems)
        }
        return (SchoolListImport.Row(line: record.line, officialCode: officialCode, name: name, level: level, ownership: ownership,
                                     commune: commune, authority: authority, formerDistrict: district, areaClass: areaClass), [])
    }
}
