import COpenSSL
import Foundation
import Glibc

/// A blocking TLS client on a `RawClient` socket, built on OpenSSL directly so tests control the protocol
/// version, the client certificate and TLS 1.3 key updates.
final class TLSClient: ResponseReading {
    struct Identity {
        var certificateFile: String
        var keyFile: String
    }

    let socket: RawClient
    var pending: [UInt8] = []
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Connects and completes the handshake, verifying the server against `caFile` for host `localhost`.
    /// `version` pins the protocol (e.g. `TLS1_2_VERSION`); `alpn` is offered as given.
    init(port: Int, caFile: String, identity: Identity? = nil, version: Int32? = nil, alpn: [String] = ["http/1.1"],
         readTimeoutSeconds: Double = 5, receiveBufferBytes: Int32? = nil) throws {
        socket = try RawClient(port: port, readTimeoutSeconds: readTimeoutSeconds, receiveBufferBytes: receiveBufferBytes)
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw ClientError(description: "SSL_CTX_new failed") }
        self.context = context
        // SSL_new copies the context's settings: configure it first.
        guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
            SSL_CTX_free(context)
            throw ClientError(description: "bad CA file")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let version {
            _ = tuition_SSL_CTX_set_min_proto_version(context, version)
            _ = tuition_SSL_CTX_set_max_proto_version(context, version)
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw ClientError(description: "SSL_new failed")
        }
        self.ssl = ssl
        try configure(identity: identity, alpn: alpn)
        SSL_set_fd(ssl, socket.descriptor)
        guard SSL_connect(ssl) == 1 else { throw ClientError(description: "handshake failed: \(Self.errors())") }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    private func configure(identity: Identity?, alpn: [String]) throws {
        if let identity {
            guard SSL_use_certificate_chain_file(ssl, identity.certificateFile) == 1,
                  SSL_use_PrivateKey_file(ssl, identity.keyFile, SSL_FILETYPE_PEM) == 1 else {
                throw ClientError(description: "bad client identity: \(Self.errors())")
            }
        }
        guard SSL_set1_host(ssl, "localhost") == 1 else { throw ClientError(description: "SSL_set1_host failed") }
        var wire: [UInt8] = []
        for name in alpn { wire += [UInt8(name.utf8.count)] + Array(name.utf8) }
        if !wire.isEmpty { _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count)) }
    }

    /// The negotiated protocol version, e.g. `TLSv1.3`.
    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }
    var cipher: String { String(cString: SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))) }

    var selectedALPN: String {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// SHA-256 of the server's certificate, lower-case hex.
    var serverFingerprint: String {
        guard let certificate = SSL_get0_peer_certificate(ssl) else { return "" }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = X509_digest(certificate, EVP_sha256(), &digest, &length)
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            var written = 0
            let result = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress! + offset, bytes.count - offset, &written) }
            guard result == 1 else { throw ClientError(description: "SSL_write failed: \(Self.errors())") }
            offset += written
        }
    }

    func readSome() throws -> [UInt8] {
        if !pending.isEmpty {
            defer { pending.removeAll() }
            return pending
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var count = 0
        let result = buffer.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }
        if result == 1 { return Array(buffer[0..<count]) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_ZERO_RETURN: return []
        case SSL_ERROR_SYSCALL where errno == 0 || errno == ECONNRESET: return []
        case SSL_ERROR_WANT_READ: throw ClientError(description: "read timed out")
        default:
            // OpenSSL 3 reports a close without close_notify as an error; for these tests it is an end.
            let reason = Self.errors()
            if reason.contains("unexpected eof") { return [] }
            throw ClientError(description: "SSL_read failed: \(reason)")
        }
    }

    /// True when the server ended the connection (close_notify, EOF or reset) without sending more data.
    func peerClosed() -> Bool {
        guard let chunk = try? readSome() else { return false }
        return chunk.isEmpty
    }

    /// Sends a TLS 1.3 KeyUpdate asking the server to update its keys too (sent with the next write).
    func requestKeyUpdate() -> Bool {
        SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) == 1
    }

    /// Asks for a TLS 1.2 renegotiation; true if the server went along with it.
    func renegotiate() -> Bool {
        SSL_renegotiate(ssl) == 1 && SSL_do_handshake(ssl) == 1
    }

    private static func errors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return reasons.isEmpty ? "no OpenSSL error" : reasons.joined(separator: "; ")
    }
}
