// Serves the web UI from a directory loaded into memory at start: Content-Type by
// extension, strong ETag from a content hash with If-None-Match -> 304, index.html for
// directories, HEAD. Only files found under the root at load time can ever be served
// (symlinks leading outside the root are skipped), so no request path can reach others;
// paths with "..", encoded separators or NUL are refused before the lookup anyway.
//
// Thread rule: construct on one thread; afterwards serve() is const and thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "irra/http/request.hpp"
#include "irra/http/response.hpp"

namespace irra::http {

class StaticFiles {
 public:
  struct Limits {
    std::size_t max_file_size = 8 * 1024 * 1024;
    std::size_t max_total_size = 128 * 1024 * 1024;
    std::size_t max_files = 10000;
  };

  // A missing root is not an error (logged): the API still works without a UI.
  explicit StaticFiles(const std::filesystem::path& root);
  StaticFiles(const std::filesystem::path& root, Limits limits);

  // GET/HEAD of request.path(): 200, 304, 301 (directory without '/'), 404, 400 or 405.
  Response serve(const Request& request) const;

  std::size_t file_count() const { return files_.size(); }

  static std::string_view content_type_for(std::string_view extension);

 private:
  struct File {
    std::string body;
    std::string content_type;
    std::string etag;
  };

  void load(const std::filesystem::path& root, Limits limits);
  const File* find(std::string_view relative) const;

  std::unordered_map<std::string, File> files_;  // key: relative path with '/' separators
};

}  // namespace irra::http
