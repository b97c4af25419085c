#include "irra/web/admin_api.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "api_support.hpp"
#include "db_reader.hpp"
#include "irra/domain/book.hpp"
#include "irra/domain/timestamp.hpp"
#include "irra/failover/failover.hpp"
#include "irra/http/cookies.hpp"
#include "irra/http/json_body.hpp"
#include "irra/staff/accounts.hpp"
#include "irra/staff/authenticator.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/writer.hpp"
#include "irra/trading/bulk_jobs.hpp"
#include "irra/trading/engine.hpp"
#include "irra/trading/json_views.hpp"
#include "irra/web/admin_endpoints.hpp"
#include "irra/web/api.hpp"
#include "irra/web/reference_data.hpp"
#include "stream_hub.hpp"

namespace irra::web {

namespace net = boost::asio;
using nlohmann::json;
using http::Request;
using http::Responder;
using http::Status;
using http::Verb;
using staff::Role;

namespace {

constexpr std::string_view staff_cookie = "__Host-irra_staff";
constexpr std::size_t max_text = 500;           // reason, evidence reference
constexpr std::size_t max_search_results = 50;
constexpr std::int64_t max_csv_records = 200'000;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// A required free-text field (reason, evidence reference): 1..max_text characters after
// trimming, no control characters.
std::optional<std::string> text_field(const json& b, const char* name) {
  if (!b.is_object()) return std::nullopt;
  const auto it = b.find(name);
  if (it == b.end() || !it->is_string()) return std::nullopt;
  auto v = trim(it->get_ref<const std::string&>());
  if (v.empty() || v.size() > max_text) return std::nullopt;
  for (const unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  return v;
}

std::string_view source_of(const domain::Order& o) {
  if (o.source == domain::OrderSource::main || !o.origin) return "main";
  return domain::to_string(*o.origin);
}

http::Response forbidden() {
  return http::error_response(Status::forbidden, "forbidden",
                              "Your role does not allow this action.");
}

// Exposure sums can exceed int64 paise only in absurd books; clamp rather than wrap.
__extension__ typedef __int128 wide;
domain::Paise clamp_paise(wide v) {
  constexpr auto max = std::numeric_limits<domain::Paise>::max();
  return v > max ? max : static_cast<domain::Paise>(v);
}

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

struct AdminApi::Impl {
  using StaffHandler =
      std::function<void(const Request&, Responder, const StaffSession&, std::string_view token)>;

  Impl(net::any_io_executor strand, Api& investor, failover::Failover& failover,
       trading::BulkJobs& jobs, staff::Authenticator& authenticator, store::DbUrl url,
       std::vector<config::Cidr> allow_from, AdminOptions options)
      : strand_(std::move(strand)),
        inv_(*investor.impl_),
        failover_(failover),
        jobs_(jobs),
        authn_(authenticator),
        reader_(std::move(url)),
        allow_from_(std::move(allow_from)),
        options_(std::move(options)),
        sessions_(options_.sessions),
        sync_timer_(strand_) {
    build_client_index();
  }

  // ---------------------------------------------------------------- plumbing
  TimePoint now() const { return std::chrono::system_clock::now(); }
  static std::string iso(TimePoint t) { return Api::Impl::iso(t); }

  bool allowed(const Request& req) const {
    for (const auto& cidr : allow_from_) {
      if (cidr.contains(req.remote_address())) return true;
    }
    return false;
  }

  // The handler of a staff endpoint: the session, CSRF and role checks of its table entry
  // (admin_endpoints.hpp) run on the trading strand before `handler`.
  void route(AdminHandlers& into, Verb verb, std::string_view pattern, StaffHandler handler) {
    const AdminEndpoint* e = find_admin_endpoint(verb, pattern);
    if (!e || !e->staff_session) {
      throw std::logic_error("admin route without a staff table entry: " + std::string(pattern));
    }
    into[{verb, std::string(pattern)}] = [this, e, handler = std::move(handler)](const Request& req,
                                                                               Responder res) {
      inv_.on_strand(req, std::move(res), [this, e, &handler](const Request& r, Responder out) {
        const auto token = r.cookie(staff_cookie);
        const StaffSession* s = token ? sessions_.find(*token, now()) : nullptr;
        const bool csrf_ok = s && sessions_.check_csrf(*s, r.header("X-CSRF-Token"));
        switch (admin_access(*e, s ? std::optional(s->role) : std::nullopt, csrf_ok)) {
          case AdminAccess::unauthorized:
            return out.send(http::error_response(Status::unauthorized, "unauthorized",
                                                 "Please log in (no session, or it has expired)."));
          case AdminAccess::csrf:
            audit("staff.refused", r, *s, std::nullopt, json{{"reason", "csrf"}, {"path", r.path()}});
            return out.send(http::error_response(Status::forbidden, "csrf",
                                                 "Missing or wrong X-CSRF-Token header."));
          case AdminAccess::forbidden:
            audit("staff.refused", r, *s, std::nullopt,
                  json{{"reason", "role"}, {"path", r.path()}, {"needs", staff::to_string(e->need)}});
            return out.send(forbidden());
          case AdminAccess::allowed:
            break;
        }
        handler(r, std::move(out), *s, *token);
      });
    };
  }

  void audit(std::string type, const Request& req, const StaffSession& s,
             std::optional<std::string> ucc, json detail) {
    audit_as(std::move(type), req, s.user, std::string(staff::to_string(s.role)), std::move(ucc),
             std::move(detail));
  }

  void audit_as(std::string type, const Request& req, const std::string& user,
                const std::string& role, std::optional<std::string> ucc, json detail) {
    store::AuditEvent e;
    e.type = std::move(type);
    e.actor = "staff:" + (user.empty() ? std::string("-") : user);
    if (e.actor.size() > 128) e.actor.resize(128);
    e.ucc = std::move(ucc);
    e.ip = req.remote_address().to_string();
    auto ua = std::string(req.user_agent());
    if (ua.size() > 512) ua.resize(512);
    e.user_agent = std::move(ua);
    if (!detail.is_object()) detail = json::object();
    if (!role.empty()) detail["role"] = role;
    e.detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
    if (!inv_.audit_.append(std::move(e))) {
      spdlog::error("audit: the writer refused a staff audit record");
    }
  }

  // ---------------------------------------------------------------- live feed
  void feed(std::string_view event, const json& data) {
    if (streams_.empty()) return;
    const auto text = StreamHub::format(event, data);
    for (auto& e : streams_) {
      if (e.stream) e.stream->send(text);
    }
  }

  void staff_event(const StaffSession& s, std::string action, std::optional<std::string> ucc,
                   const std::string& reason, const std::string& evidence, json outcome) {
    feed("staff", json{{"user", s.user},
                       {"role", staff::to_string(s.role)},
                       {"action", std::move(action)},
                       {"ucc", ucc ? json(*ucc) : json(nullptr)},
                       {"reason", reason},
                       {"evidence_ref", evidence},
                       {"time", iso(now())},
                       {"outcome", std::move(outcome)}});
  }

  void on_updates(const std::vector<trading::Update>& updates) {
    if (streams_.empty()) return;
    for (const auto& u : updates) {
      json data = u.object;
      data["ucc"] = u.ucc;
      const char* name = u.kind == trading::Update::Kind::order   ? "order"
                         : u.kind == trading::Update::Kind::trade ? "trade"
                                                                  : "position";
      feed(name, data);
    }
  }

  void open_stream(const Request&, Responder out, const StaffSession&, std::string_view token) {
    if (stopped_) {  // stopping: stop() has closed the feeds, a new one would stay open
      return out.send(http::error_response(Status::service_unavailable, "unavailable",
                                           "The server is stopping."));
    }
    http::Response head{Status::ok, 11};
    head.set(boost::beast::http::field::content_type, "text/event-stream; charset=utf-8");
    head.set("X-Accel-Buffering", "no");
    auto stream = out.start_stream(std::move(head));
    if (!stream) return;
    const auto id = next_stream_id_++;
    streams_.push_back(Entry{id, std::string(token), stream});
    stream->on_close([this, strand = strand_, id, alive = std::weak_ptr<int>(alive_)] {
      net::post(strand, [this, id, alive] {
        if (!alive.lock()) return;
        std::erase_if(streams_, [id](const Entry& e) { return e.id == id; });
      });
    });
    stream->send("retry: " + std::to_string(options_.stream_retry.count()) + "\n: connected\n\n");
    feed_mode(*stream);
  }

  void feed_mode(http::EventStream& stream) {
    stream.send(StreamHub::format(
        "mode", json{{"mode", inv_.engine_.mode()},
                     {"since", domain::format_iso8601(inv_.engine_.mode_since())}}));
  }

  // ---------------------------------------------------------------- login
  void login(const Request& req, Responder out) {
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    const json& b = body.value;
    const auto str = [&](const char* name, std::size_t max) -> std::optional<std::string> {
      if (!b.is_object()) return std::nullopt;
      const auto it = b.find(name);
      if (it == b.end() || !it->is_string()) return std::nullopt;
      const auto& v = it->get_ref<const std::string&>();
      if (v.empty() || v.size() > max) return std::nullopt;
      return v;
    };
    auto user = str("user", 64);
    auto password = str("password", 1024);
    auto totp = str("totp", 16);
    if (!user || !password || !totp) {
      return out.send(http::error_response(Status::bad_request, "bad_request",
                                           "Give \"user\", \"password\" and the 6-digit \"totp\"."));
    }
    const auto ip = req.remote_address().to_string();
    if (const auto wait = sessions_.blocked(*user, ip, now())) {
      return out.send(rate_limited(req, *user, ip, *wait));
    }
    auto shared_out = std::make_shared<Responder>(std::move(out));
    authn_.check(*user, std::move(*password), std::move(*totp), unix_seconds(now()), strand_,
                 [this, &req, shared_out, user = *user, ip, alive = std::weak_ptr<int>(alive_)](
                     staff::LoginCheck r) {
                   if (!alive.lock()) return;
                   finish_login(req, *shared_out, user, ip, r);
                 });
  }

  // 429 for a blocked user name or address. Only the first refusal per (user, address) in a
  // minute is audited and logged at info: a flood of refused logins must not fill the
  // writer's queue (which also carries the order journal) or the log.
  http::Response rate_limited(const Request& req, const std::string& user, const std::string& ip,
                              std::chrono::seconds wait) {
    const auto t = now();
    auto key = loggable(user) + '|' + ip;
    const auto it = refusals_noted_.find(key);
    if (it == refusals_noted_.end() || t - it->second >= std::chrono::minutes(1)) {
      if (refusals_noted_.size() >= 10'000) refusals_noted_.clear();
      refusals_noted_[std::move(key)] = t;
      audit_as("staff.login_failed", req, loggable(user), "", std::nullopt,
               json{{"reason", "rate_limited"}});
      spdlog::info("staff: login for '{}' from {} refused: rate limited", loggable(user), ip);
    }
    const auto secs = std::max<std::int64_t>(1, wait.count());
    auto res = http::json_response(Status::too_many_requests,
                                   json{{"error", "rate_limited"},
                                        {"message", "Too many failed logins. Please wait and try again."},
                                        {"retry_after", secs}});
    res.set(boost::beast::http::field::retry_after, std::to_string(secs));
    return res;
  }

  // A user name as typed may hold anything (newlines would forge log lines): logs and the
  // audit get it only when it is a valid account name.
  static std::string loggable(const std::string& user) {
    return staff::valid_user_name(user) ? user : std::string("(invalid name)");
  }

  void finish_login(const Request& req, Responder& out, const std::string& user,
                    const std::string& ip, const staff::LoginCheck& r) {
    using O = staff::LoginCheck::Outcome;
    if (r.outcome == O::error) {
      spdlog::warn("staff: login for '{}' could not be checked: {}", loggable(user), r.message);
      return out.send(http::error_response(Status::service_unavailable, "unavailable",
                                           "Login is unavailable just now. Please try again."));
    }
    // Checks queued together all passed blocked() when they arrived; the worker answers in
    // order, so by now the failures before this one are counted: past the limit, every
    // answer (a right one too) is 429, and a burst of guesses learns nothing.
    if (const auto wait = sessions_.blocked(user, ip, now())) {
      return out.send(rate_limited(req, user, ip, *wait));
    }
    if (r.outcome != O::ok) {
      sessions_.note_failure(user, ip, now());
      audit_as("staff.login_failed", req, loggable(user), "", std::nullopt,
               json{{"reason", "wrong_credentials"}});
      spdlog::info("staff: failed login for '{}' from {}", loggable(user), ip);
      return out.send(http::error_response(Status::unauthorized, "unauthorized",
                                           "Wrong user, password or code."));
    }
    auto opened = sessions_.open(r.user, r.role, ip, std::string(req.user_agent()), now());
    if (!opened) {
      return out.send(http::error_response(Status::service_unavailable, "unavailable",
                                           "Too many staff sessions are open."));
    }
    audit_as("staff.login", req, r.user, std::string(staff::to_string(r.role)), std::nullopt,
             json{{"result", "ok"}});
    spdlog::info("staff: {} ({}) logged in from {}", r.user, staff::to_string(r.role), ip);
    feed("login", json{{"staff", r.user}, {"time", iso(now())}});
    auto res = http::json_response(Status::ok, json{{"user", r.user},
                                                    {"role", staff::to_string(r.role)},
                                                    {"csrf_token", opened->csrf_token},
                                                    {"idle_expires_at", iso(opened->idle_expires_at)},
                                                    {"expires_at", iso(opened->expires_at)}});
    res.set(boost::beast::http::field::set_cookie,
            http::build_set_cookie(staff_cookie, opened->token, http::CookieOptions{}));
    out.send(std::move(res));
  }

  void logout(const Request& req, Responder out) {
    auto res = http::empty_response(Status::no_content);
    http::CookieOptions gone;
    gone.max_age = std::chrono::seconds(0);
    res.set(boost::beast::http::field::set_cookie, http::build_set_cookie(staff_cookie, "", gone));
    const auto token = req.cookie(staff_cookie);
    const StaffSession* s = token ? sessions_.find(*token, now()) : nullptr;
    if (!s) return out.send(std::move(res));
    if (!sessions_.check_csrf(*s, req.header("X-CSRF-Token"))) {
      return out.send(
          http::error_response(Status::forbidden, "csrf", "Missing or wrong X-CSRF-Token header."));
    }
    audit("staff.logout", req, *s, std::nullopt, json::object());
    const std::string tok(*token);
    sessions_.end(tok);
    close_streams_of(tok);
    out.send(std::move(res));
  }

  json session_json(const StaffSession& s) const {
    return json{{"user", s.user},
                {"role", staff::to_string(s.role)},
                {"csrf_token", s.csrf_token},
                {"idle_expires_at", iso(s.idle_expires_at)},
                {"expires_at", iso(s.expires_at)}};
  }

  void close_streams_of(const std::string& token) {
    for (auto& e : streams_) {
      if (e.token == token && e.stream) e.stream->close();
    }
  }

  // Ends sessions of disabled, reset or re-roled accounts; closes feeds of ended sessions.
  void sync_accounts() {
    authn_.accounts(strand_, [this, alive = std::weak_ptr<int>(alive_)](
                                 std::vector<staff::Account> accounts) {
      if (!alive.lock() || stopped_) return;
      if (const auto ended = sessions_.sync(accounts)) {
        spdlog::info("staff: {} session(s) ended (account disabled, reset or changed)", ended);
      }
    });
    const auto t = now();
    sessions_.sweep(t);
    for (auto& e : streams_) {
      if (e.stream && !sessions_.has(e.token, t)) e.stream->close();
    }
  }

  void arm_sync() {
    sync_timer_.expires_after(options_.account_sync);
    sync_timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
      if (ec || !alive.lock() || stopped_) return;
      sync_accounts();
      arm_sync();
    });
  }

  // ---------------------------------------------------------------- overview
  json overview() {
    const auto t = std::chrono::steady_clock::now();
    if (!overview_cache_.is_null() && t - overview_at_ < std::chrono::seconds(1)) {
      return overview_cache_;
    }
    const auto& book = inv_.book_;
    json exchange = json::object();
    for (const auto& [name, state] : inv_.engine_.session_states()) {
      exchange[std::string(public_session_name(name))] = state;
    }
    std::map<std::string, std::uint64_t> orders{{"main", 0}, {"investor", 0}, {"staff", 0}, {"bulk", 0}};
    std::map<std::string, std::uint64_t> trades = orders;
    for (const auto& o : book.orders()) ++orders[std::string(source_of(o))];
    for (const auto& tr : book.trades()) {
      const auto* o = book.order(tr.order_id);
      ++trades[o ? std::string(source_of(*o)) : std::string("main")];
    }
    struct Agg {
      domain::Qty net = 0, longq = 0, shortq = 0;
      wide exposure = 0;  // paise
      std::size_t clients = 0;
    };
    std::unordered_map<std::string_view, Agg> by_inst;
    std::size_t open = 0;
    std::map<std::string, std::size_t> by_product;
    for (const auto& p : book.positions()) {
      const auto q = p.net_qty();
      if (q == 0) continue;
      ++open;
      ++by_product[std::string(domain::to_string(p.key().product))];
      auto& a = by_inst[p.key().instrument_id];
      a.net += q;
      (q > 0 ? a.longq : a.shortq) += q > 0 ? q : -q;
      ++a.clients;
    }
    std::vector<std::pair<std::string_view, Agg>> rows(by_inst.begin(), by_inst.end());
    for (auto& [id, a] : rows) {
      auto ltp = book.ltp(id);
      const auto* inst = book.instrument(id);
      if (!ltp && inst && inst->prev_close > 0) ltp = inst->prev_close;
      a.exposure = static_cast<wide>(a.longq + a.shortq) * (ltp ? *ltp : 0);
    }
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
      return x.second.exposure != y.second.exposure ? x.second.exposure > y.second.exposure
                                                    : x.first < y.first;
    });
    if (rows.size() > 100) rows.resize(100);
    json positions = json::array();
    for (const auto& [id, a] : rows) {
      const auto* inst = book.instrument(id);
      positions.push_back(json{{"instrument", id},
                               {"symbol", inst ? json(inst->symbol) : json(nullptr)},
                               {"segment", inst ? json(domain::to_string(inst->segment)) : json(nullptr)},
                               {"net_qty", a.net},
                               {"long_qty", a.longq},
                               {"short_qty", a.shortq},
                               {"exposure", trading::rupees(clamp_paise(a.exposure))},
                               {"clients", a.clients}});
    }
    overview_cache_ = json{
        {"mode", inv_.engine_.mode()},
        {"since", domain::format_iso8601(inv_.engine_.mode_since())},
        {"trading_date", inv_.engine_.trading_date()},
        {"exchange", std::move(exchange)},
        {"investors_logged_in", inv_.auth_.session_count()},
        {"investor_streams", inv_.streams_->size()},
        {"staff_logged_in", sessions_.count()},
        {"orders_today", orders},
        {"trades_today", trades},
        {"open_positions", std::move(positions)},
        {"open_positions_total", open},
        {"open_positions_by_product", by_product},
        {"write_backlog", inv_.writer_.stats().backlog},
        {"outbox_depth", options_.outbox_depth ? options_.outbox_depth() : 0},
        {"as_of", iso(now())}};
    overview_at_ = t;
    overview_cache_["jobs"] = jobs_.jobs();
    return overview_cache_;
  }

  // ---------------------------------------------------------------- clients
  void build_client_index() {
    const auto& clients = inv_.book_.clients();
    index_.reserve(clients.size() * 4);
    for (std::size_t i = 0; i < clients.size(); ++i) {
      const auto& c = clients[i];
      const auto n = static_cast<std::uint32_t>(i);
      index_.emplace_back(upper(c.ucc), n);
      if (!c.pan.empty()) index_.emplace_back(upper(c.pan), n);
      const auto name = upper(c.name);
      std::size_t pos = 0;
      while (pos < name.size()) {
        while (pos < name.size() && name[pos] == ' ') ++pos;
        if (pos >= name.size()) break;
        index_.emplace_back(name.substr(pos), n);  // every word starts a searchable suffix
        pos = name.find(' ', pos);
      }
    }
    std::sort(index_.begin(), index_.end());
  }

  json client_json(const domain::Client& c) const {
    std::size_t open = 0, pending = 0;
    for (const auto* p : inv_.book_.positions_of(c.ucc)) open += p->net_qty() != 0;
    for (const auto* o : inv_.book_.orders_of(c.ucc)) pending += !o->is_final();
    return json{{"ucc", c.ucc},       {"name", c.name},        {"pan", c.pan},
                {"mobile", c.mobile}, {"email", c.email},      {"eligible", c.eligible},
                {"open_positions", open}, {"pending_orders", pending}};
  }

  json search(std::string_view q) const {
    const auto key = trim_upper(q);
    json list = json::array();
    if (key.empty()) return json{{"clients", list}};
    std::vector<std::uint32_t> found;
    const auto& clients = inv_.book_.clients();
    auto it = std::lower_bound(index_.begin(), index_.end(), std::make_pair(key, std::uint32_t{0}));
    std::vector<std::uint32_t> exact, prefix;
    for (; it != index_.end() && it->first.compare(0, key.size(), key) == 0; ++it) {
      auto& into = it->first.size() == key.size() ? exact : prefix;
      if (std::find(into.begin(), into.end(), it->second) == into.end()) into.push_back(it->second);
      if (exact.size() + prefix.size() > 4 * max_search_results) break;
    }
    for (auto n : exact) found.push_back(n);
    for (auto n : prefix) {
      if (found.size() >= max_search_results) break;
      if (std::find(found.begin(), found.end(), n) == found.end()) found.push_back(n);
    }
    if (found.size() > max_search_results) found.resize(max_search_results);
    for (auto n : found) list.push_back(client_json(clients[n]));
    return json{{"clients", std::move(list)}};
  }

  // ---------------------------------------------------------------- acting for a client
  struct Instruction {
    std::string reason, evidence;
  };

  // The reason and evidence reference every staff order call needs; nullopt after answering.
  std::optional<Instruction> instruction(const json& b, Responder& out) {
    auto reason = text_field(b, "reason");
    if (!reason) {
      out.send(http::error_response(Status::bad_request, "reason_required",
                                    "Give the client's instruction as \"reason\" (1 to 500 characters)."));
      return std::nullopt;
    }
    auto evidence = text_field(b, "evidence_ref");
    if (!evidence) {
      out.send(http::error_response(
          Status::bad_request, "evidence_required",
          "Give the call-recording or ticket reference as \"evidence_ref\" (1 to 500 characters)."));
      return std::nullopt;
    }
    return Instruction{std::move(*reason), std::move(*evidence)};
  }

  // Common checks of a staff order call; the client, when the call may go on.
  const domain::Client* acting_client(const Request& req, Responder& out) {
    if (auto refusal = inv_.mode_refusal()) {
      out.send(std::move(*refusal));
      return nullptr;
    }
    const auto* c = inv_.book_.client(std::string(req.path_param("ucc")));
    if (!c) {
      out.send(http::error_response(Status::not_found, "not_found", "No such client."));
      return nullptr;
    }
    return c;
  }

  trading::Actor actor_of(const StaffSession& s, const Instruction& ins) const {
    return trading::Actor{domain::Origin::staff, s.user, ins.reason + " [evidence: " + ins.evidence + "]"};
  }

  void act_done(const Request& req, const std::shared_ptr<Responder>& out, const StaffSession& s,
                const std::string& action, const std::string& ucc, const Instruction& ins,
                json request, const trading::OrderAnswer& a) {
    auto detail = order_audit_detail(a, std::move(request));
    detail["reason"] = ins.reason;
    detail["evidence_ref"] = ins.evidence;
    audit(a.ok() ? "staff." + action : "staff." + action + "_refused", req, s, ucc, detail);
    staff_event(s, action, ucc, ins.reason, ins.evidence,
                json{{"status", a.http_status()},
                     {"orders", a.order_ids},
                     {"error", a.ok() ? json(nullptr) : json(trading::to_string(a.error))}});
    out->send(order_answer_response(a));
  }

  void square_off(const Request& req, Responder out, const StaffSession& s) {
    const auto* c = acting_client(req, out);
    if (!c) return;
    const auto key = idempotency_key(req);
    if (!key) {
      return out.send(http::error_response(Status::bad_request, "bad_request",
                                           "Idempotency-Key must be 1 to 128 visible characters."));
    }
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    trading::SquareOff what;
    json request;
    if (auto refusal = parse_square_off(body.value, what, request)) return out.send(std::move(*refusal));
    auto ins = instruction(body.value, out);
    if (!ins) return;
    const auto ucc = c->ucc;
    // The session may end while the order is in flight: keep what the answer needs.
    auto who = std::make_shared<StaffSession>(s);
    inv_.engine_.square_off(actor_of(s, *ins), ucc, what, *key,
                            [this, &req, out = std::make_shared<Responder>(std::move(out)), who, ucc,
                             ins = *ins, request = std::move(request)](trading::OrderAnswer a) mutable {
                              act_done(req, out, *who, "square_off", ucc, ins, std::move(request), a);
                            });
  }

  void square_off_all(const Request& req, Responder out, const StaffSession& s) {
    const auto* c = acting_client(req, out);
    if (!c) return;
    const auto key = idempotency_key(req);
    if (!key) {
      return out.send(http::error_response(Status::bad_request, "bad_request",
                                           "Idempotency-Key must be 1 to 128 visible characters."));
    }
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    auto ins = instruction(body.value, out);
    if (!ins) return;
    const auto ucc = c->ucc;
    auto who = std::make_shared<StaffSession>(s);
    inv_.engine_.square_off_all(actor_of(s, *ins), ucc, *key,
                                [this, &req, out = std::make_shared<Responder>(std::move(out)), who,
                                 ucc, ins = *ins](trading::OrderAnswer a) mutable {
                                  act_done(req, out, *who, "square_off_all", ucc, ins,
                                           json::object(), a);
                                });
  }

  void cancel(const Request& req, Responder out, const StaffSession& s) {
    const auto* c = acting_client(req, out);
    if (!c) return;
    const std::string order_id(req.path_param("order_id"));
    if (order_id.empty() || order_id.size() > 64) {
      return out.send(http::error_response(Status::not_found, "not_found", "No such order."));
    }
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    auto ins = instruction(body.value, out);
    if (!ins) return;
    const auto ucc = c->ucc;
    auto who = std::make_shared<StaffSession>(s);
    inv_.engine_.cancel_order(actor_of(s, *ins), ucc, order_id,
                              [this, &req, out = std::make_shared<Responder>(std::move(out)), who,
                               ucc, ins = *ins, order_id](trading::OrderAnswer a) mutable {
                                act_done(req, out, *who, "cancel", ucc, ins,
                                         json{{"order_id", order_id}}, a);
                              });
  }

  // ---------------------------------------------------------------- bulk, jobs, mode
  void bulk(const Request& req, Responder out, const StaffSession& s) {
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    const json& b = body.value;
    if (!b.is_object()) {
      return out.send(http::error_response(Status::bad_request, "bad_request", "The body must be a JSON object."));
    }
    trading::BulkJobSpec spec;
    if (const auto p = b.find("product"); p != b.end() && !p->is_null()) {
      const auto product = p->is_string() ? domain::parse_product(p->get_ref<const std::string&>())
                                          : std::nullopt;
      if (!product) {
        return out.send(http::error_response(Status::bad_request, "bad_request",
                                             "\"product\" must be MIS, NRML, CNC or MTF."));
      }
      spec.product = *product;
    }
    if (const auto g = b.find("segment"); g != b.end() && !g->is_null()) {
      if (!g->is_string() || g->get_ref<const std::string&>().empty() ||
          g->get_ref<const std::string&>().size() > 8) {
        return out.send(http::error_response(Status::bad_request, "bad_request",
                                             "\"segment\" must be a segment code such as FO."));
      }
      spec.segment = upper(g->get_ref<const std::string&>());
    }
    auto reason = text_field(b, "reason");
    if (!reason) {
      return out.send(http::error_response(Status::bad_request, "reason_required",
                                           "Give the reason for the bulk square-off as \"reason\"."));
    }
    spec.reason = *reason;
    spec.evidence_ref = text_field(b, "evidence_ref").value_or("");
    spec.created_by = "staff:" + s.user;
    auto who = std::make_shared<StaffSession>(s);
    jobs_.create(spec, [this, &req, out = std::make_shared<Responder>(std::move(out)), who,
                        spec](std::string error, json job) {
      json detail{{"product", domain::to_string(spec.product)},
                  {"segment", spec.segment ? json(*spec.segment) : json(nullptr)},
                  {"reason", spec.reason},
                  {"evidence_ref", spec.evidence_ref}};
      if (!error.empty()) {
        detail["error"] = error;
        audit("staff.bulk_square_off_refused", req, *who, std::nullopt, detail);
        if (error == "standby" || error == "recovery") {
          if (auto refusal = inv_.mode_refusal()) return out->send(std::move(*refusal));
          return out->send(http::error_response(Status::service_unavailable, error, "Not ACTIVE."));
        }
        if (error == "invalid_segment") {
          return out->send(http::error_response(Status::bad_request, "invalid_segment",
                                                "\"segment\" must be EQ, FO, CD or COM."));
        }
        if (error == "job_running") {
          return out->send(http::error_response(Status::conflict, "job_running",
                                                "A bulk square-off is already running."));
        }
        return out->send(http::error_response(Status::service_unavailable, "unavailable",
                                              "The job could not be recorded. Please try again."));
      }
      detail["job_id"] = job.value("job_id", "");
      detail["total"] = job.value("total", 0);
      audit("staff.bulk_square_off", req, *who, std::nullopt, detail);
      staff_event(*who, "bulk_square_off", std::nullopt, spec.reason, spec.evidence_ref,
                  json{{"job_id", job.value("job_id", "")}, {"total", job.value("total", 0)}});
      out->send(http::json_response(Status::accepted, json{{"job_id", job.value("job_id", "")}, {"job", job}}));
    });
  }

  void job_cancel(const Request& req, Responder out, const StaffSession& s) {
    const std::string id(req.path_param("job_id"));
    auto who = std::make_shared<StaffSession>(s);
    jobs_.cancel(id, "staff:" + s.user,
                 [this, &req, out = std::make_shared<Responder>(std::move(out)), who, id](
                     std::string error, json job) {
                   if (error == "not_found") {
                     return out->send(http::error_response(Status::not_found, "not_found", "No such job."));
                   }
                   if (!error.empty()) {
                     return out->send(http::error_response(Status::conflict, error,
                                                           "The job has already finished."));
                   }
                   audit("staff.job_cancel", req, *who, std::nullopt, json{{"job_id", id}});
                   staff_event(*who, "job_cancel", std::nullopt, "", "", json{{"job_id", id}});
                   out->send(http::json_response(Status::accepted, job));
                 });
  }

  void mode(const Request& req, Responder out, const StaffSession& s) {
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    const json& b = body.value;
    const auto to = b.is_object() && b.contains("to") && b["to"].is_string()
                        ? failover::parse_mode(b["to"].get_ref<const std::string&>())
                        : std::nullopt;
    if (!to) {
      return out.send(http::error_response(Status::bad_request, "bad_request",
                                           "\"to\" must be active, recovery or standby."));
    }
    auto reason = text_field(b, "reason");
    if (!reason) {
      return out.send(http::error_response(Status::bad_request, "reason_required",
                                           "Give the reason for the change as \"reason\"."));
    }
    auto who = std::make_shared<StaffSession>(s);
    failover_.request(*to, "staff:" + s.user, *reason,
                      [this, &req, out = std::make_shared<Responder>(std::move(out)), who,
                       reason = *reason, to = *to](const failover::CommandResult& r) {
                        json detail{{"to", failover::name(to)}, {"reason", reason}};
                        if (!r.ok) detail["error"] = r.error;
                        audit(r.ok ? "staff.mode" : "staff.mode_refused", req, *who, std::nullopt, detail);
                        if (!r.ok) {
                          const auto status = r.error == "bad_request" ? Status::bad_request
                                              : r.error == "already_in_mode" || r.error == "invalid_transition"
                                                  ? Status::conflict
                                                  : Status::service_unavailable;
                          return out->send(http::error_response(status, r.error, r.message));
                        }
                        staff_event(*who, "mode", std::nullopt, reason, "",
                                    json{{"mode", failover::name(r.mode)}});
                        out->send(http::json_response(
                            Status::ok, json{{"mode", failover::name(r.mode)},
                                             {"since", domain::format_iso8601(r.since)}}));
                      });
  }

  // ---------------------------------------------------------------- audit
  struct AuditQuery {
    store::AuditFilter filter;
    std::int64_t limit = 100, offset = 0;
  };

  std::optional<AuditQuery> audit_query(const Request& req, Responder& out) {
    AuditQuery q;
    const auto opt = [&](const char* name, std::size_t max) -> std::optional<std::string> {
      const auto v = req.query_param(name);
      if (!v || v->empty()) return std::nullopt;
      return std::string(v->substr(0, max));
    };
    if (auto v = opt("ucc", 32)) q.filter.ucc = upper(*v);
    if (auto v = opt("user", 64)) q.filter.actor = "staff:" + *v;
    if (auto v = opt("type", 64)) q.filter.type = *v;
    q.filter.from = opt("from", 40).value_or("");
    q.filter.to = opt("to", 40).value_or("");
    const auto number = [&](const char* name, std::int64_t dflt, std::int64_t lo,
                            std::int64_t hi) -> std::optional<std::int64_t> {
      const auto v = req.query_param(name);
      if (!v || v->empty()) return dflt;
      std::int64_t n = 0;
      for (const char c : *v) {
        if (c < '0' || c > '9' || n > 1'000'000'000) return std::nullopt;
        n = n * 10 + (c - '0');
      }
      if (n < lo || n > hi) return std::nullopt;
      return n;
    };
    const auto limit = number("limit", 100, 1, store::audit::max_page);
    const auto offset = number("offset", 0, 0, 1'000'000'000);
    if (!limit || !offset) {
      out.send(http::error_response(Status::bad_request, "bad_request",
                                    "limit must be 1 to 1000 and offset a whole number."));
      return std::nullopt;
    }
    q.limit = *limit;
    q.offset = *offset;
    return q;
  }

  static json record_json(const store::AuditRecord& r) {
    json detail = nullptr;
    if (r.event.detail) {
      detail = json::parse(*r.event.detail, nullptr, false);
      if (detail.is_discarded()) detail = *r.event.detail;
    }
    const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
    return json{{"seq", r.seq},       {"ts", r.event.ts},        {"type", r.event.type},
                {"actor", r.event.actor}, {"ucc", opt(r.event.ucc)}, {"ip", opt(r.event.ip)},
                {"user_agent", opt(r.event.user_agent)}, {"detail", std::move(detail)},
                {"prev_hash", r.prev_hash}, {"hash", r.hash}, {"chain_ok", r.chain_ok}};
  }

  void audit_search(const Request& req, Responder out, bool csv) {
    auto q = audit_query(req, out);
    if (!q) return;
    if (csv && *csv_running_) {
      return out.send(http::error_response(Status::service_unavailable, "busy",
                                           "Another audit export is running. Please try again."));
    }
    auto result = std::make_shared<std::string>();
    auto more = std::make_shared<bool>(false);
    auto shared_out = std::make_shared<Responder>(std::move(out));
    const auto query = *q;
    auto job = [query, csv, result, more](soci::session& sql) {
      if (!csv) {
        auto page = store::audit::query(sql, query.filter, query.limit, query.offset);
        json records = json::array();
        for (const auto& r : page.records) records.push_back(record_json(r));
        *more = page.more;
        *result = json{{"records", std::move(records)},
                       {"more", page.more},
                       {"next_offset", query.offset + static_cast<std::int64_t>(page.records.size())}}
                      .dump(-1, ' ', false, json::error_handler_t::replace);
        return;
      }
      std::ostringstream os;
      os << store::audit::csv_header;
      std::int64_t offset = 0;
      for (;;) {
        auto page = store::audit::query(sql, query.filter, store::audit::max_page, offset);
        for (const auto& r : page.records) store::audit::csv_row(os, r);
        offset += static_cast<std::int64_t>(page.records.size());
        if (!page.more || offset >= max_csv_records) {
          *more = page.more;
          break;
        }
      }
      *result = std::move(os).str();
    };
    auto running = csv ? csv_running_ : std::shared_ptr<bool>();
    if (running) *running = true;
    const bool queued = reader_.run(job, strand_, [shared_out, result, more, csv, running](std::string error) {
      if (running) *running = false;
      if (!error.empty()) {
        return shared_out->send(http::error_response(Status::service_unavailable, "unavailable",
                                                     "The audit trail could not be read just now."));
      }
      http::Response res{Status::ok, 11};
      res.set(boost::beast::http::field::content_type,
              csv ? "text/csv; charset=utf-8" : "application/json");
      res.set(boost::beast::http::field::cache_control, "no-store");
      if (csv) {
        res.set(boost::beast::http::field::content_disposition,
                "attachment; filename=\"irra-audit.csv\"");
        if (*more) res.set("X-IRRA-Truncated", "true");
      }
      res.body() = std::move(*result);
      res.prepare_payload();
      shared_out->send(std::move(res));
    });
    if (!queued) {
      if (running) *running = false;
      shared_out->send(http::error_response(Status::service_unavailable, "busy",
                                            "Too many audit searches at once. Please try again."));
    }
  }

  // ---------------------------------------------------------------- routes
  void register_routes(http::Router& router) {
    router.add_guard([this](const Request& req) -> std::optional<http::Response> {
      if (!is_admin_path(req.path()) || allowed(req)) return std::nullopt;
      return http::standard_error(Status::not_found);
    });
    // Every route comes from the table (admin_endpoints.hpp): add_admin_routes() refuses a
    // handler without an entry and an entry without a handler.
    AdminHandlers h;
    h[{Verb::post, "/api/v1/admin/auth/login"}] = [this](const Request& req, Responder res) {
      inv_.on_strand(req, std::move(res), [this](const Request& r, Responder out) { login(r, std::move(out)); });
    };
    h[{Verb::post, "/api/v1/admin/auth/logout"}] = [this](const Request& req, Responder res) {
      inv_.on_strand(req, std::move(res), [this](const Request& r, Responder out) { logout(r, std::move(out)); });
    };
    using S = const StaffSession&;
    using T = std::string_view;
    route(h, Verb::get, "/api/v1/admin/session",
          [this](const Request&, Responder out, S s, T) {
            out.send(http::json_response(Status::ok, session_json(s)));
          });
    route(h, Verb::get, "/api/v1/admin/overview",
          [this](const Request&, Responder out, S, T) {
            out.send(http::json_response(Status::ok, overview()));
          });
    route(h, Verb::get, "/api/v1/admin/clients",
          [this](const Request& r, Responder out, S, T) {
            const auto q = r.query_param("q");
            out.send(http::json_response(Status::ok, search(q ? q->substr(0, 64) : std::string_view())));
          });
    route(h, Verb::get, "/api/v1/admin/clients/{ucc}",
          [this](const Request& r, Responder out, S, T) {
            const auto* c = inv_.book_.client(std::string(r.path_param("ucc")));
            if (!c) return out.send(http::error_response(Status::not_found, "not_found", "No such client."));
            out.send(http::json_response(Status::ok, json{{"client", client_json(*c)}}));
          });
    const auto book_route = [&](std::string_view what, auto render) {
      route(h, Verb::get, "/api/v1/admin/clients/{ucc}/" + std::string(what),
            [this, render](const Request& r, Responder out, S, T) {
              const auto* c = inv_.book_.client(std::string(r.path_param("ucc")));
              if (!c) return out.send(http::error_response(Status::not_found, "not_found", "No such client."));
              out.send(render(c->ucc));
            });
    };
    book_route("positions", [this](const std::string& u) { return inv_.positions_response(u); });
    book_route("orders", [this](const std::string& u) { return inv_.orders_response(u); });
    book_route("trades", [this](const std::string& u) { return inv_.trades_response(u); });
    book_route("holdings", [this](const std::string& u) {
      return http::json_response(Status::ok, inv_.holdings_json(u));
    });
    book_route("funds", [this](const std::string& u) {
      return http::json_response(Status::ok, inv_.funds_json(u));
    });
    route(h, Verb::post, "/api/v1/admin/clients/{ucc}/square-off",
          [this](const Request& r, Responder out, S s, T) { square_off(r, std::move(out), s); });
    route(h, Verb::post, "/api/v1/admin/clients/{ucc}/square-off-all",
          [this](const Request& r, Responder out, S s, T) { square_off_all(r, std::move(out), s); });
    route(h, Verb::post, "/api/v1/admin/clients/{ucc}/orders/{order_id}/cancel",
          [this](const Request& r, Responder out, S s, T) { cancel(r, std::move(out), s); });
    route(h, Verb::post, "/api/v1/admin/bulk/square-off",
          [this](const Request& r, Responder out, S s, T) { bulk(r, std::move(out), s); });
    route(h, Verb::get, "/api/v1/admin/jobs",
          [this](const Request&, Responder out, S, T) {
            out.send(http::json_response(Status::ok, json{{"jobs", jobs_.jobs()}}));
          });
    route(h, Verb::get, "/api/v1/admin/jobs/{job_id}",
          [this](const Request& r, Responder out, S, T) {
            const auto job = jobs_.job(r.path_param("job_id"));
            if (!job) return out.send(http::error_response(Status::not_found, "not_found", "No such job."));
            out.send(http::json_response(Status::ok, *job));
          });
    route(h, Verb::post, "/api/v1/admin/jobs/{job_id}/cancel",
          [this](const Request& r, Responder out, S s, T) { job_cancel(r, std::move(out), s); });
    route(h, Verb::post, "/api/v1/admin/mode",
          [this](const Request& r, Responder out, S s, T) { mode(r, std::move(out), s); });
    route(h, Verb::get, "/api/v1/admin/audit",
          [this](const Request& r, Responder out, S, T) { audit_search(r, std::move(out), false); });
    route(h, Verb::get, "/api/v1/admin/audit.csv",
          [this](const Request& r, Responder out, S, T) { audit_search(r, std::move(out), true); });
    route(h, Verb::get, "/api/v1/admin/stream",
          [this](const Request& r, Responder out, S s, T token) { open_stream(r, std::move(out), s, token); });
    add_admin_routes(router, std::move(h));
  }

  void start() {
    inv_.engine_.subscribe([this](const std::vector<trading::Update>& u) { on_updates(u); });
    inv_.wants_all_updates = [this] { return !streams_.empty(); };
    inv_.on_login = [this](const std::string& ucc, const std::string&) {
      feed("login", json{{"ucc", ucc}, {"time", iso(now())}});
    };
    jobs_.on_progress([this](const json& job) { feed("job", job); });
    failover_.on_transition([this](const failover::Transition& t) {
      feed("mode", json{{"mode", failover::name(t.to)}, {"since", domain::format_iso8601(t.at)}});
      overview_cache_ = nullptr;
    });
    arm_sync();
  }

  void stop() {
    stopped_ = true;
    sync_timer_.cancel();
    for (auto& e : streams_) {
      if (e.stream) e.stream->close();
    }
    reader_.cancel();  // joined by ~DbReader: a long export must not block the strand here
  }

  struct Entry {
    std::uint64_t id = 0;
    std::string token;
    std::shared_ptr<http::EventStream> stream;
  };

  net::any_io_executor strand_;
  Api::Impl& inv_;
  failover::Failover& failover_;
  trading::BulkJobs& jobs_;
  staff::Authenticator& authn_;
  DbReader reader_;
  std::vector<config::Cidr> allow_from_;
  AdminOptions options_;
  StaffSessions sessions_;
  net::steady_timer sync_timer_;
  std::vector<Entry> streams_;
  std::uint64_t next_stream_id_ = 1;
  std::vector<std::pair<std::string, std::uint32_t>> index_;  // upper-case key -> client
  std::unordered_map<std::string, TimePoint> refusals_noted_;  // rate_limited()
  // One audit CSV export at a time (each is held in memory until sent). Shared with the
  // export's completion, which must not touch `this` (it may run after stop()).
  std::shared_ptr<bool> csv_running_ = std::make_shared<bool>(false);
  json overview_cache_;
  std::chrono::steady_clock::time_point overview_at_{};
  bool stopped_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

AdminApi::AdminApi(net::any_io_executor trading_strand, Api& investor_api,
                   failover::Failover& failover, trading::BulkJobs& jobs,
                   staff::Authenticator& authenticator, store::DbUrl db_url,
                   std::vector<config::Cidr> allow_from, AdminOptions options)
    : impl_(std::make_unique<Impl>(std::move(trading_strand), investor_api, failover, jobs,
                                   authenticator, std::move(db_url), std::move(allow_from),
                                   std::move(options))) {}

AdminApi::~AdminApi() = default;

void AdminApi::register_routes(http::Router& router) { impl_->register_routes(router); }
void AdminApi::start() { impl_->start(); }
void AdminApi::stop() { impl_->stop(); }
std::size_t AdminApi::session_count() const { return impl_->sessions_.count(); }
std::size_t AdminApi::stream_count() const { return impl_->streams_.size(); }

}  // namespace irra::web
