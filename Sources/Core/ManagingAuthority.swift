/// A commune or ward of the province after the 2025 merger: its official administrative unit code
/// (5 digits) and its name as written ("Phường Phan Đình Phùng", "Xã Đại Phúc").
public struct Commune: Hashable, Sendable, Codable {
    public var code: String
    public var name: String

    /// The name's length in Unicode scalars (as JSON Schema counts); the code's shape as the API's document states it.
    public static let nameCharactersMax = 100
    public static let codePattern = "^[0-9]{5}$"

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }

    /// Why `code` or `name` does not fit (field, problem), or nil.
    public var problem: (field: String, problem: String)? {
        if code.utf8.count != 5 || !code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return ("communeCode", "5 digits (the official code of the commune or ward)")
        }
        if name.isEmpty || name.unicodeScalars.count > Self.nameCharactersMax || name.unicodeScalars.contains(where: { $0.isControlCharacter }) {
            return ("communeName", "1 to \(Self.nameCharactersMax) characters, no control characters")
        }
        return nil
    }
}

/// What kind of body manages a school.
public enum AuthorityKind: String, Sendable, Codable, CaseIterable {
    /// The provincial Department of Education and Training.
    case department
    /// A commune or ward people's committee.
    case commune
    /// Transitional: the former district of a school whose commune is not known yet (migration 0012).
    case formerDistrict = "former_district"
}

/// A managing authority as reports and tokens name it.
public struct Authority: Hashable, Sendable, Codable {
    public var code: String
    public var kind: AuthorityKind
    public var name: String

    public init(code: String, kind: AuthorityKind, name: String) {
        self.code = code
        self.kind = kind
        self.name = name
    }

    /// The provincial Department of Education and Training.
    public static let department = Authority(code: "SGDDT", kind: .department, name: "Sở Giáo dục và Đào tạo")

    /// The people's committee of `commune`.
    public static func committee(of commune: Commune) -> Authority {
        Authority(code: "UBND-" + commune.code, kind: .commune, name: "UBND " + commune.name)
    }

    /// The authority that manages a school of `level` in `commune`, by the two-tier rule of 1 July 2025:
    /// upper-secondary schools and continuing-education centres report to the department, every other
    /// school to its commune or ward people's committee.
    public static func managing(level: SchoolLevel, commune: Commune) -> Authority {
        level.isManagedByDepartment ? .department : committee(of: commune)
    }
}

extension SchoolLevel {
    /// Whether the provincial department, not the commune, manages schools of this level.
    public var isManagedByDepartment: Bool { self == .upperSecondary || self == .continuing }

    /// General education (giáo dục phổ thông): primary, lower and upper secondary. The plan's targets
    /// (25 % of general-education schools collecting through banks by 2025, 80 % cashless by 2030) count these.
    public var isGeneralEducation: Bool { self == .primary || self == .lowerSecondary || self == .upperSecondary }
}
