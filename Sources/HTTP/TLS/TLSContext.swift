import COpenSSL

/// A configured OpenSSL server context (`SSL_CTX`), immutable once built.
///
/// `@unchecked Sendable`: after `init` nothing modifies the context, and OpenSSL lets many threads create
/// connections (`SSL_new`) from one unmodified context. Every `SSL_new` takes its own reference, so a connection
/// keeps its context alive after a reload has replaced it here.
final class TLSContext: @unchecked Sendable {
    /// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only. TLS 1.3 keeps OpenSSL's defaults (all AEAD).
    static let tls12CipherList = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")
    static let groupList = "X25519:P-256:P-384"
    /// Distinguishes this server's sessions; required by OpenSSL when verifying peers, even with resumption off.
    static let sessionIDContext = Array("tuition-http".utf8)

    let pointer: OpaquePointer
    /// Whether handshakes ask for a client certificate (a client CA is configured).
    let requestsClientCertificate: Bool

    init(_ configuration: TLSConfiguration) throws(TLSConfigurationError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSConfigurationError(file: nil, reason: "SSL_CTX_new failed: \(OpenSSLErrorQueue.drain(fallback: "no reason"))")
        }
        do {
            try Self.applyPolicy(context)
            try Self.loadIdentity(context, configuration)
            if let clientCAFile = configuration.clientCAFile {
                try Self.loadClientCA(context, file: clientCAFile, chainLengthMax: configuration.clientCertificateChainLengthMax)
            }
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        ERR_clear_error()
        pointer = context
        requestsClientCertificate = configuration.clientCAFile != nil
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// Protocol versions, suites and options: TLS 1.2+, server preference, no compression, no renegotiation,
    /// no resumption (no tickets, no session cache: every connection verifies its client certificate afresh
    /// against the context it was accepted with), ALPN `http/1.1`.
    private static func applyPolicy(_ context: OpaquePointer) throws(TLSConfigurationError) {
        try check(tuition_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1, "cannot require TLS 1.2")
        _ = SSL_CTX_set_options(
            context, TUITION_SSL_OP_NO_COMPRESSION | TUITION_SSL_OP_CIPHER_SERVER_PREFERENCE
                | TUITION_SSL_OP_NO_RENEGOTIATION | TUITION_SSL_OP_NO_TICKET)
        try check(SSL_CTX_set_num_tickets(context, 0) == 1, "cannot turn session tickets off")
        _ = tuition_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        // Partial writes: SSL_write reports each record sent, so a large response makes progress on a full socket.
        // Released buffers: an idle connection does not keep OpenSSL's two 17 KiB record buffers (measured: no
        // CPU cost per request, 15 KB less per idle connection).
        _ = tuition_SSL_CTX_set_mode(
            context,
            Int(SSL_MODE_ENABLE_PARTIAL_WRITE) | Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) | Int(SSL_MODE_RELEASE_BUFFERS))
        try check(SSL_CTX_set_cipher_list(context, tls12CipherList) == 1, "cannot set the TLS 1.2 cipher suites")
        try check(tuition_SSL_CTX_set1_groups_list(context, groupList) == 1, "cannot set the key exchange groups")
        try check(sessionIDContext.withUnsafeBufferPointer {
            SSL_CTX_set_session_id_context(context, $0.baseAddress, UInt32($0.count)) == 1
        }, "cannot set the session id context")
        tuition_SSL_CTX_select_alpn_http11(context)
    }

    private static func loadIdentity(_ context: OpaquePointer, _ configuration: TLSConfiguration) throws(TLSConfigurationError) {
        let chain = configuration.certificateChainFile
        let key = configuration.privateKeyFile
        try check(SSL_CTX_use_certificate_chain_file(context, chain) == 1, "cannot load the certificate chain", file: chain)
        try check(SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1, "cannot load the private key", file: key)
        try check(SSL_CTX_check_private_key(context) == 1, "the private key does not match the certificate", file: key)
    }

    /// Trust `file` for client certificates, name its CAs in the certificate request, and ask every client for
    /// a certificate without requiring one (see `tuition_verify_record_failure` in the OpenSSL shim).
    private static func loadClientCA(_ context: OpaquePointer, file: String, chainLengthMax: Int) throws(TLSConfigurationError) {
        try check(SSL_CTX_load_verify_locations(context, file, nil) == 1, "cannot load the client CA certificates", file: file)
        guard let names = SSL_load_client_CA_file(file) else {
            throw TLSConfigurationError(file: file, reason: "no CA certificate found: \(OpenSSLErrorQueue.drain(fallback: "empty file"))")
        }
        SSL_CTX_set_client_CA_list(context, names)
        tuition_SSL_CTX_request_client_certificate(context)
        // OpenSSL's depth counts intermediates only: depth d allows d + 2 certificates with the leaf and the root.
        SSL_CTX_set_verify_depth(context, Int32(chainLengthMax - 2))
    }

    private static func check(_ succeeded: Bool, _ what: String, file: String? = nil) throws(TLSConfigurationError) {
        guard !succeeded else { return }
        throw TLSConfigurationError(file: file, reason: "\(what): \(OpenSSLErrorQueue.drain(fallback: "no reason given"))")
    }
}
