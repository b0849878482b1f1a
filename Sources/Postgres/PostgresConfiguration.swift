/// Where and how to connect, as libpq keyword/value pairs.
///
/// Built from a `postgres://` or `postgresql://` URL by `init(url:)`; the pairs go to
/// `PQconnectdbParams` as arrays, never as a conninfo string built by interpolation.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public private(set) var parameters: [(key: String, value: String)]

    public static let connectTimeoutSecondsDefault = 5
    /// Query keys a URL may carry; anything else is refused so a typo is not silently ignored.
    public static let allowedQueryKeys: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "password", "sslmode", "sslrootcert", "sslcert", "sslkey",
        "sslcrl", "connect_timeout", "application_name", "target_session_attrs", "keepalives", "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout", "channel_binding", "gssencmode",
    ]

    public init(parameters: [(key: String, value: String)]) {
        self.parameters = parameters
    }

    /// Parses `postgres[ql]://[user[:password]@][host][:port][/dbname][?key=value&...]`.
    /// Hosts and values are percent-decoded; a host starting with `/` is a unix-socket directory.
    public init(url: String) throws(PostgresError) {
        var rest = Substring(url)
        if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else {
            throw PostgresConfiguration.invalid("the database URL must start with postgres:// or postgresql://")
        }
        var parameters: [(key: String, value: String)] = []
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if !parts[0].isEmpty { parameters.append(("user", try PostgresConfiguration.percentDecoded(parts[0]))) }
            if parts.count == 2 { parameters.append(("password", try PostgresConfiguration.percentDecoded(parts[1]))) }
        }
        try PostgresConfiguration.appendHostAndPort(rest, to: &parameters)
        if !path.isEmpty { parameters.append(("dbname", try PostgresConfiguration.percentDecoded(path))) }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try PostgresConfiguration.percentDecoded(parts[0])
            guard PostgresConfiguration.allowedQueryKeys.contains(key) else {
                throw PostgresConfiguration.invalid("the database URL has an unknown parameter '\(key)'")
            }
            let value = parts.count == 2 ? try PostgresConfiguration.percentDecoded(parts[1]) : ""
            parameters.removeAll { $0.key == key }
            parameters.append((key, value))
        }
        self.parameters = parameters
    }

    /// Adds a parameter unless the URL already set it.
    public mutating func setDefault(_ key: String, _ value: String) {
        if !parameters.contains(where: { $0.key == key }) { parameters.append((key, value)) }
    }

    /// Sets a parameter, replacing any earlier value.
    public mutating func set(_ key: String, _ value: String) {
        parameters.removeAll { $0.key == key }
        parameters.append((key, value))
    }

    public func value(_ key: String) -> String? {
        parameters.last { $0.key == key }?.value
    }

    /// The parameters with the password masked, for logs and `config check`.
    public var description: String {
        parameters.map { "\($0.key)=\($0.key == "password" ? "******" : $0.value)" }.joined(separator: " ")
    }

    private static func appendHostAndPort(_ hostPort: Substring, to parameters: inout [(key: String, value: String)]) throws(PostgresError) {
        guard !hostPort.isEmpty else { return }
        var host = hostPort
        var port: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("the database URL has an unclosed IPv6 host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty { throw invalid("the database URL host is malformed") }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            port = hostPort[hostPort.index(after: colon)...]
        }
        if !host.isEmpty { parameters.append(("host", try percentDecoded(host))) }
        if let port {
            guard let number = Int(port), (1...65_535).contains(number) else { throw invalid("the database URL port is not a number from 1 to 65535") }
            parameters.append(("port", String(number)))
        }
    }

    static func percentDecoded(_ text: Substring) throws(PostgresError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(PostgresText.hexValue), let low = iterator.next().flatMap(PostgresText.hexValue) else {
                    throw invalid("the database URL has a malformed percent escape")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw invalid("the database URL is not valid UTF-8") }
        return decoded
    }

    static func invalid(_ message: String) -> PostgresError {
        var error = PostgresError(code: .configuration)
        error.context = message
        return error
    }
}
