// Times validate + import of a dump into a database, for comparing with the database's own
// bulk loader (quality.md: 1,000,000 positions within 2x of `sqlite3 .import`).
// Usage: sod_import_bench DUMP_DIR DB_URL [--validate-only]
#include <soci/soci.h>

#include <cstdio>
#include <cstring>
#include <exception>

#include "irra/sod/importer.hpp"
#include "irra/store/database.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DUMP_DIR DB_URL [--validate-only]\n", argv[0]);
    return 2;
  }
  try {
    irra::sod::ImportReport report;
    if (argc > 3 && std::strcmp(argv[3], "--validate-only") == 0) {
      report = irra::sod::validate_dump(argv[1]);
    } else {
      const auto url = irra::store::DbUrl::parse(argv[2]);
      auto sql = irra::store::open(url);
      report = irra::sod::import_dump(argv[1], *sql, url.backend);
    }
    for (const auto& e : report.errors) std::fprintf(stderr, "%s\n", e.c_str());
    std::printf(
        "ok=%d clients=%lld instruments=%lld positions=%lld holdings=%lld funds=%lld "
        "validate_ms=%lld write_ms=%lld\n",
        report.ok ? 1 : 0, static_cast<long long>(report.counts.clients),
        static_cast<long long>(report.counts.instruments),
        static_cast<long long>(report.counts.positions),
        static_cast<long long>(report.counts.holdings), static_cast<long long>(report.counts.funds),
        static_cast<long long>(report.validate_time.count()),
        static_cast<long long>(report.write_time.count()));
    return report.ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sod_import_bench: %s\n", e.what());
    return 1;
  }
}
