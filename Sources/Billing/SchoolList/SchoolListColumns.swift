import Core

/// The columns of the province's school list. A header names each by its English name or a Vietnamese alias,
/// compared after `VietnameseText.normalized` (case, diacritics, `_` and spaces do not matter).
public enum SchoolListColumn: String, CaseIterable, Sendable {
    case officialCode = "official_code"
    case name
    case level
    case ownership
    case communeCode = "commune_code"
    case commune
    case authority
    case formerDistrict = "former_district"
    case areaClass = "area_class"

    public var aliases: [String] {
        switch self {
        case .officialCode: return ["official_code", "school_code", "mã trường", "mã trường chuẩn"]
        case .name: return ["name", "school_name", "tên trường"]
        case .level: return ["level", "cấp học"]
        case .ownership: return ["ownership", "loại hình"]
        case .communeCode: return ["commune_code", "mã xã", "mã xã phường", "mã đơn vị hành chính"]
        case .commune: return ["commune", "xã phường", "xã", "phường"]
        case .authority: return ["authority", "cơ quan quản lý", "đơn vị quản lý"]
        case .formerDistrict: return ["former_district", "district", "huyện cũ", "quận huyện cũ", "quận huyện"]
        case .areaClass: return ["area_class", "khu vực", "vùng"]
        }
    }

    public static let required: [SchoolListColumn] = [.officialCode, .name, .level, .ownership, .communeCode, .commune, .authority]

    static let byNormalizedAlias: [String: SchoolListColumn] = {
        var table: [String: SchoolListColumn] = [:]
        for column in SchoolListColumn.allCases {
            for alias in column.aliases { table[VietnameseText.normalized(alias)] = column }
        }
        return table
    }()
}

/// Values of the level, ownership and authority cells: the raw English values or the Vietnamese names the
/// province's lists use, compared after normalisation.
enum SchoolListValues {
    static func level(_ text: String) -> SchoolLevel? {
        let key = VietnameseText.normalized(text)
        return SchoolLevel.allCases.first { VietnameseText.normalized($0.rawValue) == key || VietnameseText.normalized($0.vietnameseName) == key }
    }

    static func ownership(_ text: String) -> SchoolOwnership? {
        let key = VietnameseText.normalized(text)
        if ["TU THUC", "DAN LAP", "NGOAI CONG LAP"].contains(key) { return .nonPublic }
        return SchoolOwnership.allCases.first { VietnameseText.normalized($0.rawValue) == key || VietnameseText.normalized($0.vietnameseName) == key }
    }

    static func areaClass(_ text: String) -> AreaClass? {
        let key = VietnameseText.normalized(text)
        return AreaClass.allCases.first { VietnameseText.normalized($0.rawValue) == key || VietnameseText.normalized($0.vietnameseName) == key }
    }

    /// Which kind of authority the cell names: the department ("Sở GD&ĐT", "SGDDT", "department") or a commune or
    /// ward people's committee ("UBND xã …", "UBND phường …", "commune"); nil for anything else.
    static func authorityKind(_ text: String) -> AuthorityKind? {
        let key = VietnameseText.normalized(text)
        if key == "DEPARTMENT" || key == "SGDDT" || key.hasPrefix("SO GD") || key.hasPrefix("SO GIAO DUC") { return .department }
        if key == "COMMUNE" || key.hasPrefix("UBND") || key.hasPrefix("UY BAN NHAN DAN") { return .commune }
        return nil
    }
}
