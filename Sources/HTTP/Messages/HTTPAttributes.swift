/// A key into `HTTPAttributes`: the key type fixes the value type, so reads need no casts at the call site.
///
///     enum CallerKey: HTTPAttributeKey { typealias Value = Caller }
///     request.attributes[CallerKey.self] = caller
public protocol HTTPAttributeKey {
    associatedtype Value: Sendable
}

/// A small typed store. Requests carry one for what layers above HTTP attach (the verified caller);
/// routes carry one for metadata the API layer declares (allowed roles, an OpenAPI operation id).
public struct HTTPAttributes: Sendable {
    private var storage: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: HTTPAttributeKey>(key: Key.Type) -> Key.Value? {
        get {
            guard let value = storage[ObjectIdentifier(key)] else { return nil }
            guard let typed = value as? Key.Value else { preconditionFailure("attribute stored with a foreign type") }
            return typed
        }
        set { storage[ObjectIdentifier(key)] = newValue }
    }

    public var isEmpty: Bool { storage.isEmpty }
}
