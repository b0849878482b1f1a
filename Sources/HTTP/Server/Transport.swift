import Glibc

/// The result of one transport read or write.
public enum TransportIO: Sendable, Equatable {
    case transferred(Int)
    /// Nothing can move now; the event loop waits for the socket (both directions are watched, so a TLS
    /// transport that must write while reading is woken either way).
    case wouldBlock
    /// The peer closed its sending side.
    case endOfStream
}

/// The byte stream of one accepted connection, as the event loop sees it: non-blocking reads and writes.
///
/// Plain TCP and TLS implement it. A TLS transport runs the handshake inside its first reads and returns
/// decrypted bytes. A transport that buffers input internally must say so through `inputDrained` (the loop
/// waits for socket readiness only once that is true or a read reported `wouldBlock`).
/// Used only on the connection's event-loop thread.
public protocol HTTPTransport: AnyObject {
    /// The socket, for readiness notification.
    var descriptor: Int32 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportIO
    func write(_ bytes: UnsafeRawBufferPointer) throws -> TransportIO
    /// Ends the sending side (TLS: sends close_notify first); reading may continue.
    func shutdownWrite()
    /// Releases the socket. Called exactly once.
    func close()
    /// After a read that transferred bytes: whether neither the socket nor the transport holds more input now
    /// (TCP: the read filled less than the buffer). While false, the loop reads again until `wouldBlock`.
    var inputDrained: Bool { get }
    /// After a read that reported `wouldBlock`: whether it waits for the socket to become writable rather than
    /// readable (TLS: a handshake message or a KeyUpdate answer did not fit the socket).
    var readWaitsForWritable: Bool { get }
    /// False while a handshake runs: the loop applies the handshake deadline, and no request has started.
    var isEstablished: Bool { get }
    /// What the handshake established about the client's certificate (`.absent` for plain TCP).
    var clientCertificate: ClientCertificateStatus { get }
}

extension HTTPTransport {
    public var inputDrained: Bool { false }
    public var readWaitsForWritable: Bool { false }
    public var isEstablished: Bool { true }
    public var clientCertificate: ClientCertificateStatus { .absent }
}

/// Makes a transport for each accepted socket (already non-blocking). Called on event-loop threads.
public protocol HTTPTransportFactory: Sendable {
    func makeTransport(acceptedDescriptor: Int32) throws -> any HTTPTransport
    /// Whether accepted sockets speak plain HTTP, so that a connection over the cap can be answered with a raw
    /// 503 before any transport exists. TLS: false, such connections are closed without a word.
    var speaksPlainHTTP: Bool { get }
}

extension HTTPTransportFactory {
    public var speaksPlainHTTP: Bool { true }
}

/// Plain TCP.
public struct PlainTCPTransportFactory: HTTPTransportFactory {
    public init() {}

    public func makeTransport(acceptedDescriptor: Int32) throws -> any HTTPTransport {
        PlainTCPTransport(descriptor: acceptedDescriptor)
    }
}

final class PlainTCPTransport: HTTPTransport {
    let descriptor: Int32
    private(set) var inputDrained = false
    private var closed = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        precondition(closed, "a transport was dropped without close()")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportIO {
        precondition(!closed && buffer.count > 0)
        let count = try SystemCall.runNonBlocking("recv") { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
        guard let count else { return .wouldBlock }
        // A read takes everything queued, so a short one proves the socket drained.
        inputDrained = count < buffer.count
        return count == 0 ? .endOfStream : .transferred(count)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> TransportIO {
        precondition(!closed && bytes.count > 0)
        // MSG_NOSIGNAL: a peer that went away is an EPIPE error here, not a SIGPIPE for the process.
        let count = try SystemCall.runNonBlocking("send") {
            send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
        guard let count else { return .wouldBlock }
        return .transferred(count)
    }

    func shutdownWrite() {
        Socket.shutdownWrite(descriptor)
    }

    func close() {
        precondition(!closed, "transport closed twice")
        closed = true
        SystemCall.close(descriptor)
    }
}
