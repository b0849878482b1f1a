/// Who may do what. Every API token and every recorded action carries one.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Operates the system: creates schools and tokens.
    case admin
    /// The provincial finance office: reads and reconciles every school, reopens closed periods.
    case financeOffice = "finance_office"
    /// A managing authority (a commune or ward people's committee, or the department): reads the schools it
    /// manages. Replaces the district office of before July 2025; its tokens became authority tokens (migration 0012).
    case authorityOffice = "authority_office"
    /// A school accountant: works on one school.
    case accountant
    /// A bank or payment intermediary: posts payment callbacks only.
    case bank
    /// An outside system (the province's operations centre, the ministry's sector database): reads the open
    /// data feed only — aggregated figures, no personal data.
    case feed
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
