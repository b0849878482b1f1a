import COpenSSL
import Crypto

/// A client certificate that verified during the TLS handshake against the configured client CA: the chain up
/// to a trusted CA, every certificate's validity dates, and the client's proof that it holds the key.
public struct ClientCertificate: Sendable, Equatable {
    /// The subject in RFC 2253 form, e.g. `CN=bank-callbacks,O=Example Bank,C=VN`.
    public var subject: String
    /// The issuer in RFC 2253 form.
    public var issuer: String
    /// The serial number in upper-case hex.
    public var serialNumber: String
    /// SHA-256 of the DER certificate, 64 lower-case hex digits: what a route can pin.
    public var sha256Fingerprint: String

    public init(subject: String, issuer: String, serialNumber: String, sha256Fingerprint: String) {
        self.subject = subject
        self.issuer = issuer
        self.serialNumber = serialNumber
        self.sha256Fingerprint = sha256Fingerprint
    }
}

/// What a connection's handshake established about the client's certificate.
public enum ClientCertificateStatus: Sendable, Equatable {
    /// None was asked for (no client CA, or plain HTTP) or none was presented.
    case absent
    case verified(ClientCertificate)
    /// One was presented but did not verify (unknown issuer, expired, not for client use). It is treated as
    /// absent: it gives access to nothing. `reason` is OpenSSL's description of the first failure.
    case rejected(reason: String)

    /// The certificate when it verified.
    public var verified: ClientCertificate? {
        if case .verified(let certificate) = self { certificate } else { nil }
    }
}

extension ClientCertificateStatus {
    /// Reads the outcome of a finished handshake of `ssl`.
    static func read(from ssl: OpaquePointer) -> ClientCertificateStatus {
        guard let certificate = SSL_get0_peer_certificate(ssl) else { return .absent }
        let recorded = tuition_SSL_first_verify_failure(ssl)
        let result = SSL_get_verify_result(ssl)
        guard recorded == 0 && result == Int(X509_V_OK) else {
            let failure = recorded > 0 ? recorded : result
            let reason = failure > 0 ? String(cString: X509_verify_cert_error_string(failure)) : "verification failed"
            return .rejected(reason: reason)
        }
        return .verified(ClientCertificate(reading: certificate))
    }
}

extension ClientCertificate {
    init(reading certificate: OpaquePointer) {
        subject = Self.rfc2253(X509_get_subject_name(certificate))
        issuer = Self.rfc2253(X509_get_issuer_name(certificate))
        serialNumber = Self.hexSerialNumber(X509_get0_serialNumber(certificate))
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 && length == 32, "X509_digest failed")
        sha256Fingerprint = Hex.encode(digest[0..<Int(length)])
    }

    private static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard tuition_X509_NAME_print_rfc2253(bio, name) >= 0 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let count = tuition_BIO_get_mem_data(bio, &data)
        guard let data, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }

    private static func hexSerialNumber(_ serial: UnsafePointer<ASN1_INTEGER>?) -> String {
        guard let serial, let number = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(number) }
        guard let text = BN_bn2hex(number) else { return "" }
        defer { tuition_OPENSSL_free(text) }
        return String(cString: text)
    }
}
