#include "sim_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <future>
#include <map>
#include <random>
#include <stdexcept>

#include "irra/fix/tags.hpp"
#include "irra/sod/dump.hpp"

namespace irra::sim::test {
namespace {

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

int connect_local(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

temp_dir::temp_dir() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("irra-sim-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_test_dump(const std::filesystem::path& dir) {
  std::map<std::string, std::string> csv;
  csv["clients.csv"] =
      "ucc,pan,name,mobile,email,eligible\n"
      "C000001,ABCDE1234F,Asha Rao,9876543210,asha@example.com,Y\n"
      "C000002,BCDEF2345G,Algo Fund,9812345678,desk@example.com,N\n"
      "C000003,CDEFG3456H,Dinesh Iyer,9000000003,dinesh@example.com,Y\n";
  csv["instruments.csv"] =
      "instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,"
      "upper_band,prev_close\n"
      "NSE:RELIANCE,NSE,EQ,RELIANCE,1,0.05,100000,2205.45,2695.55,2450.50\n"
      "NSE:NIFTY24DEC24000CE,NSE,FO,NIFTY24DEC24000CE,25,0.05,1800,0.05,950,312.40\n";
  csv["positions.csv"] =
      "ucc,instrument_id,product,net_qty,avg_price\n"
      "C000001,NSE:RELIANCE,CNC,10,2400.50\n"
      "C000002,NSE:NIFTY24DEC24000CE,NRML,-50,300.25\n";
  csv["holdings.csv"] = "ucc,instrument_id,qty,avg_price\n";
  csv["funds.csv"] =
      "ucc,opening_balance,margin_used,collateral\n"
      "C000001,150000,0,0\n";
  std::string manifest =
      "{\"trading_date\": \"2024-12-02\", \"generated_at\": \"2024-12-01T18:30:00Z\", \"files\": {";
  bool first = true;
  for (const auto& [name, bytes] : csv) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    std::int64_t rows = -1;
    for (const char c : bytes) rows += c == '\n';
    manifest += (first ? "" : ", ") + std::string("\"") + name +
                "\": {\"rows\": " + std::to_string(rows) + ", \"sha256\": \"" + sha256_hex(bytes) +
                "\"}";
    first = false;
  }
  manifest += "}}";
  std::ofstream(dir / "manifest.json", std::ios::binary) << manifest;
}

running_sim::running_sim(std::function<void(sim_options&)> tune) {
  spdlog::set_level(spdlog::level::warn);
  write_test_dump(dir_.path());
  journal_ = dir_.path() / "journal.jsonl";
  sim_options o;
  o.listen = {"127.0.0.1", 0};
  o.health_listen = {"127.0.0.1", 0};
  o.dump = dir_.path();
  o.journal = journal_;
  o.walk_ms = 0;  // prices stay at the previous close unless a test moves them
  if (tune) tune(o);
  sod::DumpResult dump = sod::read_dump(o.dump);
  if (!dump.dump) throw std::runtime_error("test dump invalid: " + dump.errors.front());
  sim_ = std::make_unique<simulator>(ioc_, o, std::move(*dump.dump));
  sim_->start_fix();
  sim_->start_http();
  sim_->start_timer();
  fix_port_ = sim_->fix_endpoint().port();
  http_port_ = sim_->http_endpoint().port();
  thread_ = std::thread([this] { ioc_.run(); });
}

running_sim::~running_sim() {
  sim_->stop();
  thread_.join();
}

http_result http_call(std::uint16_t port, const std::string& method, const std::string& target) {
  const int fd = connect_local(port);
  if (fd < 0) return {};
  const std::string req =
      method + " " + target +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  http_result result;
  if (write_all(fd, req)) {
    std::string resp;
    char buf[65536];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 5000) > 0) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      resp.append(buf, static_cast<std::size_t>(n));
    }
    if (resp.starts_with("HTTP/1.1 ") && resp.size() >= 12) {
      result.status = std::stoi(resp.substr(9, 3));
      const auto body = resp.find("\r\n\r\n");
      if (body != std::string::npos) result.body = resp.substr(body + 4);
    }
  }
  ::close(fd);
  return result;
}

fix_client::fix_client(std::uint16_t port, std::string target_comp_id, std::string sender,
                       std::chrono::seconds heart_bt_int)
    : port_(port),
      session_(
          [&] {
            fix::session_config c;
            c.sender_comp_id = std::move(sender);
            c.target_comp_id = std::move(target_comp_id);
            c.heart_bt_int = heart_bt_int;
            c.test_request_grace = std::chrono::seconds{1};
            return c;
          }(),
          store_, *this) {}

fix_client::~fix_client() {
  disconnect();
}

fix::session_time fix_client::now() const {
  return {std::chrono::steady_clock::now(),
          std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

bool fix_client::logon(bool new_day, std::chrono::milliseconds timeout) {
  disconnect();
  fd_ = connect_local(port_);
  if (fd_ < 0) return false;
  session_.on_connected(now(), new_day);
  flush();
  return wait_for([&] { return logged_on(); }, timeout);
}

void fix_client::disconnect() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    session_.on_disconnected();
  }
}

void fix_client::flush() {
  const std::string out = session_.take_output();
  if (fd_ >= 0 && !out.empty() && !write_all(fd_, out)) disconnect();
  if (fd_ >= 0 && session_.disconnect_requested()) disconnect();
}

void fix_client::send_raw(const std::string& bytes) {
  if (fd_ >= 0) write_all(fd_, bytes);
}

void fix_client::pump(std::chrono::milliseconds max_wait) {
  if (fd_ < 0) return;
  pollfd p{fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(max_wait.count()));
  if (r > 0) {
    char buf[1 << 16];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      disconnect();
      return;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    const std::size_t used = session_.on_bytes(in_, now());
    in_.erase(0, used);
  }
  session_.on_timer(now());
  flush();
}

bool fix_client::wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds::zero()) return false;
    if (fd_ < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
      continue;
    }
    pump(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(left),
                  std::chrono::milliseconds{20}));
  }
  return true;
}

std::uint64_t fix_client::send(const fix::new_order_single& m) {
  const auto seq = session_.send_application(fix::msg_type::new_order_single, now(),
                                             [&](fix::writer& w) { return encode_body(w, m); });
  flush();
  return seq;
}

std::uint64_t fix_client::send(const fix::order_cancel_request& m) {
  const auto seq = session_.send_application(fix::msg_type::order_cancel_request, now(),
                                             [&](fix::writer& w) { return encode_body(w, m); });
  flush();
  return seq;
}

std::uint64_t fix_client::send(const fix::market_data_request& m) {
  const auto seq = session_.send_application(fix::msg_type::market_data_request, now(),
                                             [&](fix::writer& w) { return encode_body(w, m); });
  flush();
  return seq;
}

void fix_client::on_application(const fix::message& m, std::uint64_t) {
  ++app_count_;
  if (keep_messages) received_.emplace_back(m.raw());
}

void fix_client::on_event(fix::session_event e, std::string_view) {
  events_.push_back(e);
}

std::vector<fix::execution_report> fix_client::reports() const {
  std::vector<fix::execution_report> out;
  fix::message m;
  for (const std::string& raw : received_) {
    if (!m.parse(raw) || m.msg_type() != fix::msg_type::execution_report) continue;
    fix::execution_report r;
    if (fix::decode(m, r).ok()) out.push_back(r);
  }
  return out;
}

std::size_t fix_client::count_type(std::string_view msg_type) const {
  std::size_t n = 0;
  fix::message m;
  for (const std::string& raw : received_) {
    if (m.parse(raw) && m.msg_type() == msg_type) ++n;
  }
  return n;
}

fix::new_order_single reliance_order(std::string_view cl_ord_id, char side, std::int64_t qty,
                                     std::optional<std::int64_t> price) {
  fix::new_order_single o;
  o.cl_ord_id = cl_ord_id;
  o.account = "C000001";
  o.symbol = "RELIANCE";
  o.security_exchange = "NSE";
  o.product = "CNC";
  o.side = side;
  o.order_qty = qty;
  o.ord_type = price ? '2' : '1';
  o.price = price;
  o.transact_time =
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  return o;
}

}  // namespace irra::sim::test
