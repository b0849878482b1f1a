import Core
/// The sender's fields, read the same way for a JSON body and for a query.
struct CallbackFields {
    private let root: JSONValue?
    private let query: [String: [String]]

    init(_ request: CallbackRequest, transport: CallbackTransport) throws(CallbackInputError) {
        guard request.method.uppercased() == transport.method else {
            throw CallbackInputError.wrongMethod(expected: transport.method, received: request.method)
        }
        switch transport {
        case .jsonPost:
            switch CallbackBody.object(request.body) {
            case .success(let value): root = value
            case .failure(let problem): throw CallbackInputError.unreadableBody(problem.description)
            }
            query = [:]
        case .getQuery:
            guard request.query.count <= CallbackLimits.queryParameterCountMax else {
                throw CallbackInputError.unreadableQuery("more than \(CallbackLimits.queryParameterCountMax) parameters")
            }
            root = nil
            query = Dictionary(grouping: request.query, by: \.name).mapValues { $0.map(\.value) }
        }
    }

    /// Whether query values are text that may hold numbers (a query has no other kind).
    var numbersAreText: Bool { root == nil }

    /// The value at `path`; `nil` when absent. JSON `null` is returned as `.null` for the caller to judge.
    func value(_ path: CallbackFieldPath) throws(CallbackInputError) -> JSONValue? {
        if let root {
            switch path.resolve(in: root) {
            case .found(let value): return value
            case .missing: return nil
            case .notAnObject(let parent): throw CallbackInputError.field(path.description, .parentNotObject(parent))
            }
        }
        guard let values = query[path.description] else { return nil }
        guard values.count == 1 else { throw CallbackInputError.field(path.description, .repeated) }
        return .string(values[0])
    }

    /// Text of a string field (numbers as written, so numeric ids read as text); `nil` when absent or `null`.
    func text(_ path: CallbackFieldPath) throws(CallbackInputError) -> String? {
        switch try value(path) {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let text)?: return text
        case let other?: throw CallbackInputError.field(path.description, .wrongType(expected: "string", found: other.kindName))
        }
    }

    func requiredText(_ path: CallbackFieldPath, allowEmpty: Bool) throws(CallbackInputError) -> String {
        guard let text = try text(path) else { throw CallbackInputError.field(path.description, .missing) }
        guard allowEmpty || !text.isEmpty else { throw CallbackInputError.field(path.description, .empty) }
        return text
    }

    /// Optional text: absent, `null` and empty all mean "not given".
    func optionalText(_ path: CallbackFieldPath?) throws(CallbackInputError) -> String? {
        guard let path, let text = try text(path), !text.isEmpty else { return nil }
        return text
    }

    /// The text of an integer field: a JSON number, or a query value.
    func integerText(_ path: CallbackFieldPath) throws(CallbackInputError) -> String {
        switch try value(path) {
        case nil, .null?: throw CallbackInputError.field(path.description, .missing)
        case .number(let text)?: return text
        case .string(let text)? where numbersAreText: return text
        case let other?: throw CallbackInputError.field(path.description, .wrongType(expected: "number", found: other.kindName))
        }
    }
}
