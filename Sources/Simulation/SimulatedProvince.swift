import Core
import Reconciliation

public struct SimulatedDistrict: Hashable, Sendable, Codable {
    public var id: Int
    public var name: String
}

public struct SimulatedSchool: Hashable, Sendable, Codable {
    public var id: Int64
    /// Position in the province, 0-based; the school's random stream.
    public var index: Int
    public var districtId: Int
    public var name: String
    public var level: SchoolLevel
    public var paymentCodePrefix: String
    public var studentCount: Int
    public var usesVirtualAccounts: Bool
    /// Due day of the month for this school's invoices.
    public var dueDay: Int
}

/// Siblings with their guardian and the other parent (who may pay but is not on record).
public struct SimulatedFamily: Hashable, Sendable, Codable {
    public var key: String?
    /// The children's family name: the father's.
    public var familyName: String
    /// Indices into the roster's students.
    public var members: [Int]
    public var guardianName: String
    public var otherParentName: String

    public init(key: String?, familyName: String, members: [Int], guardianName: String, otherParentName: String) {
        self.key = key
        self.familyName = familyName
        self.members = members
        self.guardianName = guardianName
        self.otherParentName = otherParentName
    }
}

public struct SimulatedRoster: Hashable, Sendable, Codable {
    public var school: SimulatedSchool
    /// By id.
    public var students: [MatchStudent]
    public var families: [SimulatedFamily]
    /// This month's invoices and last month's still open, by id.
    public var invoices: [MatchInvoice]

    public init(school: SimulatedSchool, students: [MatchStudent], families: [SimulatedFamily], invoices: [MatchInvoice]) {
        self.school = school
        self.students = students
        self.families = families
        self.invoices = invoices
    }
}

/// What a transfer really paid.
public struct TransferLabel: Hashable, Sendable, Codable {
    public var scenario: TransferScenario
    /// The invoices and amounts it belongs to; empty for credit-only or not tuition.
    public var allocations: [Allocation]
    /// Who holds what no invoice takes; nil for not tuition or when nothing remains.
    public var creditHolder: CreditHolder?

    public var isTuition: Bool { scenario != .notTuition }
}

public struct LabelledTransfer: Hashable, Sendable, Codable {
    public var transaction: MatchTransaction
    public var label: TransferLabel
}

public struct SimulatedSchoolMonth: Hashable, Sendable, Codable {
    public var roster: SimulatedRoster
    /// In booking order, ids ascending.
    public var transfers: [LabelledTransfer]
}
