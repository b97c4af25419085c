// TLS policy (1.2 and 1.3 only, ALPN) and the self-signed certificate made at start.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace irra::http;
using namespace irra::http::test;

namespace {

std::shared_ptr<Router> status_router() {
  auto router = std::make_shared<Router>();
  router->add(Verb::get, "/api/v1/status", [](const Request&) {
    return json_response(Status::ok, {{"mode", "standby"}});
  });
  return router;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("TLS 1.2 and 1.3 clients are accepted", "[http][tls]") {
  TestServer server(status_router());
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    Client client(server.port(), client_tls_context(version, version));
    REQUIRE_FALSE(client.connect());
    CHECK(SSL_version(client.native_ssl()) == version);
    CHECK(client.get("/api/v1/status").result() == bhttp::status::ok);
  }
}

TEST_CASE("a TLS 1.1 client is refused by the server", "[http][tls]") {
  TestServer server(status_router());
  Client client(server.port(), client_tls_context(TLS1_1_VERSION, TLS1_1_VERSION));
  const auto ec = client.connect();
  REQUIRE(ec);
  // The refusal must come from the server (a protocol_version alert), not from the
  // client's own configuration.
  CHECK(ec.category() == boost::asio::error::get_ssl_category());
  CHECK(ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
        SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
}

TEST_CASE("TLS 1.2 offers only ECDHE with AES-GCM or ChaCha20-Poly1305", "[http][tls]") {
  TestServer server(status_router());
  // A client offering only CBC or RSA key exchange gets no handshake.
  auto weak = client_tls_context(TLS1_2_VERSION, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(weak->native_handle(),
                          "ECDHE-ECDSA-AES128-SHA256:AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA");
  Client refused(server.port(), weak);
  CHECK(refused.connect());

  auto chacha = client_tls_context(TLS1_2_VERSION, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(chacha->native_handle(), "ECDHE-ECDSA-CHACHA20-POLY1305");
  Client accepted(server.port(), chacha);
  REQUIRE_FALSE(accepted.connect());
  CHECK(std::string(SSL_get_cipher_name(accepted.native_ssl())) == "ECDHE-ECDSA-CHACHA20-POLY1305");
}

TEST_CASE("ALPN selects http/1.1", "[http][tls]") {
  TestServer server(status_router());
  auto ctx = client_tls_context();
  static constexpr unsigned char protos[] = {2,   'h', '2', 8,   'h', 't',
                                             't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx->native_handle(), protos, sizeof protos);
  Client client(server.port(), ctx);
  REQUIRE_FALSE(client.connect());
  const unsigned char* selected = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(client.native_ssl(), &selected, &len);
  CHECK(std::string(reinterpret_cast<const char*>(selected), len) == "http/1.1");
}

TEST_CASE("a self-signed certificate is generated once, with a private key file, and reused",
          "[http][tls]") {
  TempDir dir("selfsigned");
  const auto tls_dir = dir.path() / "var" / "tls";
  const auto first = ensure_self_signed_certificate(tls_dir, "irra.example.in");
  CHECK(first.generated);
  struct stat st {};
  REQUIRE(::stat(first.key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string cert_pem = slurp(first.cert_file);
  const std::string key_pem = slurp(first.key_file);

  // The certificate names every way the server is reached and is valid for a year.
  std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(first.cert_file.c_str(), "r"), fclose);
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                              X509_free);
  REQUIRE(cert);
  CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(cert.get(), "irra.example.in", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_host(cert.get(), "evil.example", 0, 0, nullptr) != 1);
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get()));
  CHECK(days >= 364);
  CHECK(days <= 366);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(X509_get_pubkey(cert.get()), EVP_PKEY_free);
  CHECK(EVP_PKEY_is_a(key.get(), "EC"));

  const auto second = ensure_self_signed_certificate(tls_dir, "irra.example.in");
  CHECK_FALSE(second.generated);
  CHECK(slurp(second.cert_file) == cert_pem);
  CHECK(slurp(second.key_file) == key_pem);

  // A different configured host is not covered: a new certificate is made.
  const auto third = ensure_self_signed_certificate(tls_dir, "other.example.in");
  CHECK(third.generated);
  CHECK(slurp(third.cert_file) != cert_pem);

  TlsOptions options;
  options.self_signed_dir = tls_dir;
  options.host = "other.example.in";
  CHECK_NOTHROW(make_tls_context(options));
}

TEST_CASE("servers starting together in one folder make one certificate and share it",
          "[http][tls]") {
  TempDir dir("selfsigned-race");
  const auto tls_dir = dir.path() / "var" / "tls";
  std::vector<SelfSignedFiles> got(4);
  std::vector<std::thread> starters;
  for (std::size_t i = 0; i < got.size(); ++i) {
    starters.emplace_back([&, i] { got[i] = ensure_self_signed_certificate(tls_dir, "127.0.0.1"); });
  }
  for (auto& t : starters) t.join();
  int generated = 0;
  for (const auto& g : got) generated += g.generated ? 1 : 0;
  CHECK(generated == 1);
  // The key on disk belongs to the certificate on disk.
  std::unique_ptr<FILE, int (*)(FILE*)> cf(fopen(got[0].cert_file.c_str(), "r"), fclose);
  std::unique_ptr<FILE, int (*)(FILE*)> kf(fopen(got[0].key_file.c_str(), "r"), fclose);
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr),
                                              X509_free);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(
      PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  REQUIRE(cert);
  REQUIRE(key);
  CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
  for (const auto& entry : std::filesystem::directory_iterator(tls_dir)) {
    CHECK(entry.path().extension() != ".tmp");
  }
}

TEST_CASE("a configured certificate that does not exist is a configuration error", "[http][tls]") {
  TlsOptions options;
  options.cert_file = "/nonexistent/cert.pem";
  options.key_file = "/nonexistent/key.pem";
  CHECK_THROWS_AS(make_tls_context(options), std::runtime_error);
  options.key_file.clear();
  CHECK_THROWS_AS(make_tls_context(options), std::runtime_error);
}

TEST_CASE("the plain-HTTP variant serves the same router", "[http][tls]") {
  TestServer server(status_router(), test_options(), /*tls=*/false);
  Client client(server.port(), nullptr);
  REQUIRE_FALSE(client.connect());
  const auto res = client.get("/api/v1/status");
  CHECK(res.result() == bhttp::status::ok);
  CHECK(client.get("/api/v1/status").result() == bhttp::status::ok);
}
