import Core

/// The school as a document names it.
public struct DocumentSchool: Hashable, Sendable, Codable {
    public var name: String
    /// Where the school is: its commune or ward, or its former district (`School.placeName`).
    public var district: String
    public var address: String?

    public init(name: String, district: String, address: String? = nil) {
        self.name = name
        self.district = district
        self.address = address
    }
}

/// A student as a document names them.
public struct DocumentStudent: Hashable, Sendable, Codable {
    /// As given, with diacritics.
    public var fullName: String
    /// The student's code (the standing payment code).
    public var code: String
    public var className: String

    public init(fullName: String, code: String, className: String) {
        self.fullName = fullName
        self.code = code
        self.className = className
    }
}

/// The school's account that parents transfer to.
public struct DocumentBankAccount: Hashable, Sendable, Codable {
    public var bankName: String
    /// Printed in full: parents type it into their banking app.
    public var accountNumber: String
    public var accountHolder: String

    public init(bankName: String, accountNumber: String, accountHolder: String) {
        self.bankName = bankName
        self.accountNumber = accountNumber
        self.accountHolder = accountHolder
    }
}
