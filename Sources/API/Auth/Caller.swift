import Core
import HTTP
import Ledger

/// The verified caller of a request: who presented which token, and what it may see.
public struct Caller: Sendable, Hashable {
    public let tokenID: Int64
    public let role: Role
    /// Set for school-bound roles (accountant, bank).
    public let schoolID: Int64?
    /// For an authority office: the authorities whose schools it reads (its own and, for a token of a
    /// former district, the commune authorities that district's schools moved to). Empty otherwise.
    public let authorities: [String]
    public let label: String

    /// The actor recorded next to what this caller does.
    public var actor: Actor { Actor(name: "token \(tokenID) (\(label))", role: role) }

    /// Whether this caller may see `school`. Callers who may not are told the school does not
    /// exist (404), never that it is forbidden, so school codes do not leak.
    public func canSee(_ school: School) -> Bool {
        switch role {
        case .admin, .financeOffice: return true
        case .authorityOffice: return authorities.contains(school.authority.code)
        case .accountant, .bank: return school.id == schoolID
        case .feed: return false
        }
    }
}
