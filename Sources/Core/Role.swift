/// Who may do what. Every API token and every recorded action carries one.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Operates the system: creates schools and tokens.
    case admin
    /// The provincial finance office: reads and reconciles every school, reopens closed periods.
    case financeOffice = "finance_office"
    /// A district education office: reads the schools of one district.
    case districtOffice = "district_office"
    /// A school accountant: works on one school.
    case accountant
    /// A bank or payment intermediary: posts payment callbacks only.
    case bank
}

/// A person or system acting, as recorded next to what they did.
public struct Actor: Sendable, Hashable, Codable {
    public var name: String
    public var role: Role

    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    public static let system = Actor(name: "system", role: .admin)
}
