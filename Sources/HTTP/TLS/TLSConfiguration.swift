/// TLS for the server (OpenSSL 3): TLS 1.2 and 1.3 only, modern cipher suites, ALPN `http/1.1`.
///
/// Files are read when the server starts and again on `HTTPServer.reloadCertificates()` (or SIGHUP after
/// `installSignalHandlers()`); open connections keep the certificates they started with.
public struct TLSConfiguration: Sendable, Equatable {
    /// PEM: the server certificate first, then the intermediates a client needs to reach its root.
    public var certificateChainFile: String
    /// PEM, unencrypted: the private key of the server certificate.
    public var privateKeyFile: String
    /// PEM: the CA certificates trusted to issue client certificates. When set, every handshake asks for a
    /// client certificate (without requiring one); nil asks for none.
    public var clientCAFile: String?
    /// From accept to a finished handshake; a slower client is disconnected without a response. The request
    /// deadlines of `HTTPServerConfiguration` start when the handshake has finished.
    public var handshakeTimeoutSeconds: Double = 10
    /// Longest client certificate chain verified, counting the client certificate, intermediates and the root.
    public var clientCertificateChainLengthMax: Int = 4

    public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
    }

    func validate() {
        precondition(handshakeTimeoutSeconds > 0 && handshakeTimeoutSeconds <= 3_600, "handshake timeout out of range")
        precondition((2...16).contains(clientCertificateChainLengthMax), "client certificate chain length out of range")
    }
}
