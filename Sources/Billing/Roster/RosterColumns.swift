import Core

/// The columns of a roster file. A header names each by its English name or a Vietnamese alias;
/// headers are compared after `VietnameseText.normalized` (case, diacritics, `_` and spaces do not matter).
public enum RosterColumn: String, CaseIterable, Sendable {
    case studentCode = "student_code"
    case fullName = "full_name"
    case dateOfBirth = "date_of_birth"
    case className = "class"
    case grade
    case guardianName = "guardian_name"
    case guardianPhone = "guardian_phone"
    case familyKey = "family_key"
    case virtualAccount = "virtual_account"
    case category

    /// The accepted header texts, the English name first.
    public var aliases: [String] {
        switch self {
        case .studentCode: return ["student_code", "code", "mã học sinh", "mã hs", "mahs", "mã định danh học sinh"]
        case .fullName: return ["full_name", "name", "họ và tên", "họ tên", "họ và tên học sinh", "tên học sinh"]
        case .dateOfBirth: return ["date_of_birth", "birth_date", "dob", "ngày sinh"]
        case .className: return ["class", "class_name", "lớp"]
        case .grade: return ["grade", "khối", "khối lớp"]
        case .guardianName: return ["guardian_name", "guardian", "phụ huynh", "họ tên phụ huynh", "tên phụ huynh", "người giám hộ"]
        case .guardianPhone: return ["guardian_phone", "phone", "số điện thoại", "điện thoại", "sđt", "sđt phụ huynh"]
        case .familyKey: return ["family_key", "family", "mã gia đình", "gia đình", "mã hộ"]
        case .virtualAccount: return ["virtual_account", "tài khoản định danh", "số tài khoản định danh", "tkđd"]
        case .category: return ["category", "đối tượng", "diện", "diện chính sách"]
        }
    }

    /// Columns every roster file must have (values may still be empty where the field is optional).
    public static let required: [RosterColumn] = [.studentCode, .fullName, .dateOfBirth, .className, .grade,
                                                  .guardianName, .guardianPhone, .familyKey]

    static let byNormalizedAlias: [String: RosterColumn] = {
        var table: [String: RosterColumn] = [:]
        for column in RosterColumn.allCases {
            for alias in column.aliases { table[VietnameseText.normalized(alias)] = column }
        }
        return table
    }()
}

/// Where each column is in a roster file, read from its header row.
struct RosterHeader {
    var positions: [RosterColumn: Int]
    /// Header cells that name no known column; ignored (rosters exported by school software carry many).
    var ignored: [String]

    init(_ record: CSVRecord) throws(RosterImportError) {
        var positions: [RosterColumn: Int] = [:]
        var ignored: [String] = []
        for (index, cell) in record.fields.enumerated() {
            let trimmed = StudentRules.collapse(cell)
            guard let column = RosterColumn.byNormalizedAlias[VietnameseText.normalized(trimmed)] else {
                if !trimmed.isEmpty { ignored.append(trimmed) }
                continue
            }
            guard positions[column] == nil else { throw .duplicateColumn(column: column.rawValue, header: trimmed) }
            positions[column] = index
        }
        let missing = RosterColumn.required.filter { positions[$0] == nil }
        guard missing.isEmpty else { throw .missingColumns(missing.map(\.rawValue)) }
        self.positions = positions
        self.ignored = ignored
    }

    /// The cell of `column` in `record`, trimmed; empty when the column is absent or the row is short.
    func value(_ column: RosterColumn, in record: CSVRecord) -> String {
        guard let index = positions[column], index < record.fields.count else { return "" }
        return StudentRules.collapse(record.fields[index])
    }
}
