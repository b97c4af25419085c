#include "irra/http/tls_context.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>

namespace irra::http {
namespace ssl = boost::asio::ssl;

const char* const intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

namespace {

// Selects "http/1.1" from the client's ALPN list; without it the handshake goes on
// without ALPN rather than failing (old clients).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("TLS configuration: " + what);
}

}  // namespace

ssl::context make_tls_context(const TlsOptions& options) {
  ssl::context ctx{ssl::context::tls_server};
  SSL_CTX* native = ctx.native_handle();
  check(SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) == 1, "min protocol");
  check(SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) == 1, "max protocol");
  // OpenSSL 3 refuses client-initiated renegotiation unless allowed; NO_RENEGOTIATION
  // also covers ours.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  check(SSL_CTX_set_cipher_list(native, intermediate_ciphers) == 1, "cipher list");
  check(SSL_CTX_set1_groups_list(native, "X25519:prime256v1:secp384r1") == 1, "groups");
  // Idle connections give their OpenSSL buffers back: thousands of them stay cheap.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);

  std::filesystem::path cert = options.cert_file;
  std::filesystem::path key = options.key_file;
  if (cert.empty() != key.empty()) {
    throw std::runtime_error("TLS configuration: tls_cert and tls_key go together");
  }
  if (cert.empty()) {
    const auto files = ensure_self_signed_certificate(options.self_signed_dir, options.host);
    if (files.generated) {
      spdlog::warn(
          "http: no tls_cert configured: generated a SELF-SIGNED certificate {} "
          "(key {}); browsers will warn. Configure http.tls_cert/tls_key for production.",
          files.cert_file.string(), files.key_file.string());
    } else {
      spdlog::warn("http: no tls_cert configured: using the self-signed certificate {}",
                   files.cert_file.string());
    }
    cert = files.cert_file;
    key = files.key_file;
  }
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert.string(), ec);
  check(!ec, "cannot load certificate " + cert.string() + ": " + ec.message());
  ctx.use_private_key_file(key.string(), ssl::context::pem, ec);
  check(!ec, "cannot load private key " + key.string() + ": " + ec.message());
  check(SSL_CTX_check_private_key(native) == 1, "private key does not match the certificate");
  return ctx;
}

}  // namespace irra::http
