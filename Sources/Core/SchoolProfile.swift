/// Who runs a school, which decides its fee regime (docs/billing.md): since the 2025–26 school year public
/// preschools and general-education schools charge no tuition; non-public schools bill tuition and their
/// pupils receive a state support the province sets. Raw values are what the database stores.
public enum SchoolOwnership: String, Sendable, Codable, CaseIterable {
    case `public`
    case nonPublic = "non_public"

    public var vietnameseName: String {
        switch self {
        case .public: return "Công lập"
        case .nonPublic: return "Ngoài công lập"
        }
    }
}

/// The area class a provincial fee catalogue sets its caps by: urban wards, rural communes, and mountainous
/// or especially disadvantaged areas. Raw values are what the database stores.
public enum AreaClass: String, Sendable, Codable, CaseIterable {
    case urban
    case rural
    case mountainous

    public var vietnameseName: String {
        switch self {
        case .urban: return "Phường (thành thị)"
        case .rural: return "Xã (nông thôn)"
        case .mountainous: return "Miền núi, vùng đặc biệt khó khăn"
        }
    }
}
