import COpenSSL
import Glibc

/// One TLS connection on a non-blocking socket.
///
/// Ciphertext from the socket goes through a memory BIO that this transport fills with `recv`, so it knows
/// when the socket is drained (a short `recv`) and the event loop needs no extra read to find out. Ciphertext
/// to the socket goes straight through a socket BIO: `SSL_write` reports a record only once the kernel has
/// it, so nothing is ever left buffered here when the loop considers a response written.
///
/// `SSL_ERROR_WANT_READ` means the socket had no more bytes: the read reports `wouldBlock`. `WANT_WRITE`
/// during a read (a handshake flight or a TLS 1.3 KeyUpdate answer that did not fit the socket) reports
/// `wouldBlock` with `readWaitsForWritable`, and the loop retries when the socket becomes writable.
/// Used only on its event loop's thread.
final class TLSTransport: HTTPTransport {
    private enum Phase {
        case handshaking
        case established
        /// close_notify sent and the write side shut: lingering reads discard raw bytes.
        case writeShutDown
        /// OpenSSL reported a fatal error; SSL_shutdown must not be called.
        case failed
        case closed
    }

    /// Ciphertext received per `recv`: a full TLS record (16 KiB plus header and overhead).
    static let receiveBytes = 16 * 1024 + 512
    /// Ciphertext processed in one `read` without producing application data (handshake messages, KeyUpdates,
    /// empty records) before the peer is considered abusive.
    static let controlBytesPerReadMax = 256 * 1024

    let descriptor: Int32
    private let ssl: OpaquePointer
    /// The memory BIO `recv` fills; owned by `ssl`.
    private let incoming: OpaquePointer
    private var phase = Phase.handshaking
    private var lastReceiveWasShort = false
    private(set) var inputDrained = false
    private(set) var readWaitsForWritable = false
    private(set) var clientCertificate = ClientCertificateStatus.absent

    var isEstablished: Bool { phase != .handshaking }

    init(descriptor: Int32, context: TLSContext) throws {
        ERR_clear_error()
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSConnectionError(operation: "SSL_new", reason: OpenSSLErrorQueue.drain(fallback: "out of memory"))
        }
        guard let incoming = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSConnectionError(operation: "BIO_new", reason: OpenSSLErrorQueue.drain(fallback: "out of memory"))
        }
        guard let outgoing = BIO_new_socket(descriptor, BIO_NOCLOSE) else {
            BIO_free(incoming)
            SSL_free(ssl)
            throw TLSConnectionError(operation: "BIO_new_socket", reason: OpenSSLErrorQueue.drain(fallback: "out of memory"))
        }
        SSL_set_bio(ssl, incoming, outgoing)
        SSL_set_accept_state(ssl)
        self.descriptor = descriptor
        self.ssl = ssl
        self.incoming = incoming
    }

    deinit {
        precondition(phase == .closed, "a TLS transport was dropped without close()")
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportIO {
        precondition(phase != .closed && buffer.count > 0)
        if phase == .writeShutDown || phase == .failed { return try discard(into: buffer) }
        let writePending = readWaitsForWritable
        readWaitsForWritable = false
        var controlBytes = 0
        ERR_clear_error()
        // Nothing buffered and nothing to send: an SSL_read could only ask for ciphertext, so fetch it first.
        if phase == .established && !writePending && SSL_has_pending(ssl) == 0 && BIO_ctrl_pending(incoming) == 0 {
            switch try receive() {
            case .transferred(let received): controlBytes = received
            case let other: return other
            }
        }
        while true {
            errno = 0
            var count = 0
            let result = phase == .handshaking
                ? SSL_do_handshake(ssl) : SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            if result == 1 {
                if phase == .handshaking {
                    finishHandshake()
                    continue
                }
                inputDrained = lastReceiveWasShort && SSL_has_pending(ssl) == 0 && BIO_ctrl_pending(incoming) == 0
                return .transferred(count)
            }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                switch try receive() {
                case .transferred(let received):
                    controlBytes += received
                    guard controlBytes <= Self.controlBytesPerReadMax else {
                        throw fail("read", reason: "more than \(Self.controlBytesPerReadMax) bytes without application data")
                    }
                case let other:
                    return other
                }
            case SSL_ERROR_WANT_WRITE:
                readWaitsForWritable = true
                return .wouldBlock
            case SSL_ERROR_ZERO_RETURN:
                return .endOfStream
            case let error:
                throw fail(phase == .handshaking ? "handshake" : "read", sslError: error)
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> TransportIO {
        precondition(phase == .established && bytes.count > 0, "TLS writes happen after the handshake, before shutdown")
        ERR_clear_error()
        errno = 0
        var written = 0
        let result = SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &written)
        if result == 1 { return .transferred(written) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_WRITE:
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            return .endOfStream
        case let error:
            // WANT_READ cannot happen here: the server never renegotiates or asks for post-handshake
            // authentication, and KeyUpdates are answered on the read side.
            throw fail("write", sslError: error)
        }
    }

    /// Sends close_notify (best effort: a full socket loses it), then shuts the socket's write side.
    func shutdownWrite() {
        precondition(phase != .closed)
        if phase == .established {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            ERR_clear_error()
        }
        if phase != .failed { phase = .writeShutDown }
        Socket.shutdownWrite(descriptor)
    }

    /// Sends close_notify if the connection is healthy and has not sent one (best effort), then frees
    /// everything: the SSL, its BIOs, the socket.
    func close() {
        precondition(phase != .closed, "transport closed twice")
        if phase == .established {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
        }
        phase = .closed
        SSL_free(ssl)
        ERR_clear_error()
        SystemCall.close(descriptor)
    }

    private func finishHandshake() {
        phase = .established
        clientCertificate = ClientCertificateStatus.read(from: ssl)
        Socket.acknowledgeNow(descriptor)
    }

    /// Moves ciphertext from the socket into the SSL's input BIO.
    private func receive() throws -> TransportIO {
        try withUnsafeTemporaryAllocation(byteCount: Self.receiveBytes, alignment: 16) { staging in
            let received = try SystemCall.runNonBlocking("recv") { recv(descriptor, staging.baseAddress, staging.count, 0) }
            guard let received else {
                lastReceiveWasShort = true
                return .wouldBlock
            }
            guard received > 0 else { return .endOfStream }
            lastReceiveWasShort = received < staging.count
            guard BIO_write(incoming, staging.baseAddress, Int32(received)) == Int32(received) else {
                throw fail("BIO_write", reason: OpenSSLErrorQueue.drain(fallback: "out of memory"))
            }
            return .transferred(received)
        }
    }

    /// After shutdown or a failure: raw bytes are read and dropped (lingering only counts them).
    private func discard(into buffer: UnsafeMutableRawBufferPointer) throws -> TransportIO {
        let count = try SystemCall.runNonBlocking("recv") { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
        guard let count else { return .wouldBlock }
        return count == 0 ? .endOfStream : .transferred(count)
    }

    /// Marks the connection failed and describes the failure; a socket error is reported as what it is.
    private func fail(_ operation: String, sslError: Int32) -> any Error {
        let code = errno
        phase = .failed
        if sslError == SSL_ERROR_SYSCALL && code != 0 {
            ERR_clear_error()
            return SystemCallError(call: "SSL_\(operation)", errno: code)
        }
        return TLSConnectionError(operation: operation, reason: OpenSSLErrorQueue.drain(fallback: "SSL error \(sslError)"))
    }

    private func fail(_ operation: String, reason: String) -> any Error {
        phase = .failed
        ERR_clear_error()
        return TLSConnectionError(operation: operation, reason: reason)
    }
}
