import Core
import Ledger

/// Whether a student is billed.
public enum StudentStatus: Hashable, Sendable, Codable {
    case active
    /// Left the school on that day: no longer invoiced; existing invoices and payments stay.
    case withdrawn(on: CalendarDate)

    public var isActive: Bool { self == .active }
}

/// A student as recorded.
public struct Student: Hashable, Sendable, Codable {
    public var id: Int64
    public var schoolID: Int64
    public var details: StudentDetails
    /// `VietnameseText.normalized(fullName)`: what matching compares.
    public var normalizedName: String
    public var familyID: Int64?
    public var status: StudentStatus
    /// The standing payment code (kind `.student`), unique in the school.
    public var paymentCode: String

    public var code: String { details.code }
    public var fullName: String { details.fullName }
    public var className: String { details.className }
    public var grade: Int { details.grade }
    public var category: String { details.category }
    public var familyKey: String? { details.familyKey }
    public var virtualAccount: String? { details.virtualAccount }
}

/// What a school says about a student: the input of create, update and roster import.
public struct StudentDetails: Hashable, Sendable, Codable {
    /// The school's own code for the student.
    public var code: String
    /// As given, with diacritics.
    public var fullName: String
    public var dateOfBirth: CalendarDate?
    public var className: String
    public var grade: Int
    /// What schedules and discounts key on: `standard`, `poor_household`, ...
    public var category: String
    public var guardianName: String?
    public var guardianPhone: String?
    /// Links siblings: students with the same key are one family.
    public var familyKey: String?
    /// The bank's virtual account number ("tài khoản định danh") identifying this student's payments.
    public var virtualAccount: String?

    public static let standardCategory = "standard"

    public init(code: String, fullName: String, dateOfBirth: CalendarDate?, className: String, grade: Int,
                category: String = StudentDetails.standardCategory, guardianName: String? = nil, guardianPhone: String? = nil,
                familyKey: String? = nil, virtualAccount: String? = nil) {
        self.code = code
        self.fullName = fullName
        self.dateOfBirth = dateOfBirth
        self.className = className
        self.grade = grade
        self.category = category
        self.guardianName = guardianName
        self.guardianPhone = guardianPhone
        self.familyKey = familyKey
        self.virtualAccount = virtualAccount
    }

    /// The recorded fields that differ, as (field, old, new) texts; history rows are written from these.
    public func changes(from old: StudentDetails) -> [StudentFieldChange] {
        let pairs: [(String, String?, String?)] = [
            ("code", old.code, code),
            ("full_name", old.fullName, fullName),
            ("date_of_birth", old.dateOfBirth?.iso, dateOfBirth?.iso),
            ("class", old.className, className),
            ("grade", String(old.grade), String(grade)),
            ("category", old.category, category),
            ("guardian_name", old.guardianName, guardianName),
            ("guardian_phone", old.guardianPhone, guardianPhone),
            ("family", old.familyKey, familyKey),
            ("virtual_account", old.virtualAccount, virtualAccount),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { StudentFieldChange(field: $0.0, oldValue: $0.1, newValue: $0.2) }
    }
}

/// One changed field of a student.
public struct StudentFieldChange: Hashable, Sendable, Codable {
    public var field: String
    public var oldValue: String?
    public var newValue: String?

    public init(field: String, oldValue: String?, newValue: String?) {
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
    }
}

/// A recorded change, from the student's history.
public struct StudentChange: Hashable, Sendable, Codable {
    public var change: StudentFieldChange
    public var changedBy: String
}
