#include "simulator.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "irra/domain/money.hpp"
#include "sim_clock.hpp"

namespace irra::sim {
namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr auto tick_period = std::chrono::milliseconds{10};
constexpr auto journal_flush_period = std::chrono::milliseconds{200};

std::unique_ptr<journal> open_journal(const std::filesystem::path& file) {
  if (file.empty()) return nullptr;
  return std::make_unique<journal>(file);
}

http_response json_reply(http::status status, const nlohmann::json& body) {
  http_response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.body() = body.dump();
  res.body() += '\n';
  return res;
}

http_response error_reply(http::status status, std::string_view code, std::string_view message) {
  return json_reply(status, {{"error", code}, {"message", message}});
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    out[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::uint64_t> to_u64(const std::string& s) {
  std::uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

simulator::simulator(net::io_context& ioc, sim_options options, sod::Dump dump)
    : ioc_(ioc),
      options_(std::move(options)),
      dump_(std::move(dump)),
      journal_(open_journal(options_.journal)),
      exchange_(dump_, options_, journal_.get()),
      fix_(ioc, exchange_),
      http_(ioc, [this](const http_request& r) { return handle(r); }),
      tick_timer_(ioc) {}

std::optional<net::ip::tcp::endpoint> simulator::endpoint_of(const host_port& hp) {
  boost::system::error_code ec;
  const std::string host = hp.host == "localhost" ? "127.0.0.1" : hp.host;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return net::ip::tcp::endpoint(address, hp.port);
}

void simulator::start_fix() {
  fix_.start(*endpoint_of(options_.listen));
}

void simulator::start_http() {
  http_.start(*endpoint_of(options_.health_listen));
}

void simulator::start_timer() {
  last_walk_ = last_flush_ = std::chrono::steady_clock::now();
  schedule_tick();
}

void simulator::stop() {
  net::post(ioc_, [this] {
    if (stopped_) return;
    stopped_ = true;
    tick_timer_.cancel();
    fix_.stop();
    http_.stop();
    if (journal_) journal_->flush();
  });
}

void simulator::schedule_tick() {
  tick_timer_.expires_after(tick_period);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    on_tick();
    schedule_tick();
  });
}

void simulator::on_tick() {
  const auto now = clock_now();
  // With --virtual-clock the walk steps on the exchange's clock (exchange::advance_clock).
  if (options_.walk_ms > 0 && !options_.virtual_clock &&
      now.steady - last_walk_ >= std::chrono::milliseconds(options_.walk_ms)) {
    last_walk_ = now.steady;
    exchange_.step_prices(now);
  }
  exchange_.on_tick(now);
  if (journal_ && now.steady - last_flush_ >= journal_flush_period) {
    last_flush_ = now.steady;
    journal_->flush();
  }
}

http_response simulator::handle(const http_request& req) {
  const std::string_view target = req.target();
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  const bool post = req.method() == http::verb::post;

  if (path == "/health") {
    if (!get) return error_reply(http::status::method_not_allowed, "method_not_allowed", "use GET");
    return json_reply(main_site_up_ ? http::status::ok : http::status::service_unavailable,
                      {{"status", main_site_up_ ? "up" : "down"}});
  }
  if (path == "/control/main-site/down" || path == "/control/main-site/up") {
    if (!post)
      return error_reply(http::status::method_not_allowed, "method_not_allowed", "use POST");
    main_site_up_ = path.ends_with("/up");
    spdlog::info("main site is now {}", main_site_up_ ? "up" : "down");
    return json_reply(http::status::ok, {{"main_site", main_site_up_ ? "up" : "down"}});
  }
  const auto query = parse_query(qmark == std::string_view::npos ? "" : target.substr(qmark + 1));
  if (path == "/control/state") {
    if (!get) return error_reply(http::status::method_not_allowed, "method_not_allowed", "use GET");
    const auto p = query.find("positions");
    nlohmann::json doc = exchange_.state(p == query.end() || p->second != "0");
    doc["main_site"] = main_site_up_ ? "up" : "down";
    return json_reply(http::status::ok, doc);
  }
  if (!post) {
    if (path.starts_with("/control/")) {
      return error_reply(http::status::method_not_allowed, "method_not_allowed", "use POST");
    }
    return error_reply(http::status::not_found, "not_found", "no such endpoint");
  }
  const auto now = clock_now();
  if (path == "/control/price") {
    const auto instrument = query.find("instrument");
    const auto price = query.find("price");
    const auto paise = price == query.end() ? std::nullopt : domain::parse_rupees(price->second);
    if (instrument == query.end() || !paise) {
      return error_reply(http::status::bad_request, "bad_request",
                         "need instrument=EXCH:SYMBOL and price=RUPEES");
    }
    std::string error;
    if (!exchange_.set_price(instrument->second, *paise, now, error)) {
      return error_reply(http::status::unprocessable_entity, "bad_price", error);
    }
    return json_reply(http::status::ok,
                      {{"instrument", instrument->second}, {"price", price->second}});
  }
  if (path == "/control/flow") {
    const auto rate = query.count("rate") ? to_u64(query.at("rate")) : exchange_.flow().rate();
    const auto count = query.count("count") ? to_u64(query.at("count")) : exchange_.flow().limit();
    if (!rate || !count)
      return error_reply(http::status::bad_request, "bad_request", "rate and count are integers");
    exchange_.flow().reconfigure(*rate, *count, now);
    return json_reply(
        http::status::ok,
        {{"rate", *rate}, {"count", *count}, {"emitted", exchange_.flow().emitted()}});
  }
  constexpr std::string_view fault_prefix = "/control/fix/";
  if (path.starts_with(fault_prefix)) return handle_fault(path.substr(fault_prefix.size()), req);
  return error_reply(http::status::not_found, "not_found", "no such endpoint");
}

http_response simulator::handle_fault(std::string_view fault, const http_request& req) {
  const std::string_view target = req.target();
  const auto qmark = target.find('?');
  const auto query = parse_query(qmark == std::string_view::npos ? "" : target.substr(qmark + 1));
  const auto name = query.find("session");
  const auto kind = name == query.end() ? std::nullopt : parse_session_kind(name->second);
  if (!kind)
    return error_reply(http::status::bad_request, "bad_request", "session=dc|oe|md required");
  acceptor_session& s = exchange_.session(*kind);
  const auto number = [&](const char* key, std::uint64_t fallback) -> std::optional<std::uint64_t> {
    const auto it = query.find(key);
    return it == query.end() ? std::optional<std::uint64_t>{fallback} : to_u64(it->second);
  };
  const auto now = clock_now();
  const auto not_connected = [] {
    return error_reply(http::status::conflict, "not_connected", "the session is not logged on");
  };
  spdlog::info("fault injection: {} on {}", fault, short_name(*kind));
  nlohmann::json done = {{"session", short_name(*kind)}, {"fault", fault}};
  if (fault == "disconnect") {
    if (!s.attached()) return not_connected();
    s.drop_connection("disconnect injected");
    return json_reply(http::status::ok, done);
  }
  if (fault == "skip-seq") {
    const auto count = number("count", 1);
    if (!count || *count == 0 || *count > 1'000'000) {
      return error_reply(http::status::bad_request, "bad_request", "count=1..1000000");
    }
    s.hold_back(*count);
    done["count"] = *count;
    return json_reply(http::status::ok, done);
  }
  if (fault == "duplicate") {
    if (!s.send_duplicate(now)) {
      return error_reply(http::status::conflict, "nothing_to_duplicate",
                         "not logged on, or no application message sent yet");
    }
    return json_reply(http::status::ok, done);
  }
  if (fault == "garbage") {
    if (!s.logged_on()) return not_connected();
    // A broken message (bad checksum) and bytes that are not FIX at all.
    s.write_raw(std::string("8=FIX.4.4\x01"
                            "9=5\x01"
                            "35=0\x01"
                            "10=000\x01") +
                "\x01garbage!@#$%\r\n");
    return json_reply(http::status::ok, done);
  }
  if (fault == "reset") {
    if (!s.logged_on()) return not_connected();
    const auto jump = number("jump", 10);
    if (!jump || *jump > 1'000'000)
      return error_reply(http::status::bad_request, "bad_request", "jump=0..1000000");
    s.send_sequence_reset(*jump, now);
    done["new_seq_no"] = s.next_out_seq();
    return json_reply(http::status::ok, done);
  }
  if (fault == "half-open") {
    const auto seconds = number("seconds", 10);
    if (!seconds || *seconds == 0 || *seconds > 3600) {
      return error_reply(http::status::bad_request, "bad_request", "seconds=1..3600");
    }
    if (!s.half_open(std::chrono::seconds(*seconds))) return not_connected();
    done["seconds"] = *seconds;
    return json_reply(http::status::ok, done);
  }
  return error_reply(http::status::not_found, "not_found", "unknown fault");
}

}  // namespace irra::sim
