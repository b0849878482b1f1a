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
/// This is the seam for TLS: a TLS transport wraps the socket, runs the handshake inside its first reads and
/// writes, and returns decrypted bytes. A transport that buffers decrypted bytes internally must return them
/// all before reporting `wouldBlock` (the loop waits for socket readiness only after `wouldBlock`).
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
    /// Whether a read that fills less than the buffer proves the socket has no more bytes now. True for TCP
    /// (a read takes everything queued); a TLS transport returning one record per read must say false, and
    /// the loop then reads until `wouldBlock`.
    var shortReadMeansDrained: Bool { get }
}

extension HTTPTransport {
    public var shortReadMeansDrained: Bool { false }
}

/// Makes a transport for each accepted socket (already non-blocking). Called on event-loop threads.
public protocol HTTPTransportFactory: Sendable {
    func makeTransport(acceptedDescriptor: Int32) throws -> any HTTPTransport
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
    var shortReadMeansDrained: Bool { true }
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
