// Self-signed certificate for a server started without tls_cert: EC P-256, one year,
// SAN localhost/127.0.0.1/::1/host, written next to a 0600 key so restarts reuse it.
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "irra/http/tls_context.hpp"

namespace irra::http {
namespace fs = std::filesystem;

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(std::FILE* f) const { std::fclose(f); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("self-signed certificate: " + what);
}

bool is_ip(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

// Hosts worth putting in the SAN: not empty, not a wildcard bind address.
bool is_nameable(const std::string& host) {
  return !host.empty() && host != "0.0.0.0" && host != "::" && host != "localhost" &&
         host != "127.0.0.1" && host != "::1";
}

Owned<X509> read_cert(const fs::path& file) {
  Owned<std::FILE> f(std::fopen(file.c_str(), "r"));
  if (!f) return nullptr;
  return Owned<X509>(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
}

Owned<EVP_PKEY> read_key(const fs::path& file) {
  Owned<std::FILE> f(std::fopen(file.c_str(), "r"));
  if (!f) return nullptr;
  return Owned<EVP_PKEY>(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
}

bool reusable(const fs::path& cert_file, const fs::path& key_file, const std::string& host) {
  const auto cert = read_cert(cert_file);
  const auto key = read_key(key_file);
  if (!cert || !key) return false;
  if (X509_check_private_key(cert.get(), key.get()) != 1) return false;
  // Still valid a day from now.
  const std::time_t tomorrow = std::time(nullptr) + 24 * 3600;
  if (X509_cmp_time(X509_get0_notAfter(cert.get()), const_cast<std::time_t*>(&tomorrow)) <= 0) {
    return false;
  }
  if (!is_nameable(host)) return true;
  if (is_ip(host)) return X509_check_ip_asc(cert.get(), host.c_str(), 0) == 1;
  return X509_check_host(cert.get(), host.c_str(), host.size(), 0, nullptr) == 1;
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("cannot add extension " + value);
}

Owned<X509> make_cert(EVP_PKEY* key, const std::string& host) {
  Owned<X509> cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  Owned<BIGNUM> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    fail("serial number");
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // tolerate a little clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = is_nameable(host) ? host : "localhost";
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("IRRA self-signed"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (is_nameable(host)) san += (is_ip(host) ? ",IP:" : ",DNS:") + host;
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), NID_subject_alt_name, san);
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) fail("X509_sign");
  return cert;
}

// Writes through a temporary file and a rename, so a crash never leaves half a key.
template <class Write>
void write_pem(const fs::path& file, mode_t mode, Write&& write) {
  const fs::path tmp = file.string() + "." + std::to_string(::getpid()) + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail("cannot create " + tmp.string());
  ::fchmod(fd, mode);  // the umask must not widen or narrow what we ask for
  Owned<std::FILE> f(::fdopen(fd, "w"));
  if (!f) {
    ::close(fd);
    fail("fdopen " + tmp.string());
  }
  if (write(f.get()) != 1 || std::fflush(f.get()) != 0 || ::fsync(fd) != 0) {
    fail("cannot write " + tmp.string());
  }
  f.reset();
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) fail("cannot rename to " + file.string() + ": " + ec.message());
}

}  // namespace

SelfSignedFiles ensure_self_signed_certificate(const fs::path& dir, const std::string& host) {
  SelfSignedFiles files{dir / "self-signed.crt", dir / "self-signed.key", false};
  if (reusable(files.cert_file, files.key_file, host)) return files;

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  // Two servers started together in one folder must not interleave their key and
  // certificate: the second waits for the first, then reuses what it made.
  const fs::path lock_file = dir / "self-signed.lock";
  const int lock_fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) fail("cannot create " + lock_file.string());
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the lock
  } unlock{lock_fd};
  while (::flock(lock_fd, LOCK_EX) != 0) {
    if (errno != EINTR) fail("cannot lock " + lock_file.string());
  }
  if (reusable(files.cert_file, files.key_file, host)) return files;

  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key generation");
  const auto cert = make_cert(key.get(), host);
  write_pem(files.key_file, 0600, [&](std::FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  write_pem(files.cert_file, 0644, [&](std::FILE* f) { return PEM_write_X509(f, cert.get()); });
  files.generated = true;
  return files;
}

}  // namespace irra::http
