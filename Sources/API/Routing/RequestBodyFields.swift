import Foundation

/// A JSON body's fields against its request schema. The document says `additionalProperties: false` for every
/// request object, and the server holds to it: a field it does not know (a misspelt `recieved_on`) is refused with
/// 422 naming it, rather than ignored while the request does something the caller did not mean.
enum RequestBodyFields {
    /// The path (`bank_accounts[0].bank_bin`) of the first field of `json` that `schema` does not name; nil when
    /// every field is known. Types are the decoder's business: a value of another shape is not looked into.
    static func unknownField(in json: Any, schema: JSONSchema, path: String = "") -> String? {
        switch schema {
        case .object(let properties, _):
            guard let object = json as? [String: Any] else { return nil }
            for key in object.keys.sorted() {
                let name = path.isEmpty ? key : path + "." + key
                guard let property = properties.first(where: { $0.name == key }) else { return name }
                if let inner = unknownField(in: object[key] as Any, schema: property.schema, path: name) { return inner }
            }
            return nil
        case .nullable(let inner):
            return json is NSNull ? nil : unknownField(in: json, schema: inner, path: path)
        case .array(let items), .boundedArray(let items, _), .distinctArray(let items, _):
            guard let elements = json as? [Any] else { return nil }
            for (index, element) in elements.enumerated() {
                if let inner = unknownField(in: element, schema: items, path: "\(path)[\(index)]") { return inner }
            }
            return nil
        case .allOf(let parts):
            // The object comes first; the rules after it name no field of their own.
            return parts.first.flatMap { unknownField(in: json, schema: $0, path: path) }
        default:
            return nil
        }
    }
}
