import Core
import Foundation
import HTTP
import Ledger

/// A request that passed authentication and scoping. It has no public initialiser: a handler
/// that receives one knows who the caller is and, for school routes, that they may see the school.
public struct APIRequest: Sendable {
    public let http: Request
    public let caller: Caller
    /// The school named by `{school}` in the path, already checked against the caller's scope.
    public let school: School?
    /// The route's request body type and schema (`APIRouteSpec.requestSchema`): unknown fields are refused.
    let bodySchema: (name: String, schema: JSONSchema)?

    init(http: Request, caller: Caller, school: School?, bodySchema: (name: String, schema: JSONSchema)? = nil) {
        self.http = http
        self.caller = caller
        self.school = school
        self.bodySchema = bodySchema
    }

    /// The school of a school route (programming error to ask on another route).
    public var scopedSchool: School {
        guard let school else { preconditionFailure("\(http.routeTemplate) is not a school route") }
        return school
    }

    /// The JSON body decoded as `Value`; 400 naming the field on a malformed body.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let value = try http.decodeJSON(type, decoder: APIJSON.decoder)
        if let bodySchema, bodySchema.name == String(describing: type),
           let json = try? JSONSerialization.jsonObject(with: Data(http.body), options: [.fragmentsAllowed]),
           let field = RequestBodyFields.unknownField(in: json, schema: bodySchema.schema) {
            throw HTTPError(status: .unprocessableContent, code: "unknown_field", detail: "\(field): not a field of this request")
        }
        return value
    }

    /// A path parameter that must be a positive integer id written as `APIParameterSchemas.idPattern` says;
    /// 404 otherwise (an id that cannot exist).
    public func id(_ name: String, notFound code: String) throws -> Int64 {
        guard let text = http.pathParameters[name], let value = APIParameterSchemas.id(text) else {
            throw APIError.notFound(code)
        }
        return value
    }

    /// A query parameter parsed by `parse`; 400 naming the parameter when it does not parse.
    public func query<T>(_ name: String, _ parse: (String) throws -> T) throws -> T? {
        guard let text = http.queryValue(name) else { return nil }
        do { return try parse(text) } catch {
            throw APIError.invalidParameter(name, "\(error)")
        }
    }
}

/// The JSON conventions of the API: snake_case keys, ISO 8601 instants, sorted keys.
public enum APIJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public static func response<Value: Encodable>(_ value: Value, status: HTTPStatus = .ok) throws -> Response {
        try Response.json(value, status: status, encoder: encoder)
    }
}
