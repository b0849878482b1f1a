import CSystem
import Glibc

/// A configuration error found while opening the listening socket.
public struct ListenAddressError: Error, CustomStringConvertible, Sendable {
    public let host: String
    public var description: String { "listen host '\(host)' is not a numeric IPv4 or IPv6 address" }
}

/// TCP sockets: the listener and accepted connections. Hosts are numeric (no DNS at startup).
enum Socket {
    struct Accepted {
        var descriptor: Int32
        var peer: String
    }

    /// Opens, binds and listens; returns the descriptor and the bound port (useful when `port` is 0).
    static func listen(host: String, port: Int, backlog: Int) throws -> (descriptor: Int32, port: Int) {
        precondition((0...65_535).contains(port), "port out of range")
        var storage = sockaddr_storage()
        let length = try fillAddress(&storage, host: host, port: port)
        let family = Int32(storage.ss_family)
        let descriptor = try SystemCall.run("socket") {
            socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
            _ = try SystemCall.run("bind") {
                withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
                }
            }
            _ = try SystemCall.run("listen") { Glibc.listen(descriptor, Int32(backlog)) }
            return (descriptor, try boundPort(descriptor))
        } catch {
            SystemCall.close(descriptor)
            throw error
        }
    }

    /// Accepts one pending connection, non-blocking; `nil` when none is pending.
    static func accept(_ listener: Int32) throws(SystemCallError) -> Accepted? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let accepted = try SystemCall.runNonBlocking("accept4") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { tuition_accept4(listener, $0, &length, flags) }
            }
        }
        guard let descriptor = accepted else { return nil }
        return Accepted(descriptor: descriptor, peer: describe(storage))
    }

    static func setNoDelay(_ descriptor: Int32) throws(SystemCallError) {
        try setOption(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Sends a delayed acknowledgement now (best effort). After a TLS 1.3 handshake the server has nothing to
    /// send, so the client's Finished would wait for the delayed ACK (40 ms on Linux), and a client with Nagle's
    /// algorithm on holds its first request back until that ACK.
    static func acknowledgeNow(_ descriptor: Int32) {
        _ = try? setOption(descriptor, Int32(IPPROTO_TCP), TCP_QUICKACK, 1)
    }

    static func shutdownWrite(_ descriptor: Int32) {
        // ENOTCONN (the peer is already gone) is expected here and harmless.
        _ = try? SystemCall.run("shutdown") { Glibc.shutdown(descriptor, Int32(SHUT_WR)) }
    }

    private static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemCallError) {
        var value = value
        _ = try SystemCall.run("setsockopt") {
            setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    private static func boundPort(_ descriptor: Int32) throws(SystemCallError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try SystemCall.run("getsockname") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
        }
        return port(of: storage)
    }

    private static func fillAddress(_ storage: inout sockaddr_storage, host: String, port: Int) throws -> socklen_t {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: v4) { target.copyMemory(from: $0) }
            }
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: v6) { target.copyMemory(from: $0) }
            }
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        throw ListenAddressError(host: host)
    }

    private static func port(of storage: sockaddr_storage) -> Int {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port)) }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { Int(UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port)) }
        default:
            return 0
        }
    }

    /// "192.0.2.1:5123" or "[2001:db8::1]:5123".
    static func describe(_ storage: sockaddr_storage) -> String {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let written: Bool = withUnsafeBytes(of: &storage) { raw in
            switch family {
            case AF_INET:
                var address = raw.load(as: sockaddr_in.self).sin_addr
                return inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
            case AF_INET6:
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil
            default:
                return false
            }
        }
        guard written else { return "unknown" }
        let address = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let port = port(of: storage)
        return family == AF_INET6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
