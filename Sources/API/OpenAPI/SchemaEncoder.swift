import Foundation

/// Derives a JSON Schema from an example value by encoding it with an `Encoder` that records
/// structure instead of bytes. Properties written with `encode` are required; properties written
/// with `encodeIfPresent` (synthesised for optionals) are optional and nullable. Key names go
/// through the same snake_case conversion the API's JSON encoder uses.
enum SchemaEncoder {
    static func schema<Value: Encodable>(of value: Value) -> JSONSchema {
        if let describing = Value.self as? any SchemaDescribing.Type { return describing.jsonSchema }
        let node = Node()
        do {
            try value.encode(to: RecordingEncoder(node: node, codingPath: []))
        } catch {
            preconditionFailure("example of \(Value.self) failed to encode: \(error)")
        }
        return node.schema
    }

    /// What one encoded value turned out to be.
    final class Node {
        var kind: Kind = .empty
        enum Kind {
            case empty
            case leaf(JSONSchema)
            case keyed([(name: String, node: Node, optional: Bool)])
            case unkeyed([Node])
        }

        var schema: JSONSchema {
            switch kind {
            case .empty: return .any
            case .leaf(let schema): return schema
            case .keyed(let fields):
                return .object(properties: fields.map { ($0.name, $0.optional ? .nullable($0.node.schema) : $0.node.schema) },
                               required: fields.filter { !$0.optional }.map(\.name))
            case .unkeyed(let items): return .array(items.first?.schema ?? .any)
            }
        }
    }

    static func snakeCase(_ key: String) -> String {
        var output = ""
        for character in key {
            if character.isUppercase {
                if !output.isEmpty { output.append("_") }
                output += character.lowercased()
            } else {
                output.append(character)
            }
        }
        return output
    }

    static func leafSchema<T: Encodable>(_ value: T) -> JSONSchema? {
        if let describing = T.self as? any SchemaDescribing.Type { return describing.jsonSchema }
        switch value {
        case is String: return .string()
        case is Bool: return .boolean
        case is Int, is Int64, is Int32, is UInt8, is UInt32, is UInt64: return .integer
        case is Date: return .string(format: "date-time")
        default: return nil
        }
    }

    struct RecordingEncoder: Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .keyed = node.kind {} else { node.kind = .keyed([]) }
            return KeyedEncodingContainer(KeyedRecorder<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .unkeyed = node.kind {} else { node.kind = .unkeyed([]) }
            return UnkeyedRecorder(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            SingleRecorder(node: node, codingPath: codingPath)
        }
    }

    static func record<T: Encodable>(_ value: T, into node: Node, codingPath: [any CodingKey]) throws {
        if let leaf = leafSchema(value) {
            node.kind = .leaf(leaf)
        } else {
            try value.encode(to: RecordingEncoder(node: node, codingPath: codingPath))
        }
    }

    struct KeyedRecorder<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey]

        private func add(_ key: Key, optional: Bool) -> Node {
            let child = Node()
            guard case .keyed(var fields) = node.kind else { preconditionFailure("keyed recorder on a non-keyed node") }
            fields.append((SchemaEncoder.snakeCase(key.stringValue), child, optional))
            node.kind = .keyed(fields)
            return child
        }

        mutating func encodeNil(forKey key: Key) throws { add(key, optional: true).kind = .leaf(.any) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try SchemaEncoder.record(value, into: add(key, optional: false), codingPath: codingPath + [key])
        }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            let child = add(key, optional: true)
            if let value { try SchemaEncoder.record(value, into: child, codingPath: codingPath + [key]) }
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { add(key, optional: true).kind = .leaf(.string()) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { add(key, optional: true).kind = .leaf(.integer) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { add(key, optional: true).kind = .leaf(.integer) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { add(key, optional: true).kind = .leaf(.boolean) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = add(key, optional: false)
            return RecordingEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            RecordingEncoder(node: add(key, optional: false), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { RecordingEncoder(node: node, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { RecordingEncoder(node: add(key, optional: false), codingPath: codingPath) }
    }

    struct UnkeyedRecorder: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        var count: Int {
            if case .unkeyed(let items) = node.kind { return items.count }
            return 0
        }

        private func add() -> Node {
            let child = Node()
            guard case .unkeyed(var items) = node.kind else { preconditionFailure("unkeyed recorder on a keyed node") }
            items.append(child)
            node.kind = .unkeyed(items)
            return child
        }

        mutating func encodeNil() throws { add().kind = .leaf(.any) }
        mutating func encode<T: Encodable>(_ value: T) throws { try SchemaEncoder.record(value, into: add(), codingPath: codingPath) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            RecordingEncoder(node: add(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            RecordingEncoder(node: add(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { RecordingEncoder(node: add(), codingPath: codingPath) }
    }

    struct SingleRecorder: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey]
        mutating func encodeNil() throws { node.kind = .leaf(.any) }
        mutating func encode<T: Encodable>(_ value: T) throws { try SchemaEncoder.record(value, into: node, codingPath: codingPath) }
    }
}
