/// A JSON request body whose fields the server checks beyond their Swift types: the document states each check,
/// so a body the schema allows is never refused for its content (422), and one it forbids is never accepted.
///
/// The rule (docs/architecture.md, "The API contract"): a field the handler or the service validates gets a row in
/// `fieldSchemas` built from the constant the validator uses (a pattern beside its validator, a length or count
/// limit, an amount range), and `OpenAPIContractTests` holds the two together on generated inputs. Rules across
/// fields (both or neither, one of several) go in `crossFieldRules`. What depends on the database or the clock (an
/// unknown student, a month not started) is not a rule of the body: the server answers it 404 or 409.
protocol APIRequestBody: APIExample {
    /// Wire name (snake_case; `parent.child` inside an object or an array's items) → the schema the server enforces,
    /// replacing the one the field's type gives. An optional field stays optional and nullable.
    static var fieldSchemas: [String: JSONSchema] { get }
    /// Wire name of an array field → how many elements the server accepts.
    static var arrayCounts: [String: ClosedRange<Int>] { get }
    /// Subschemas every body must also satisfy (`anyOf` of `fields`: "a district, or a commune").
    static var crossFieldRules: [JSONSchema] { get }
    /// True when the route takes an empty body for the defaults (the document marks the body not required).
    static var bodyOptional: Bool { get }
}

extension APIRequestBody {
    static var fieldSchemas: [String: JSONSchema] { [:] }
    static var arrayCounts: [String: ClosedRange<Int>] { [:] }
    static var crossFieldRules: [JSONSchema] { [] }
    static var bodyOptional: Bool { false }
}

enum RequestBodySchema {
    /// The schema of a request type: derived from its example, refined by its `APIRequestBody` rules.
    static func schema(of type: any APIExample.Type) -> JSONSchema {
        let derived = SchemaEncoder.schema(of: type.example)
        guard let body = type as? any APIRequestBody.Type else { return derived }
        var used: Set<String> = []
        let refined = refine(derived, path: "", body: body, used: &used)
        return body.crossFieldRules.isEmpty ? refined : .allOf([refined] + body.crossFieldRules)
    }

    /// Whether the route takes an empty body (`APIRequestBody.bodyOptional`).
    static func isOptional(_ type: any APIExample.Type) -> Bool {
        (type as? any APIRequestBody.Type)?.bodyOptional ?? false
    }

    /// Names in `fieldSchemas` and `arrayCounts` that are no field of the type: a typo would leave a rule out of the
    /// document silently, so `OpenAPIContractTests` requires none.
    static func unmatchedRules(of body: any APIRequestBody.Type) -> [String] {
        var used: Set<String> = []
        _ = refine(SchemaEncoder.schema(of: body.example), path: "", body: body, used: &used)
        return Set(body.fieldSchemas.keys).union(body.arrayCounts.keys).subtracting(used).sorted()
    }

    static func refine(_ schema: JSONSchema, path: String, body: any APIRequestBody.Type, used: inout Set<String>) -> JSONSchema {
        switch schema {
        case .nullable(let inner):
            return .nullable(refine(inner, path: path, body: body, used: &used))
        case .array(let items):
            let refinedItems = refine(items, path: path, body: body, used: &used)
            guard let count = body.arrayCounts[path] else { return .array(refinedItems) }
            used.insert(path)
            return .boundedArray(refinedItems, items: count)
        case .object(let properties, let required):
            return .object(properties: properties.map { property in
                let name = path.isEmpty ? property.name : path + "." + property.name
                if let override = body.fieldSchemas[name] {
                    used.insert(name)
                    if case .nullable = property.schema { return (property.name, .nullable(override)) }
                    return (property.name, override)
                }
                return (property.name, refine(property.schema, path: name, body: body, used: &used))
            }, required: required)
        default:
            return schema
        }
    }
}
