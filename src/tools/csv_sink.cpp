#include "csv_sink.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace irra::tools {
namespace {
constexpr std::size_t flush_bytes = 1 << 20;
}

struct csv_sink::digest {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~digest() { EVP_MD_CTX_free(ctx); }
};

csv_sink::csv_sink(const std::filesystem::path& file, std::string_view header)
    : path_(file), digest_(std::make_unique<digest>()) {
  if (digest_->ctx == nullptr || EVP_DigestInit_ex(digest_->ctx, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("cannot initialise SHA-256");
  file_ = std::fopen(file.c_str(), "wb");
  if (file_ == nullptr) throw std::runtime_error("cannot create " + file.string());
  buf_.reserve(flush_bytes + 4096);
  buf_.append(header);
  buf_.push_back('\n');
}

csv_sink::~csv_sink() {
  if (file_ != nullptr) std::fclose(file_);
}

void csv_sink::end_row() {
  buf_.push_back('\n');
  ++rows_;
  if (buf_.size() >= flush_bytes) flush();
}

void csv_sink::write_row_hashed_as(std::string_view written, std::string_view hashed) {
  flush();
  const std::string hashed_line = std::string(hashed) + '\n';
  const std::string written_line = std::string(written) + '\n';
  if (EVP_DigestUpdate(digest_->ctx, hashed_line.data(), hashed_line.size()) != 1)
    throw std::runtime_error("SHA-256 update failed");
  write_raw(written_line);
  ++rows_;
}

void csv_sink::flush() {
  if (buf_.empty()) return;
  if (EVP_DigestUpdate(digest_->ctx, buf_.data(), buf_.size()) != 1)
    throw std::runtime_error("SHA-256 update failed");
  write_raw(buf_);
  buf_.clear();
}

void csv_sink::write_raw(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    throw std::runtime_error("cannot write " + path_.string());
}

std::string csv_sink::finish() {
  flush();
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) throw std::runtime_error("cannot write " + path_.string());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(digest_->ctx, md, &len) != 1)
    throw std::runtime_error("SHA-256 final failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 0x0f]);
  }
  return out;
}

}  // namespace irra::tools
