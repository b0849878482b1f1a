#ifndef TUITION_COPENSSL_SHIM_H
#define TUITION_COPENSSL_SHIM_H
#include <stdint.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/pem.h>

// Function-like macros do not import into Swift; these wrappers do.
static inline void tuition_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
static inline long tuition_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_min_proto_version(context, version);
}
static inline long tuition_SSL_CTX_set_max_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_max_proto_version(context, version);
}
static inline long tuition_SSL_CTX_set_mode(SSL_CTX *context, long mode) {
    return SSL_CTX_set_mode(context, mode);
}
static inline long tuition_SSL_CTX_set_session_cache_mode(SSL_CTX *context, long mode) {
    return SSL_CTX_set_session_cache_mode(context, mode);
}
static inline long tuition_SSL_CTX_set1_groups_list(SSL_CTX *context, const char *groups) {
    return SSL_CTX_set1_groups_list(context, groups);
}
static inline long tuition_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
static inline int tuition_X509_NAME_print_rfc2253(BIO *bio, const X509_NAME *name) {
    return X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
}

// SSL_OP_* are built with the function-like macro SSL_OP_BIT, which does not import.
static const uint64_t TUITION_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
static const uint64_t TUITION_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t TUITION_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t TUITION_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;

// ALPN for a server that speaks HTTP/1.1 only: selects "http/1.1" when the client offers it and refuses the
// handshake (no_application_protocol) when it offers only others, as RFC 7301 §3.2 asks.
static inline int tuition_alpn_select_http11(SSL *ssl, const unsigned char **out, unsigned char *out_length,
                                             const unsigned char *offered, unsigned int offered_length, void *arg) {
    static const unsigned char supported[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char *selected = NULL;
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto(&selected, out_length, supported, sizeof supported, offered, offered_length)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}
static inline void tuition_SSL_CTX_select_alpn_http11(SSL_CTX *context) {
    SSL_CTX_set_alpn_select_cb(context, tuition_alpn_select_http11, NULL);
}

// Client certificates: requested during the handshake (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT) and
// verified against the configured CA, but a certificate that fails verification does not fail the handshake.
// The callback records the first failure in the SSL's application-data slot (ex_data index 0) and lets the
// handshake go on; the server then treats the certificate as absent.
static inline int tuition_verify_record_failure(int preverified, X509_STORE_CTX *store) {
    if (!preverified) {
        SSL *ssl = (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
        if (ssl != NULL && SSL_get_ex_data(ssl, 0) == NULL) {
            int error = X509_STORE_CTX_get_error(store);
            SSL_set_ex_data(ssl, 0, (void *)(intptr_t)(error != X509_V_OK ? error : -1));
        }
    }
    return 1;
}
static inline void tuition_SSL_CTX_request_client_certificate(SSL_CTX *context) {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, tuition_verify_record_failure);
}
/// The first verification failure recorded by `tuition_verify_record_failure`, or 0 (X509_V_OK).
static inline long tuition_SSL_first_verify_failure(const SSL *ssl) {
    return (long)(intptr_t)SSL_get_ex_data(ssl, 0);
}
#endif
