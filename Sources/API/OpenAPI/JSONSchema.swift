import Foundation

/// A JSON Schema (the subset OpenAPI 3.1 documents need), rendered as JSON.
public indirect enum JSONSchema: Sendable, Equatable {
    case string(format: String? = nil, enumeration: [String]? = nil)
    /// A string the server accepts only in this shape: `pattern` is an ECMA-262 regular expression anchored
    /// at both ends, taken from the constant the server's own validator is tested against (`APIParameterSchemas`).
    case patterned(pattern: String, format: String? = nil)
    /// A string of `minLength...maxLength` characters (Unicode scalars, as JSON Schema counts them).
    case bounded(minLength: Int, maxLength: Int)
    /// A string of `minLength...maxLength` characters that also matches `pattern` (when given).
    case text(pattern: String?, minLength: Int, maxLength: Int)
    case integer
    /// A file's bytes (`format: binary`), `minLength...maxLength` of them.
    case binaryFile(bytes: ClosedRange<Int>)
    /// An integer the server accepts only within `minimum...maximum`.
    case integerRange(ClosedRange<Int64>)
    case boolean
    case array(JSONSchema)
    /// An array of `items` with `minItems...maxItems` elements.
    case boundedArray(JSONSchema, items: ClosedRange<Int>)
    /// An array of distinct `items` (`uniqueItems`), `minItems...maxItems` of them.
    case distinctArray(JSONSchema, items: ClosedRange<Int>)
    case object(properties: [(name: String, schema: JSONSchema)], required: [String])
    case nullable(JSONSchema)
    case reference(String)
    /// Exactly one of these schemas.
    case oneOf([JSONSchema])
    /// At least one of these schemas.
    case anyOf([JSONSchema])
    /// Every one of these schemas (an object and the rules across its fields).
    case allOf([JSONSchema])
    /// A rule on some fields of an object, inside `anyOf`/`allOf`: no type and no `additionalProperties`, so it
    /// constrains the fields it names and leaves the others to the object's own schema.
    case fields(properties: [(name: String, schema: JSONSchema)], required: [String])
    /// JSON `null` only: with `fields`, "this field is absent or null".
    case null
    /// Any JSON value (free-form objects such as raw callback payloads).
    case any

    public static func == (left: JSONSchema, right: JSONSchema) -> Bool {
        left.jsonObject as NSDictionary == right.jsonObject as NSDictionary
    }

    /// What every free string of the API must match: no U+0000, which no text column can store
    /// (`Request.decodeJSON` refuses it, naming the field; the query and path refuse `%00`).
    public static let noNULPattern = "^[^\\u0000]*$"

    /// The schema as a Foundation JSON object.
    public var jsonObject: [String: Any] {
        switch self {
        case .string(let format, let enumeration):
            var object: [String: Any] = ["type": "string"]
            if let format { object["format"] = format }
            if let enumeration { object["enum"] = enumeration } else if format == nil { object["pattern"] = Self.noNULPattern }
            return object
        case .patterned(let pattern, let format):
            var object: [String: Any] = ["type": "string", "pattern": pattern]
            if let format { object["format"] = format }
            return object
        case .bounded(let minLength, let maxLength):
            return ["type": "string", "minLength": minLength, "maxLength": maxLength, "pattern": Self.noNULPattern]
        case .text(let pattern, let minLength, let maxLength):
            var object: [String: Any] = ["type": "string", "minLength": minLength, "maxLength": maxLength, "pattern": pattern ?? Self.noNULPattern]
            // A pattern that only asks for something somewhere (not anchored, e.g. "a visible character") lets
            // NUL through; the rule that excludes it is added beside it.
            if let pattern, !pattern.hasPrefix("^") { object["allOf"] = [["pattern": Self.noNULPattern]] }
            return object
        case .binaryFile(let bytes):
            return ["type": "string", "format": "binary", "minLength": bytes.lowerBound, "maxLength": bytes.upperBound]
        case .integer: return ["type": "integer", "format": "int64"]
        case .integerRange(let range):
            return ["type": "integer", "format": "int64", "minimum": range.lowerBound, "maximum": range.upperBound]
        case .boolean: return ["type": "boolean"]
        case .array(let items): return ["type": "array", "items": items.jsonObject]
        case .boundedArray(let items, let count):
            return ["type": "array", "items": items.jsonObject, "minItems": count.lowerBound, "maxItems": count.upperBound]
        case .distinctArray(let items, let count):
            return ["type": "array", "items": items.jsonObject, "minItems": count.lowerBound, "maxItems": count.upperBound, "uniqueItems": true]
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
        case .oneOf(let choices): return ["oneOf": choices.map(\.jsonObject)]
        case .anyOf(let choices): return ["anyOf": choices.map(\.jsonObject)]
        case .allOf(let parts): return ["allOf": parts.map(\.jsonObject)]
        case .fields(let properties, let required):
            var fields: [String: Any] = [:]
            for property in properties { fields[property.name] = property.schema.jsonObject }
            var object: [String: Any] = ["properties": fields]
            if !required.isEmpty { object["required"] = required }
            return object
        case .null: return ["type": "null"]
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
