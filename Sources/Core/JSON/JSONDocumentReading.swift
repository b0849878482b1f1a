/// One thing wrong in a data file, at a JSON path (`$.items[2].caps.primary.urban`).
public struct JSONPathProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// A walk over a parsed data file (fee catalogue, chart of accounts) that notes every problem with
/// its JSON path instead of stopping at the first, so one correction round fixes them all. The
/// readers share these checks; what a field means stays with each reader.
public protocol JSONDocumentReading {
    var problems: [JSONPathProblem] { get set }
}

extension JSONDocumentReading {
    public mutating func fail(_ path: String, _ problem: String) {
        problems.append(JSONPathProblem(path: path, problem: problem))
    }

    public mutating func flag(_ value: JSONValue?, at path: String) -> Bool? {
        guard case .bool(let flag)? = value else { fail(path, value == nil ? "is required" : "must be true or false"); return nil }
        return flag
    }

    /// Every member whose key is not `allowed` is a problem (a misspelt field must not be ignored).
    public mutating func unknownKeys(_ members: [JSONMember], allowed: Set<String>, at path: String) {
        for member in members where !allowed.contains(member.key) {
            fail("\(path).\(member.key)", "unknown field (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
