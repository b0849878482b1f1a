import Core

/// A payment callback as the HTTP layer received it: nothing trusted, nothing interpreted yet.
public struct CallbackRequest: Sendable {
    /// Upper-case HTTP method, `GET` or `POST` for the providers described here.
    public var method: String
    /// Decoded query parameters in the order they arrived.
    public var query: [QueryParameter]
    public var headers: [CallbackHeader]
    /// The raw body bytes exactly as received: signatures are computed over them.
    public var body: [UInt8]

    public init(method: String, query: [QueryParameter] = [], headers: [CallbackHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// A request whose query is still the raw text after `?`.
    public init(method: String, rawQuery: String, headers: [CallbackHeader] = [], body: [UInt8] = []) throws(FormDecodingError) {
        self.init(method: method, query: try FormURLEncoding.parseQuery(rawQuery), headers: headers, body: body)
    }

    /// Values of every header named `name` (ASCII case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { TextFastPaths.equalIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Values of every query parameter named exactly `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }
}

public struct CallbackHeader: Equatable, Sendable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One shared secret of a bank connection: an HMAC key, a checksum key or an API key.
///
/// Its text never appears in descriptions, errors or logs.
public struct CallbackSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let bytes: [UInt8]

    /// The UTF-8 bytes of `text`, as every provider uses its key string; `nil` when empty or absurdly long,
    /// because an empty HMAC key would let anyone sign.
    public init?(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    public init?(bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.count <= CallbackSecret.bytesMax else { return nil }
        self.bytes = bytes
    }

    public static let bytesMax = 1024

    public var description: String { "CallbackSecret(\(bytes.count) bytes, redacted)" }
    public var debugDescription: String { description }
}

/// What a bank connection holds for verifying its callbacks.
public struct CallbackCredentials: Sendable {
    /// Candidates tried in order; two are active during a rotation. At most `CallbackLimits.secretCountMax`.
    public var secrets: [CallbackSecret]
    /// Per-provider values that take part in a signature but are not secret, e.g. MoMo's `accessKey`.
    public var parameters: [String: String]

    public init(secrets: [CallbackSecret], parameters: [String: String] = [:]) {
        self.secrets = secrets
        self.parameters = parameters
    }
}
