import Foundation

/// A PostgreSQL type OID, as far as this client needs to know it.
public struct PostgresType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unknown = PostgresType(rawValue: 0)
    public static let bool = PostgresType(rawValue: 16)
    public static let bytea = PostgresType(rawValue: 17)
    public static let int8 = PostgresType(rawValue: 20)
    public static let int2 = PostgresType(rawValue: 21)
    public static let int4 = PostgresType(rawValue: 23)
    public static let text = PostgresType(rawValue: 25)
    public static let json = PostgresType(rawValue: 114)
    public static let varchar = PostgresType(rawValue: 1043)
    public static let date = PostgresType(rawValue: 1082)
    public static let timestamp = PostgresType(rawValue: 1114)
    public static let timestamptz = PostgresType(rawValue: 1184)
    public static let numeric = PostgresType(rawValue: 1700)
    public static let uuid = PostgresType(rawValue: 2950)
    public static let jsonb = PostgresType(rawValue: 3802)
    public static let int8Array = PostgresType(rawValue: 1016)
    public static let int4Array = PostgresType(rawValue: 1007)
    public static let textArray = PostgresType(rawValue: 1009)

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .bytea: return "bytea"
        case .int8: return "int8"
        case .int2: return "int2"
        case .int4: return "int4"
        case .text: return "text"
        case .json: return "json"
        case .varchar: return "varchar"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .timestamptz: return "timestamptz"
        case .numeric: return "numeric"
        case .uuid: return "uuid"
        case .jsonb: return "jsonb"
        case .int8Array: return "int8[]"
        case .int4Array: return "int4[]"
        case .textArray: return "text[]"
        default: return "oid \(rawValue)"
        }
    }
}

/// A Swift value that can be sent as a parameter.
///
/// The type itself knows its wire form: `encodePostgres(into:)` writes the binary form where this
/// client writes it exactly and it saves the server work (integers, bool, text, bytea, their arrays,
/// timestamptz: no parsing per value or per array element), else the text form, the default.
/// `postgresText` stays the value's text form for every type, for code that embeds it in other text.
public protocol PostgresEncodable: Sendable {
    static var postgresType: PostgresType { get }
    var postgresText: String { get }
    /// Appends the value as it travels to the server and returns the format written.
    func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat
}

extension PostgresEncodable {
    /// The text form: for types whose binary form is riskier than it is worth (numeric, date, jsonb).
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(utf8: postgresText)
        return .text
    }
}

/// A Swift value that can be read from a result column in text format.
///
/// `bytes` is nil for SQL NULL. The buffer is only valid during the call.
public protocol PostgresDecodable {
    static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Self
}

public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// Why a column value did not decode; the row decoder adds the column name, index and wanted type.
public enum PostgresDecodingFailure: Error, Sendable, Equatable {
    case unexpectedNull
    case malformed
    case outOfRange
    case typeMismatch(PostgresType)
}

// MARK: - Integers

extension Int64: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String { String(self) }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(int64: self)
        return .binary
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Int64 {
        guard let bytes else { throw .unexpectedNull }
        guard type == .int8 || type == .int4 || type == .int2 || type == .numeric else { throw .typeMismatch(type) }
        return try PostgresText.integer(bytes)
    }
}

extension Int32: PostgresCodable {
    public static var postgresType: PostgresType { .int4 }
    public var postgresText: String { String(self) }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(int32: self)
        return .binary
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Int32 {
        let wide = try Int64.decode(postgresText: bytes, type: type)
        guard let narrow = Int32(exactly: wide) else { throw .outOfRange }
        return narrow
    }
}

extension Int: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresText: String { String(self) }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        Int64(self).encodePostgres(into: &writer)
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Int {
        Int(try Int64.decode(postgresText: bytes, type: type))
    }
}

// MARK: - Bool, String, UUID

extension Bool: PostgresCodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresText: String { self ? "t" : "f" }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(byte: self ? 1 : 0)
        return .binary
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Bool {
        guard let bytes else { throw .unexpectedNull }
        guard type == .bool else { throw .typeMismatch(type) }
        guard bytes.count == 1 else { throw .malformed }
        switch bytes[0] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw .malformed
        }
    }
}

extension String: PostgresCodable {
    public static var postgresType: PostgresType { .text }
    public var postgresText: String { self }
    /// Binary `text` is the UTF-8 bytes with their length: the same bytes, but a NUL inside is refused
    /// by the server (invalid UTF-8 for it) instead of silently cutting the value where libpq's text
    /// format would.
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(utf8: self)
        return .binary
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> String {
        guard let bytes else { throw .unexpectedNull }
        // Any type's text form is a valid String; callers asking for text get the server's rendering.
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresType { .uuid }
    public var postgresText: String { uuidString.lowercased() }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> UUID {
        guard let bytes else { throw .unexpectedNull }
        guard type == .uuid || type == .text else { throw .typeMismatch(type) }
        guard let uuid = UUID(uuidString: String(decoding: bytes, as: UTF8.self)) else { throw .malformed }
        return uuid
    }
}

// MARK: - Bytes and JSON

/// Raw bytes, as `bytea`.
extension Array: PostgresEncodable where Element == UInt8 {
    public static var postgresType: PostgresType { .bytea }
    public var postgresText: String { "\\x" + PostgresText.hex(self) }
    /// The bytes themselves: no hex text twice their size to write and for the server to decode.
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(bytes: self)
        return .binary
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> [UInt8] {
        guard let bytes else { throw .unexpectedNull }
        guard type == .bytea else { throw .typeMismatch(type) }
        return try PostgresText.bytea(bytes)
    }
}

/// A JSON document kept as text; sent as `jsonb`.
public struct PostgresJSON: PostgresCodable, Hashable {
    public var text: String
    public init(_ text: String) { self.text = text }
    public static var postgresType: PostgresType { .jsonb }
    public var postgresText: String { text }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> PostgresJSON {
        guard let bytes else { throw .unexpectedNull }
        guard type == .json || type == .jsonb || type == .text else { throw .typeMismatch(type) }
        return PostgresJSON(String(decoding: bytes, as: UTF8.self))
    }
}

/// A list of integers, as `int8[]` (for `= ANY($1)`).
public struct PostgresInt64Array: PostgresCodable, Hashable {
    public var values: [Int64]
    public init(_ values: [Int64]) { self.values = values }
    public static var postgresType: PostgresType { .int8Array }
    public var postgresText: String { ArrayLiteral.build(values) { $0.appendDecimal($1) } }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.appendArray(values, elementType: .int8, hasNull: false) { $0.appendElement(int64: $1) }
        return .binary
    }
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> PostgresInt64Array {
        guard let bytes else { throw .unexpectedNull }
        guard type == .int8Array || type == .int4Array else { throw .typeMismatch(type) }
        let elements = try PostgresText.arrayElements(bytes)
        var values: [Int64] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            guard let element, let value = Int64(element) else { throw .malformed }
            values.append(value)
        }
        return PostgresInt64Array(values)
    }
}

/// A list of strings, as `text[]`.
public struct PostgresTextArray: PostgresCodable, Hashable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public static var postgresType: PostgresType { .textArray }
    public var postgresText: String { ArrayLiteral.build(values) { $0.appendQuoted($1) } }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.appendArray(values, elementType: .text, hasNull: false) { $0.appendElement(utf8: $1) }
        return .binary
    }

    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> PostgresTextArray {
        guard let bytes else { throw .unexpectedNull }
        guard type == .textArray || type.rawValue == 1015 else { throw .typeMismatch(type) }
        let elements = try PostgresText.arrayElements(bytes)
        var values: [String] = []
        for element in elements {
            guard let element else { throw .unexpectedNull }
            values.append(element)
        }
        return PostgresTextArray(values)
    }
}

// MARK: - Dates

/// `timestamptz` instants. Sessions run with `TimeZone=UTC` and `DateStyle=ISO`, so the text
/// form is `YYYY-MM-DD HH:MM:SS[.ffffff]+00`. A `date` column decodes to midnight UTC.
extension Date: PostgresCodable {
    public static var postgresType: PostgresType { .timestamptz }

    public var postgresText: String {
        PostgresText.timestamp(microsecondsSinceEpoch: postgresMicrosecondsSinceEpoch)
    }

    /// Binary `timestamptz`: microseconds since 2000-01-01 00:00 UTC (PostgreSQL's epoch), the same
    /// instant, truncated to the microsecond the same way, as the text form.
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.append(int64: postgresMicrosecondsSinceEpoch - PostgresText.postgresEpochMicrosecondsSinceUnixEpoch)
        return .binary
    }

    var postgresMicrosecondsSinceEpoch: Int64 {
        Int64((timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Date {
        guard let bytes else { throw .unexpectedNull }
        switch type {
        case .timestamptz, .timestamp:
            let microseconds = try PostgresText.timestampMicroseconds(bytes)
            return Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
        case .date:
            let days = try PostgresText.dateDays(bytes)
            return Date(timeIntervalSince1970: Double(days) * 86_400)
        default:
            throw .typeMismatch(type)
        }
    }
}

// MARK: - Optionals

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText bytes: UnsafeBufferPointer<UInt8>?, type: PostgresType) throws(PostgresDecodingFailure) -> Wrapped? {
        guard let bytes else { return nil }
        return try Wrapped.decode(postgresText: bytes, type: type)
    }
}

/// A list of optional integers, as `int8[]` with NULL elements (for `unnest` of nullable columns).
public struct PostgresNullableInt64Array: PostgresEncodable, Hashable {
    public var values: [Int64?]
    public init(_ values: [Int64?]) { self.values = values }
    public static var postgresType: PostgresType { .int8Array }
    public var postgresText: String {
        ArrayLiteral.build(values) { literal, value in
            if let value { literal.appendDecimal(value) } else { literal.appendNull() }
        }
    }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.appendArray(values, elementType: .int8, hasNull: values.contains(nil)) { writer, value in
            if let value { writer.appendElement(int64: value) } else { writer.appendNullElement() }
        }
        return .binary
    }
}

/// A list of optional strings, as `text[]` with NULL elements (for `unnest` of nullable columns).
public struct PostgresNullableTextArray: PostgresEncodable, Hashable {
    public var values: [String?]
    public init(_ values: [String?]) { self.values = values }
    public static var postgresType: PostgresType { .textArray }
    public var postgresText: String {
        ArrayLiteral.build(values) { literal, value in
            if let value { literal.appendQuoted(value) } else { literal.appendNull() }
        }
    }
    public func encodePostgres(into writer: inout PostgresWireWriter) -> PostgresFormat {
        writer.appendArray(values, elementType: .text, hasNull: values.contains(nil)) { writer, value in
            if let value { writer.appendElement(utf8: value) } else { writer.appendNullElement() }
        }
        return .binary
    }
}

/// The text of an array parameter (`{1,2,NULL}`, `{"a","b"}`), written element by element into one
/// byte buffer: the ledger's insert sends eight such arrays per entry, and building a string per
/// element and joining them was a visible part of the client's CPU per entry (docs/ledger.md).
struct ArrayLiteral {
    var bytes: [UInt8] = []

    static func build<Element>(_ values: [Element], _ append: (inout ArrayLiteral, Element) -> Void) -> String {
        var literal = ArrayLiteral()
        literal.bytes.reserveCapacity(2 + values.count * 8)
        literal.bytes.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { literal.bytes.append(UInt8(ascii: ",")) }
            append(&literal, value)
        }
        literal.bytes.append(UInt8(ascii: "}"))
        return String(decoding: literal.bytes, as: UTF8.self)
    }

    mutating func appendDecimal(_ value: Int64) {
        var text = String(value)
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func appendNull() {
        bytes.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "U"), UInt8(ascii: "L"), UInt8(ascii: "L")])
    }

    /// An element in double quotes, with quotes and backslashes escaped. Works on UTF-8 bytes: both
    /// are ASCII, never part of a multi-byte sequence. Text without either (nearly all) is copied
    /// whole; no capacity is reserved per element, which would regrow the buffer to the exact size
    /// every time (a copy of everything before it per element).
    mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { text in
            guard !text.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: text)
            return true
        }
        if copied != true {
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
