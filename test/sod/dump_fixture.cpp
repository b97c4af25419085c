#include "dump_fixture.hpp"

#include <openssl/evp.h>
#include <soci/soci.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

#include "irra/store/database.hpp"

namespace irra::sod::test {

DumpFiles good_dump() {
  DumpFiles d;
  d.csv["clients.csv"] =
      "ucc,pan,name,mobile,email,eligible\n"
      "C000001,ABCDE1234F,Asha Rao,9876543210,asha@example.com,Y\n"
      "C000002,BCDEF2345G,\"Rao, Kiran\",+919812345678,kiran@example.com,N\n"
      "C000003,CDEFG3456H,\"Dinesh \"\"Dinu\"\" Iyer\",9000000003,,Y\n";
  d.csv["instruments.csv"] =
      "instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,"
      "upper_band,prev_close\n"
      "NSE:RELIANCE,NSE,EQ,RELIANCE,1,0.05,100000,2205.45,2695.55,2450.50\n"
      "NSE:NIFTY24DEC24000CE,NSE,FO,NIFTY24DEC24000CE,25,0.05,1800,0.05,950,312.4\n"
      "MCX:CRUDEOIL24DECFUT,MCX,COM,CRUDEOIL24DECFUT,100,1,10000,5800,6400,6123\n";
  d.csv["positions.csv"] =
      "ucc,instrument_id,product,net_qty,avg_price\n"
      "C000001,NSE:RELIANCE,CNC,10,2400.5\n"
      "C000001,NSE:NIFTY24DEC24000CE,NRML,-50,300.25\n"
      "C000002,MCX:CRUDEOIL24DECFUT,NRML,200,6100\n"
      "C000001,NSE:RELIANCE,MIS,-5,2451\n";
  d.csv["holdings.csv"] =
      "ucc,instrument_id,qty,avg_price\n"
      "C000001,NSE:RELIANCE,100,1800.75\n"
      "C000003,NSE:RELIANCE,3,2000\n";
  d.csv["funds.csv"] =
      "ucc,opening_balance,margin_used,collateral\n"
      "C000001,150000.50,20000,0\n"
      "C000002,-1200.05,0,50000\n"
      "C000003,0,0,0\n";
  return d;
}

DumpFiles next_day_dump() {
  DumpFiles d;
  d.trading_date = "2024-12-03";
  d.generated_at = "2024-12-02T18:30:00.250Z";
  d.csv["clients.csv"] =
      "ucc,pan,name,mobile,email,eligible\n"
      "C000009,ZZZZZ9999Z,Meera Nair,9123456780,meera@example.com,Y\n";
  d.csv["instruments.csv"] =
      "instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,"
      "upper_band,prev_close\n"
      "NSE:INFY,NSE,EQ,INFY,1,0.05,50000,1700,2100,1900.10\n";
  d.csv["positions.csv"] =
      "ucc,instrument_id,product,net_qty,avg_price\n"
      "C000009,NSE:INFY,CNC,7,1890.05\n";
  d.csv["holdings.csv"] = "ucc,instrument_id,qty,avg_price\n";
  d.csv["funds.csv"] =
      "ucc,opening_balance,margin_used,collateral\n"
      "C000009,5000,0,0\n";
  return d;
}

TempDir::TempDir() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("irra-sod-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

std::int64_t data_rows(const std::string& csv) {
  std::int64_t records = 0;
  bool quoted = false;
  for (const char c : csv) {
    if (c == '"') quoted = !quoted;
    if (c == '\n' && !quoted) ++records;
  }
  if (!csv.empty() && csv.back() != '\n') ++records;
  return records - 1;
}

void write_dump(const std::filesystem::path& dir, const DumpFiles& files) {
  std::string manifest = "{\"trading_date\": \"" + files.trading_date + "\", \"generated_at\": \"" +
                         files.generated_at + "\", \"files\": {";
  bool first = true;
  for (const auto& [name, bytes] : files.csv) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    const auto rows =
        files.rows_override.count(name) ? files.rows_override.at(name) : data_rows(bytes);
    const auto sha =
        files.sha_override.count(name) ? files.sha_override.at(name) : sha256_hex(bytes);
    manifest += (first ? "" : ", ") + std::string("\"") + name +
                "\": {\"rows\": " + std::to_string(rows) + ", \"sha256\": \"" + sha + "\"}";
    first = false;
  }
  manifest += "}}\n";
  std::ofstream(dir / "manifest.json", std::ios::binary) << manifest;
}

bool test_db_is_mysql() {
  const char* url = std::getenv("IRRA_TEST_DB_URL");
  return url != nullptr && std::string_view(url).starts_with("mysql://");
}

std::unique_ptr<soci::session> open_test_db(const std::filesystem::path& dir) {
  const char* url = std::getenv("IRRA_TEST_DB_URL");
  const std::string text =
      url != nullptr && *url != '\0' ? std::string(url) : "sqlite3://" + (dir / "irra.db").string();
  auto sql = store::open(store::DbUrl::parse(text));
  for (const char* table :
       {"sod_positions", "holdings", "funds", "clients", "instruments", "sod_imports"}) {
    *sql << std::string("DELETE FROM ") + table;
  }
  return sql;
}

}  // namespace irra::sod::test
