import Foundation
import Glibc
@testable import HTTP

struct ParsedResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var raw: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
}

/// A client that reads raw bytes; `pending` holds bytes read past the last response.
protocol ResponseReading: AnyObject {
    var pending: [UInt8] { get set }
    /// Reads some bytes (returning `pending` first); empty on EOF; throws on timeout or error.
    func readSome() throws -> [UInt8]
}

extension ResponseReading {
    /// Reads one response framed by Content-Length (or without a body for 1xx/204/304/HEAD when `headRequest`).
    func readResponse(headRequest: Bool = false) throws -> ParsedResponse {
        var data: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            let chunk = try readSome()
            if chunk.isEmpty { throw ClientError(description: "connection closed before a response head (\(data.count) bytes)") }
            data += chunk
            headEnd = Self.find([13, 10, 13, 10], in: data).map { $0 + 4 }
        }
        let head = String(decoding: data[0..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst()
        let status = Int(statusLine.split(separator: " ")[1])!
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headRequest || status < 200 || status == 204 || status == 304
            ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0")!
        while data.count < headEnd! + length {
            let chunk = try readSome()
            if chunk.isEmpty { throw ClientError(description: "connection closed inside a body") }
            data += chunk
        }
        let end = headEnd! + length
        pending = Array(data[end...])
        return ParsedResponse(status: status, headers: headers, body: Array(data[headEnd!..<end]), raw: Array(data[0..<end]))
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

/// A blocking TCP client that sends raw bytes and reads raw responses, for tests on the wire format.
final class RawClient: ResponseReading {
    let descriptor: Int32
    var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port` (from `sourceAddress`, another loopback address, when given: a distinct
    /// client to the per-address limits); reads time out after `readTimeoutSeconds`.
    init(port: Int, readTimeoutSeconds: Double = 5, receiveBufferBytes: Int32? = nil, sourceAddress: String? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError(description: "socket failed") }
        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                Glibc.close(descriptor)
                throw ClientError(description: "bind to \(sourceAddress) failed")
            }
        }
        if var bytes = receiveBufferBytes {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: Int(readTimeoutSeconds), tv_usec: Int(readTimeoutSeconds.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw ClientError(description: "connect failed: errno \(code)")
        }
    }

    deinit {
        Glibc.close(descriptor)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads some bytes; empty on EOF; throws on timeout or error.
    func readSome() throws -> [UInt8] {
        if !pending.isEmpty {
            defer { pending.removeAll() }
            return pending
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw ClientError(description: errno == EAGAIN ? "read timed out" : "read failed: errno \(errno)") }
        return Array(buffer[0..<count])
    }

    /// Reads until the peer closes; returns everything read.
    func readToEnd() throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let chunk = try readSome()
            if chunk.isEmpty { return all }
            all += chunk
        }
    }

    /// True when the peer closed (EOF or reset) without sending anything more.
    func peerClosed() -> Bool {
        guard let chunk = try? readSome() else { return errno == ECONNRESET }
        return chunk.isEmpty
    }
}
