/// A request method: a case-sensitive token (RFC 9110 §9.1).
public struct HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// `rawValue` must be a token; methods from the wire are checked by the parser.
    public init(_ rawValue: String) {
        precondition(!rawValue.isEmpty && rawValue.utf8.allSatisfy(ByteClass.isToken), "method must be a token")
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(known: "GET")
    public static let head = HTTPMethod(known: "HEAD")
    public static let post = HTTPMethod(known: "POST")
    public static let put = HTTPMethod(known: "PUT")
    public static let patch = HTTPMethod(known: "PATCH")
    public static let delete = HTTPMethod(known: "DELETE")
    public static let options = HTTPMethod(known: "OPTIONS")

    static let known: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options]

    public var description: String { rawValue }

    /// Builds a method from validated token bytes, without allocating for the common methods.
    static func fromToken(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        for method in known where method.rawValue.utf8.elementsEqual(bytes) {
            return method
        }
        return HTTPMethod(known: String(decoding: bytes, as: UTF8.self))
    }
}

/// The protocol versions this server speaks.
public enum HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    case http1_0
    case http1_1

    public var description: String {
        switch self {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        }
    }
}
