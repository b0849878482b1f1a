import Core
/// A provider description that cannot be used, naming the file and the key inside it.
public struct CallbackCatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    /// Dotted location of the offending key (`signature.algorithm`), empty for the file as a whole.
    public let key: String
    public let problem: String

    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String { key.isEmpty ? "\(file): \(problem)" : "\(file): \(key): \(problem)" }
}

/// Reads one JSON object of a description, refusing unknown keys (`finish()`) and values of the wrong kind.
struct DescriptionObject {
    let file: String
    let location: String
    private let members: [JSONMember]
    private var used: Set<String> = []

    init(_ value: JSONValue, file: String, location: String) throws(CallbackCatalogError) {
        guard case .object(let members) = value else {
            throw CallbackCatalogError(file: file, key: location, problem: "expected an object, found a \(value.kindName)")
        }
        self.file = file
        self.location = location
        self.members = members
    }

    /// The whole object, every key counted as read (for maps whose keys are data).
    mutating func optionalValueForAll() -> JSONValue {
        for member in members { used.insert(member.key) }
        return .object(members)
    }

    func key(_ name: String) -> String { location.isEmpty ? name : "\(location).\(name)" }

    func failure(_ name: String?, _ problem: String) -> CallbackCatalogError {
        CallbackCatalogError(file: file, key: name.map(key) ?? location, problem: problem)
    }

    /// Every key must have been read: an unknown key is an error, not something silently ignored.
    func finish() throws(CallbackCatalogError) {
        if let unknown = members.first(where: { !used.contains($0.key) }) {
            throw failure(unknown.key, "unknown key")
        }
    }

    mutating func optionalValue(_ name: String) -> JSONValue? {
        used.insert(name)
        return members.first { $0.key == name }?.value
    }

    mutating func value(_ name: String) throws(CallbackCatalogError) -> JSONValue {
        guard let value = optionalValue(name) else { throw failure(name, "required key is missing") }
        return value
    }

    mutating func optionalString(_ name: String) throws(CallbackCatalogError) -> String? {
        switch optionalValue(name) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw failure(name, "expected a string, found a \(other.kindName)")
        }
    }

    mutating func string(_ name: String) throws(CallbackCatalogError) -> String {
        guard let text = try optionalString(name) else { throw failure(name, "required key is missing") }
        return text
    }

    mutating func optionalInteger(_ name: String) throws(CallbackCatalogError) -> Int64? {
        switch optionalValue(name) {
        case nil: return nil
        case .number(let text)?:
            guard let value = Int64(text) else { throw failure(name, "expected an integer, found \(text)") }
            return value
        case let other?: throw failure(name, "expected an integer, found a \(other.kindName)")
        }
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int64>) throws(CallbackCatalogError) -> Int64 {
        guard let value = try optionalInteger(name) else { throw failure(name, "required key is missing") }
        guard range.contains(value) else { throw failure(name, "\(value) is outside \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    mutating func optionalBool(_ name: String) throws(CallbackCatalogError) -> Bool? {
        switch optionalValue(name) {
        case nil: return nil
        case .bool(let flag)?: return flag
        case let other?: throw failure(name, "expected true or false, found a \(other.kindName)")
        }
    }

    mutating func bool(_ name: String) throws(CallbackCatalogError) -> Bool {
        guard let flag = try optionalBool(name) else { throw failure(name, "required key is missing") }
        return flag
    }

    mutating func object(_ name: String) throws(CallbackCatalogError) -> DescriptionObject {
        try DescriptionObject(try value(name), file: file, location: key(name))
    }

    mutating func array(_ name: String) throws(CallbackCatalogError) -> [JSONValue] {
        guard case .array(let elements) = try value(name) else { throw failure(name, "expected an array") }
        return elements
    }

    mutating func strings(_ name: String) throws(CallbackCatalogError) -> [String] {
        var texts: [String] = []
        for element in try array(name) {
            guard case .string(let text) = element else { throw failure(name, "expected an array of strings") }
            texts.append(text)
        }
        return texts
    }

    mutating func path(_ name: String) throws(CallbackCatalogError) -> CallbackFieldPath {
        let text = try string(name)
        do { return try CallbackFieldPath(text) } catch { throw failure(name, error.description) }
    }

    /// A value of a string-backed enumeration; the error lists the accepted spellings.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, _ type: Choice.Type
    ) throws(CallbackCatalogError) -> Choice where Choice.RawValue == String {
        let text = try string(name)
        guard let value = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw failure(name, "unknown value '\(text)' (expected one of: \(allowed))")
        }
        return value
    }
}
