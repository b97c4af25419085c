// The audit record hash: the one definition both the appender and the verifier use.
#include <openssl/evp.h>

#include <stdexcept>
#include <string>

#include "irra/store/audit.hpp"

namespace irra::store {
namespace {

void field(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
}

void optional_field(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    field(out, *v);
  } else {
    out += '-';
  }
}

}  // namespace

std::string audit_hash(std::int64_t seq, const AuditEvent& e, std::string_view prev_hash) {
  std::string msg = "irra-audit-v1";
  msg.reserve(128 + e.ts.size() + e.type.size() + e.actor.size() +
              (e.detail ? e.detail->size() : 0) + (e.user_agent ? e.user_agent->size() : 0));
  field(msg, prev_hash);
  field(msg, std::to_string(seq));
  field(msg, e.ts);
  field(msg, e.type);
  field(msg, e.actor);
  optional_field(msg, e.ucc);
  optional_field(msg, e.ip);
  optional_field(msg, e.user_agent);
  optional_field(msg, e.detail);

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(msg.data(), msg.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0x0f];
  }
  return out;
}

}  // namespace irra::store
