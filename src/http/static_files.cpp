#include "irra/http/static_files.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/beast/http/field.hpp>
#include <fstream>
#include <iterator>
#include <system_error>

namespace irra::http {
namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;

namespace {

std::string content_etag(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &size, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string etag = "\"";
  for (unsigned int i = 0; i < 16 && i < size; ++i) {  // 128 bits are plenty for a cache key
    etag.push_back(hex[digest[i] >> 4]);
    etag.push_back(hex[digest[i] & 0xf]);
  }
  etag.push_back('"');
  return etag;
}

// If-None-Match: "*" or a comma list of (possibly weak) entity tags; weak comparison.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

// True for a path whose segments are all plain names: no "", ".", "..", or hidden files.
bool is_safe_relative(std::string_view rel) {
  if (rel.empty()) return true;
  while (true) {
    const auto slash = rel.find('/');
    const std::string_view seg = rel.substr(0, slash);
    if (seg.empty() || seg.front() == '.') return false;
    if (seg.find('\0') != std::string_view::npos) return false;
    if (slash == std::string_view::npos) return true;
    rel.remove_prefix(slash + 1);
  }
}

}  // namespace

std::string_view StaticFiles::content_type_for(std::string_view ext) {
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry types[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
  };
  for (const auto& e : types) {
    if (e.ext.size() != ext.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < ext.size() && same; ++i) {
      const char c = ext[i] >= 'A' && ext[i] <= 'Z' ? static_cast<char>(ext[i] + 32) : ext[i];
      same = c == e.ext[i];
    }
    if (same) return e.type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const fs::path& root) : StaticFiles(root, Limits{}) {}

StaticFiles::StaticFiles(const fs::path& root, Limits limits) {
  load(root, limits);
}

void StaticFiles::load(const fs::path& root, Limits limits) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec || !fs::is_directory(canonical_root)) {
    spdlog::warn("http: static directory {} not found; serving no static files", root.string());
    return;
  }
  std::size_t total = 0;
  fs::recursive_directory_iterator it(canonical_root, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    // Resolve symlinks and keep only what really lies inside the root.
    const fs::path real = fs::canonical(p, ec);
    if (ec) {
      ec.clear();
      continue;
    }
    const auto rel_to_root = real.lexically_relative(canonical_root);
    if (rel_to_root.empty() || *rel_to_root.begin() == "..") {
      spdlog::warn("http: static file {} leads outside the root; skipped", p.string());
      continue;
    }
    if (!fs::is_regular_file(real, ec)) {
      ec.clear();
      continue;
    }
    const std::string rel = p.lexically_relative(canonical_root).generic_string();
    if (!is_safe_relative(rel)) continue;
    const auto size = fs::file_size(real, ec);
    if (ec) {
      ec.clear();
      continue;
    }
    if (size > limits.max_file_size || total + size > limits.max_total_size ||
        files_.size() >= limits.max_files) {
      spdlog::warn("http: static file {} skipped (size or count limit)", p.string());
      continue;
    }
    std::ifstream in(real, std::ios::binary);
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) continue;
    total += body.size();
    File f;
    f.content_type = std::string(content_type_for(p.extension().string()));
    f.etag = content_etag(body);
    f.body = std::move(body);
    files_.emplace(rel, std::move(f));
  }
  spdlog::info("http: {} static files ({} bytes) loaded from {}", files_.size(), total,
               canonical_root.string());
}

const StaticFiles::File* StaticFiles::find(std::string_view relative) const {
  const auto it = files_.find(std::string(relative));
  return it == files_.end() ? nullptr : &it->second;
}

Response StaticFiles::serve(const Request& request) const {
  const auto method = request.method();
  if (method != bhttp::verb::get && method != bhttp::verb::head) {
    Response res = standard_error(Status::method_not_allowed);
    res.set(bhttp::field::allow, "GET, HEAD");
    return res;
  }
  std::string_view path = request.path();
  if (path.empty() || path.front() != '/') return standard_error(Status::bad_request);
  path.remove_prefix(1);
  const bool is_dir_request = path.empty() || path.back() == '/';
  if (is_dir_request && !path.empty()) path.remove_suffix(1);
  if (!is_safe_relative(path)) return standard_error(Status::not_found);

  const File* file = nullptr;
  if (is_dir_request) {
    file = find(path.empty() ? std::string("index.html") : std::string(path) + "/index.html");
  } else {
    file = find(path);
    if (!file && find(std::string(path) + "/index.html")) {
      Response res{Status::moved_permanently, 11};
      res.set(bhttp::field::location, "/" + std::string(path) + "/");
      res.prepare_payload();
      return res;
    }
  }
  if (!file) return standard_error(Status::not_found);

  const bool not_modified = etag_matches(request.header(bhttp::field::if_none_match), file->etag);
  Response res{not_modified ? Status::not_modified : Status::ok, 11};
  res.set(bhttp::field::etag, file->etag);
  // Revalidate every time: the UI changes at deploys and the ETag makes that cheap.
  res.set(bhttp::field::cache_control, "no-cache");
  if (not_modified) return res;
  res.set(bhttp::field::content_type, file->content_type);
  res.body() = file->body;
  res.prepare_payload();
  return res;
}

}  // namespace irra::http
