import Foundation

/// A JSON Schema (the subset OpenAPI 3.1 documents need), rendered as JSON.
public indirect enum JSONSchema: Sendable, Equatable {
    case string(format: String? = nil, enumeration: [String]? = nil)
    case integer
    case boolean
    case array(JSONSchema)
    case object(properties: [(name: String, schema: JSONSchema)], required: [String])
    case nullable(JSONSchema)
    case reference(String)
    /// Any JSON value (free-form objects such as raw callback payloads).
    case any

    public static func == (left: JSONSchema, right: JSONSchema) -> Bool {
        left.jsonObject as NSDictionary == right.jsonObject as NSDictionary
    }

    /// The schema as a Foundation JSON object.
    public var jsonObject: [String: Any] {
        switch self {
        case .string(let format, let enumeration):
            var object: [String: Any] = ["type": "string"]
            if let format { object["format"] = format }
            if let enumeration { object["enum"] = enumeration }
            return object
        case .integer: return ["type": "integer", "format": "int64"]
        case .boolean: return ["type": "boolean"]
        case .array(let items): return ["type": "array", "items": items.jsonObject]
        case .object(let properties, let required):
            var object: [String: Any] = ["type": "object", "additionalProperties": false]
            var fields: [String: Any] = [:]
            for property in properties { fields[property.name] = property.schema.jsonObject }
            object["properties"] = fields
            if !required.isEmpty { object["required"] = required }
            return object
        case .nullable(let inner):
            return ["anyOf": [inner.jsonObject, ["type": "null"]]]
        case .reference(let name): return ["$ref": "#/components/schemas/\(name)"]
        case .any: return [:]
        }
    }
}

/// A type that states its own schema instead of the one its encoding would suggest
/// (a date is a string with format `date`, an enumeration lists its values).
public protocol SchemaDescribing {
    static var jsonSchema: JSONSchema { get }
}

/// A type with a representative value: the API derives its schema from how that value encodes,
/// so the documentation cannot drift from the JSON the server actually writes.
public protocol APIExample: Encodable {
    static var example: Self { get }
}
