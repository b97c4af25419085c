#include "irra/sod/manifest.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>

#include "irra/domain/timestamp.hpp"
#include "sha256.hpp"

namespace irra::sod {
namespace {

constexpr std::string_view kName = "manifest.json";
constexpr std::size_t kMaxManifestBytes = 1 << 20;

void add(std::vector<std::string>& errors, std::string_view what) {
  errors.push_back(std::string(kName) + ": " + std::string(what));
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// A real calendar date written exactly as YYYY-MM-DD.
bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  return domain::parse_date(s).has_value() && domain::format_date(*domain::parse_date(s)) == s;
}

}  // namespace

const ManifestFile* Manifest::file(std::string_view name) const {
  for (const auto& f : files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<Manifest> parse_manifest(std::string_view json_text,
                                       std::vector<std::string>& errors) {
  const std::size_t errors_before = errors.size();
  const auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    add(errors, "not valid JSON");
    return std::nullopt;
  }
  if (!json.is_object()) {
    add(errors, "must be a JSON object");
    return std::nullopt;
  }
  Manifest m;
  m.sha256 = Sha256::of(json_text);

  const auto date = json.find("trading_date");
  if (date == json.end() || !date->is_string()) {
    add(errors, "trading_date: missing or not a string");
  } else if (!is_date(date->get_ref<const std::string&>())) {
    add(errors, "trading_date: '" + date->get<std::string>() + "' is not a date (YYYY-MM-DD)");
  } else {
    m.trading_date = date->get<std::string>();
  }

  const auto gen = json.find("generated_at");
  if (gen == json.end() || !gen->is_string()) {
    add(errors, "generated_at: missing or not a string");
  } else if (!domain::parse_iso8601(gen->get_ref<const std::string&>())) {
    add(errors, "generated_at: '" + gen->get<std::string>() +
                    "' is not an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  } else {
    m.generated_at = gen->get<std::string>();
  }

  const auto files = json.find("files");
  if (files == json.end() || !files->is_object()) {
    add(errors, "files: missing or not an object");
    return std::nullopt;
  }
  for (const auto& [key, value] : files->items()) {
    if (std::find(kDumpFiles.begin(), kDumpFiles.end(), key) == kDumpFiles.end()) {
      // Every file of the dump must be imported: an entry we do not know means the dump
      // carries data this version would silently drop.
      add(errors, "files: unexpected entry '" + key + "'");
    }
  }
  for (const std::string_view name : kDumpFiles) {
    const std::string prefix = "files." + std::string(name) + ": ";
    const auto entry = files->find(name);
    if (entry == files->end()) {
      add(errors, "files: missing '" + std::string(name) + "'");
      continue;
    }
    if (!entry->is_object()) {
      add(errors, prefix + "not an object");
      continue;
    }
    ManifestFile f;
    f.name = name;
    const auto rows = entry->find("rows");
    if (rows == entry->end() || !rows->is_number_integer() ||
        (rows->is_number_unsigned() && rows->get<std::uint64_t>() > INT64_MAX) ||
        rows->get<std::int64_t>() < 0) {
      add(errors, prefix + "rows: missing or not a non-negative integer");
    } else {
      f.rows = rows->get<std::int64_t>();
    }
    const auto sha = entry->find("sha256");
    if (sha == entry->end() || !sha->is_string() || !is_hex64(sha->get_ref<const std::string&>())) {
      add(errors, prefix + "sha256: missing or not 64 hex digits");
    } else {
      f.sha256 = sha->get<std::string>();
      std::transform(f.sha256.begin(), f.sha256.end(), f.sha256.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    m.files.push_back(std::move(f));
  }
  if (errors.size() != errors_before) return std::nullopt;
  return m;
}

std::optional<Manifest> read_manifest(const std::filesystem::path& dir,
                                      std::vector<std::string>& errors) {
  std::ifstream in(dir / kName, std::ios::binary);
  if (!in) {
    add(errors, "cannot open " + (dir / kName).string());
    return std::nullopt;
  }
  std::string text(kMaxManifestBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    add(errors, "read error");
    return std::nullopt;
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxManifestBytes) {
    add(errors, "larger than 1 MiB");
    return std::nullopt;
  }
  return parse_manifest(text, errors);
}

}  // namespace irra::sod
