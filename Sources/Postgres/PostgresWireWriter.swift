/// How a parameter value travels to the server (libpq's `paramFormats`).
public enum PostgresFormat: Int32, Sendable {
    /// The type's text input form, NUL-terminated (libpq reads text values up to their NUL).
    case text = 0
    /// The type's binary receive form (`int8recv`, `array_recv`, ...), its length given apart.
    case binary = 1
}

/// The bytes of a statement's parameter values as they go on the wire, written by each value's
/// `PostgresEncodable.encodePostgres(into:)` into one buffer the connection reuses.
///
/// Binary forms are big-endian, as PostgreSQL's `pq_sendint*` write them. Lengths inside an
/// array (element lengths, element count) are written as 32-bit fields without a check here: the
/// connection refuses any value longer than `PostgresParameter.valueBytesMax` (far below 2 GiB)
/// before sending it, so a truncated length never reaches the server.
public struct PostgresWireWriter {
    public internal(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func append(int64 value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(int32 value: Int32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(int16 value: Int16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(byte value: UInt8) {
        bytes.append(value)
    }

    public mutating func append(bytes values: [UInt8]) {
        bytes.append(contentsOf: values)
    }

    /// A string's UTF-8 bytes, copied whole (a native Swift string is contiguous UTF-8 already).
    public mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    // MARK: Arrays (array_send's layout)

    /// A one-dimensional array in `array_recv`'s layout: the number of dimensions (0 for an empty
    /// array, which has no dimension entries), a has-NULL flag, the element type's OID, then per
    /// dimension its length and lower bound (1), then the elements, each a 32-bit length (-1 for
    /// NULL) and that many bytes. `appendElement` writes one element with its length prefix.
    mutating func appendArray<Element>(_ values: [Element], elementType: PostgresType, hasNull: Bool,
                                       _ appendElement: (inout PostgresWireWriter, Element) -> Void) {
        append(int32: values.isEmpty ? 0 : 1)
        append(int32: hasNull ? 1 : 0)
        append(int32: Int32(bitPattern: elementType.rawValue))
        guard !values.isEmpty else { return }
        append(int32: Int32(truncatingIfNeeded: values.count))
        append(int32: 1)
        for value in values { appendElement(&self, value) }
    }

    mutating func appendElement(int64 value: Int64) {
        append(int32: 8)
        append(int64: value)
    }

    mutating func appendElement(utf8 text: String) {
        append(int32: Int32(truncatingIfNeeded: text.utf8.count))
        append(utf8: text)
    }

    mutating func appendNullElement() {
        append(int32: -1)
    }
}
