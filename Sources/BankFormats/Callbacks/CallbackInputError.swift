/// Why a callback could not be normalised. Names the field path and what is wrong with it;
/// quoted values are the sender's own (never secrets) and cut to `quotedBytesMax`.
public enum CallbackInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongMethod(expected: String, received: String)
    case unreadableBody(String)
    case unreadableQuery(String)
    case field(String, CallbackFieldProblem)

    static let quotedBytesMax = 64

    /// The reply outcome that fits: `.invalidAmount` for an amount that is not whole đồng or out of range,
    /// `.malformed` otherwise.
    public var suggestedOutcome: CallbackOutcome {
        if case .field(_, let problem) = self {
            switch problem {
            case .notAnInteger, .notWholeDong, .outOfRange: return .invalidAmount
            default: break
            }
        }
        return .malformed
    }

    public var description: String {
        switch self {
        case .wrongMethod(let expected, let received): return "method \(received.prefix(16)) where \(expected) is expected"
        case .unreadableBody(let reason): return "body cannot be read: \(reason)"
        case .unreadableQuery(let reason): return "query cannot be read: \(reason)"
        case .field(let path, let problem): return "field '\(path)': \(problem)"
        }
    }

    static func quote(_ text: String) -> String {
        text.utf8.count <= quotedBytesMax ? "'\(text)'" : "'\(text.prefix(quotedBytesMax))…'"
    }
}

public enum CallbackFieldProblem: Equatable, Sendable, CustomStringConvertible {
    case missing
    case empty
    /// A query parameter given more than once.
    case repeated
    /// The named value on the way to the field is not an object.
    case parentNotObject(String)
    case wrongType(expected: String, found: String)
    case notAnInteger(String)
    case notWholeDong(String, divisor: Int64)
    case outOfRange(String)
    case badTime(String, format: String)
    case unknownValue(String, allowed: [String])
    /// A part of a composite id holds the separator, which would make the joined id ambiguous.
    case containsSeparator(String, separator: String)

    public var description: String {
        let quote = CallbackInputError.quote
        switch self {
        case .missing: return "missing"
        case .empty: return "empty"
        case .repeated: return "given more than once"
        case .parentNotObject(let parent): return "\(parent) is not an object"
        case .wrongType(let expected, let found): return "a \(found) where a \(expected) is expected"
        case .notAnInteger(let text): return "\(quote(text)) is not an integer"
        case .notWholeDong(let text, let divisor): return "\(quote(text)) is not a whole number of đồng (divided by \(divisor))"
        case .outOfRange(let text): return "\(quote(text)) is out of range"
        case .badTime(let text, let format): return "\(quote(text)) is not a time in format \(format)"
        case .unknownValue(let text, let allowed): return "\(quote(text)) is not one of \(allowed.joined(separator: ", "))"
        case .containsSeparator(let text, let separator): return "\(quote(text)) contains the id separator '\(separator)'"
        }
    }
}
