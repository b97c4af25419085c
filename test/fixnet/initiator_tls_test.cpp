// The initiator over TLS: it verifies the exchange's certificate chain and host name,
// and logs on only when both check out.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "initiator_fixture.hpp"

using namespace irra::fixnet;
using namespace irra::fixnet::test;
using namespace std::chrono_literals;
namespace ssl = boost::asio::ssl;
namespace fix = irra::fix;

namespace {

struct pem_pair {
  std::string cert;
  std::string key;
};

std::string to_pem(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed P-256 certificate whose subjectAltName is `san` (e.g. "IP:127.0.0.1").
pem_pair self_signed(const char* san) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  REQUIRE(key);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test exchange"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    REQUIRE(ext != nullptr);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(cert_bio.get(), x.get());
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return {to_pem(cert_bio.get()), to_pem(key_bio.get())};
}

// A TLS acceptor on 127.0.0.1 that answers the first Logon of each connection.
class tls_acceptor {
 public:
  tls_acceptor(net::io_context& io, const pem_pair& pem)
      : ctx_(ssl::context::tls_server),
        acceptor_(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    ctx_.use_certificate_chain(net::buffer(pem.cert));
    ctx_.use_private_key(net::buffer(pem.key), ssl::context::pem);
    do_accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  int handshakes = 0;
  int handshake_failures = 0;
  int logons = 0;

 private:
  struct conn {
    conn(tcp::socket s, ssl::context& ctx) : stream(std::move(s), ctx) {}
    ssl::stream<tcp::socket> stream;
    std::array<char, 4096> chunk{};
    std::string in;
    std::string out;
  };

  void do_accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
      if (ec) return;
      auto c = std::make_shared<conn>(std::move(s), ctx_);
      c->stream.async_handshake(ssl::stream_base::server,
                                [this, c](const boost::system::error_code& e) {
                                  if (e) {
                                    ++handshake_failures;
                                    return;
                                  }
                                  ++handshakes;
                                  do_read(c);
                                });
      do_accept();
    });
  }

  void do_read(const std::shared_ptr<conn>& c) {
    c->stream.async_read_some(
        net::buffer(c->chunk), [this, c](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return;
          c->in.append(c->chunk.data(), n);
          const auto f = fix::frame(c->in);
          if (f.status == fix::frame_status::complete && logons == 0) {
            ++logons;
            fix::writer w(c->out);
            w.begin("A", "EXCH", "IRRA", 1, utc_now());
            w.field(fix::tag::encrypt_method, "0").field(fix::tag::heart_bt_int, "30");
            if (!w.finish()) return;
            net::async_write(c->stream, net::buffer(c->out),
                             [](const boost::system::error_code&, std::size_t) {});
            c->in.erase(0, f.consumed);
          }
          do_read(c);
        });
  }

  ssl::context ctx_;
  tcp::acceptor acceptor_;
};

std::shared_ptr<ssl::context> trusting(const std::string& ca_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (!ca_pem.empty()) ctx->add_certificate_authority(net::buffer(ca_pem));
  return ctx;
}

}  // namespace

TEST_CASE("the initiator logs on over TLS when the exchange's certificate verifies",
          "[fixnet][initiator][tls]") {
  initiator_fixture f;
  const pem_pair pem = self_signed("IP:127.0.0.1");
  tls_acceptor exchange(f.io, pem);
  auto o = f.options(30s);
  o.port = exchange.port();
  o.tls = true;
  o.tls_context = trusting(pem.cert);
  f.start(o);
  REQUIRE(f.wait_active());
  CHECK(exchange.handshakes == 1);
  CHECK(exchange.logons == 1);
  CHECK(f.initiator->status().bytes_out > 0);
}

TEST_CASE("the initiator refuses an exchange certificate it cannot verify",
          "[fixnet][initiator][tls]") {
  initiator_fixture f;
  const pem_pair pem = self_signed("IP:127.0.0.1");
  tls_acceptor exchange(f.io, pem);
  auto o = f.options(30s);
  o.port = exchange.port();
  o.tls = true;
  o.tls_context = trusting("");  // no trust anchor at all
  f.start(o);
  REQUIRE(run_until(
      f.io, [&] { return f.initiator->status().connect_failures >= 2; }, 3s));
  CHECK(exchange.logons == 0);
  CHECK(f.initiator->status().connects == 0);
  CHECK(f.initiator->status().last_error.find("TLS handshake") != std::string::npos);
}

TEST_CASE("the initiator refuses a trusted certificate issued for another host",
          "[fixnet][initiator][tls]") {
  initiator_fixture f;
  const pem_pair pem = self_signed("DNS:exchange.invalid");
  tls_acceptor exchange(f.io, pem);
  auto o = f.options(30s);
  o.port = exchange.port();
  o.tls = true;
  o.tls_context = trusting(pem.cert);
  f.start(o);
  REQUIRE(run_until(
      f.io, [&] { return f.initiator->status().connect_failures >= 1; }, 3s));
  CHECK(exchange.logons == 0);
  CHECK(f.initiator->status().last_error.find("TLS handshake") != std::string::npos);
}
