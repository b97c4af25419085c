// Builds the server's TLS context (Mozilla "intermediate": TLS 1.2 and 1.3 only, ECDHE
// with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, no compression, no renegotiation,
// ALPN http/1.1), from PEM files or from a self-signed certificate made at start.
//
// Thread rule: call at start-up; the context is then shared read-only by every session.
// Failures (unreadable files, key mismatch) throw std::runtime_error: configuration errors.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <string>

namespace irra::http {

struct TlsOptions {
  std::filesystem::path cert_file;  // PEM chain; empty with key_file empty: self-signed
  std::filesystem::path key_file;   // PEM private key
  std::filesystem::path self_signed_dir = "var/tls";  // where a self-signed pair is kept
  std::string host;  // configured host name or address, added to the self-signed SAN
};

boost::asio::ssl::context make_tls_context(const TlsOptions& options);

struct SelfSignedFiles {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  bool generated = false;  // false: an existing, still valid pair was reused
};

// Reuses dir/self-signed.{crt,key} when they exist, match, cover `host` and stay valid
// for more than a day; otherwise makes an EC P-256 key (file mode 0600) and a one-year
// certificate for localhost, 127.0.0.1, ::1 and host.
SelfSignedFiles ensure_self_signed_certificate(const std::filesystem::path& dir,
                                               const std::string& host);

// The TLS 1.2 cipher list of the intermediate profile.
extern const char* const intermediate_ciphers;

}  // namespace irra::http
