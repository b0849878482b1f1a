import Core
/// A dotted path to a field of a JSON body (`data.amount`) or the name of a query parameter (`vnp_Amount`).
public struct CallbackFieldPath: Hashable, Sendable, CustomStringConvertible {
    public let components: [String]

    public static let componentBytesMax = 64
    public static let componentCountMax = 4

    /// Parses `a.b.c`: each component is letters, digits and `_`, none empty.
    public init(_ text: String) throws(CallbackFieldPathError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.count <= CallbackFieldPath.componentCountMax else {
            throw CallbackFieldPathError(path: text)
        }
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= CallbackFieldPath.componentBytesMax,
                  part.utf8.allSatisfy(CallbackFieldPath.isNameByte) else {
                throw CallbackFieldPathError(path: text)
            }
        }
        components = parts
    }

    public var description: String { components.joined(separator: ".") }

    /// Where the path leads in `root`.
    public func resolve(in root: JSONValue) -> Resolution {
        var current = root
        for (index, component) in components.enumerated() {
            guard case .object = current else {
                let parent = components[..<index].joined(separator: ".")
                return .notAnObject(parent.isEmpty ? "the body" : "'\(parent)'")
            }
            guard let next = current[component] else { return .missing }
            current = next
        }
        return .found(current)
    }

    public enum Resolution: Equatable, Sendable {
        case found(JSONValue)
        case missing
        /// An intermediate value (named) is not an object.
        case notAnObject(String)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}

public struct CallbackFieldPathError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public var description: String {
        "'\(path.prefix(100))' is not a field path (dot-separated names of letters, digits and '_', at most \(CallbackFieldPath.componentCountMax))"
    }
}

extension JSONValue {
    /// The text a signature scheme uses for a scalar: strings as is, numbers as written,
    /// `true`/`false`, `null` as empty; `nil` for arrays and objects.
    var signingText: String? {
        switch self {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return text
        case .array, .object: return nil
        }
    }
}

/// Parsing a callback body for the schemes and the normaliser, with the callback limits.
enum CallbackBody {
    /// The body as a JSON object, or a reason it is not one.
    static func object(_ body: [UInt8]) -> Result<JSONValue, BodyProblem> {
        guard body.count <= CallbackLimits.bodyBytesMax else {
            return .failure(.tooLarge(bytes: body.count, limit: CallbackLimits.bodyBytesMax))
        }
        let value: JSONValue
        do { value = try StrictJSONParser.parse(body, limits: CallbackLimits.bodyJSON) } catch {
            return .failure(.malformed(error))
        }
        guard case .object = value else { return .failure(.notAnObject(value.kindName)) }
        return .success(value)
    }

    enum BodyProblem: Error, Equatable, CustomStringConvertible {
        case tooLarge(bytes: Int, limit: Int)
        case malformed(JSONError)
        case notAnObject(String)

        var description: String {
            switch self {
            case .tooLarge(let bytes, let limit): return "body of \(bytes) bytes exceeds the limit of \(limit)"
            case .malformed(let error): return error.description
            case .notAnObject(let kind): return "body is a JSON \(kind), not an object"
            }
        }
    }
}
