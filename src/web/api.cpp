#include "irra/web/api.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "api_support.hpp"
#include "irra/domain/book.hpp"
#include "irra/domain/timestamp.hpp"
#include "irra/http/cookies.hpp"
#include "irra/http/json_body.hpp"
#include "irra/notify/notifier.hpp"
#include "irra/trading/json_text.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/writer.hpp"
#include "irra/trading/engine.hpp"
#include "irra/trading/json_views.hpp"
#include "irra/web/reference_data.hpp"
#include "stream_hub.hpp"

namespace irra::web {

namespace net = boost::asio;
using nlohmann::json;
using http::Request;
using http::Responder;
using http::Status;
using http::Verb;

namespace {

constexpr std::string_view session_cookie = "__Host-irra_session";

http::Response too_many(std::string_view code, std::string_view message,
                        std::chrono::seconds retry_after) {
  const auto secs = std::max<std::int64_t>(1, retry_after.count());
  auto res = http::json_response(
      Status::too_many_requests,
      json{{"error", code}, {"message", message}, {"retry_after", secs}});
  res.set(boost::beast::http::field::retry_after, std::to_string(secs));
  return res;
}

}  // namespace

std::string_view public_session_name(std::string_view name) {
  if (name == "DC") return "drop_copy";
  if (name == "OE") return "order_entry";
  if (name == "MD") return "market_data";
  return name;
}

Api::Impl::Impl(net::any_io_executor strand, trading::Engine& engine, const domain::Book& book,
                const ReferenceData& reference, store::Writer& writer, store::AuditChain& audit,
                notify::Notifier& notifier, ApiOptions options)
    : strand_(std::move(strand)),
      engine_(engine),
      book_(book),
      reference_(reference),
      writer_(writer),
      audit_(audit),
      notifier_(notifier),
      options_(std::move(options)),
      auth_(options_.auth),
      sweep_timer_(strand_) {}

// ------------------------------------------------------------------ plumbing

TimePoint Api::Impl::now() const { return std::chrono::system_clock::now(); }

std::string Api::Impl::iso(TimePoint t) {
  return domain::format_iso8601(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

std::optional<http::Response> Api::Impl::mode_refusal() const {
  const auto& mode = engine_.mode();
  if (mode == "active") return std::nullopt;
  if (mode == "recovery") {
    return http::error_response(Status::service_unavailable, "recovery",
                                "The main trading site is back; please use it.");
  }
  return http::error_response(Status::service_unavailable, "standby",
                              "The backup site is on standby; please use the main trading site.");
}

void Api::Impl::audit(std::string type, const Request& req, std::optional<std::string> ucc,
                      json detail) {
  store::AuditEvent e;
  e.type = std::move(type);
  e.actor = ucc ? "investor:" + *ucc : "investor:-";
  e.ucc = std::move(ucc);
  e.ip = req.remote_address().to_string();
  auto ua = std::string(req.user_agent());
  if (ua.size() > 512) ua.resize(512);
  e.user_agent = std::move(ua);
  if (!detail.is_null()) {
    e.detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (!audit_.append(std::move(e))) {
    spdlog::error("audit: the writer refused an audit record ({})", type);
  }
}

void Api::Impl::on_strand(const Request& req, Responder res, StrandHandler handler) {
  net::post(strand_, [this, &req, res = std::move(res), handler = std::move(handler)]() mutable {
    handler(req, std::move(res));
  });
}

void Api::Impl::investor(http::Router& router, Verb verb, std::string_view pattern,
                         bool state_changing, InvestorHandler handler) {
  router.add_async(verb, pattern,
                   [this, state_changing, handler = std::move(handler)](const Request& req,
                                                                        Responder res) {
                     on_strand(req, std::move(res),
                               [this, state_changing, &handler](const Request& r, Responder out) {
                                 if (auto refusal = mode_refusal()) return out.send(std::move(*refusal));
                                 const auto token = r.cookie(session_cookie);
                                 const WebSession* s =
                                     token ? auth_.find_session(*token, now()) : nullptr;
                                 if (!s) {
                                   return out.send(http::error_response(
                                       Status::unauthorized, "unauthorized",
                                       "Please log in (no session, or it has expired)."));
                                 }
                                 if (state_changing &&
                                     !auth_.check_csrf(*s, r.header("X-CSRF-Token"))) {
                                   audit("investor.refused", r, s->ucc,
                                         json{{"reason", "csrf"}, {"path", r.path()}});
                                   return out.send(http::error_response(
                                       Status::forbidden, "csrf",
                                       "Missing or wrong X-CSRF-Token header."));
                                 }
                                 handler(r, std::move(out), *s, *token);
                               });
                   });
}

// ------------------------------------------------------------------ routes

void Api::Impl::register_routes(http::Router& router) {
  router.add(Verb::get, "/healthz", [](const Request&) {
    return http::json_response(Status::ok, json{{"status", "alive"}});
  });
  router.add_async(Verb::get, "/readyz", [this](const Request& req, Responder res) {
    on_strand(req, std::move(res), [this](const Request&, Responder out) { out.send(readyz()); });
  });
  router.add_async(Verb::get, "/api/v1/status", [this](const Request& req, Responder res) {
    on_strand(req, std::move(res), [this](const Request&, Responder out) { out.send(status()); });
  });

  router.add_async(Verb::post, "/api/v1/auth/otp", [this](const Request& req, Responder res) {
    on_strand(req, std::move(res),
              [this](const Request& r, Responder out) { request_otp(r, std::move(out)); });
  });
  router.add_async(Verb::post, "/api/v1/auth/login", [this](const Request& req, Responder res) {
    on_strand(req, std::move(res),
              [this](const Request& r, Responder out) { login(r, std::move(out)); });
  });
  router.add_async(Verb::post, "/api/v1/auth/logout", [this](const Request& req, Responder res) {
    on_strand(req, std::move(res),
              [this](const Request& r, Responder out) { logout(r, std::move(out)); });
  });
  investor(router, Verb::get, "/api/v1/session", false,
           [this](const Request&, Responder out, const WebSession& s, std::string_view) {
             out.send(http::json_response(Status::ok, session_json(s)));
           });

  investor(router, Verb::get, "/api/v1/positions", false,
           [this](const Request&, Responder out, const WebSession& s, std::string_view) {
             out.send(positions_response(s.ucc));
           });
  investor(router, Verb::get, "/api/v1/orders", false,
           [this](const Request&, Responder out, const WebSession& s, std::string_view) {
             out.send(orders_response(s.ucc));
           });
  investor(router, Verb::get, "/api/v1/trades", false,
           [this](const Request&, Responder out, const WebSession& s, std::string_view) {
             out.send(trades_response(s.ucc));
           });
  investor(router, Verb::get, "/api/v1/holdings", false,
           [this](const Request&, Responder out, const WebSession& s, std::string_view) {
             out.send(http::json_response(Status::ok, holdings_json(s.ucc)));
           });
  investor(router, Verb::get, "/api/v1/funds", false,
           [this](const Request&, Responder out, const WebSession& s, std::string_view) {
             out.send(http::json_response(Status::ok, funds_json(s.ucc)));
           });

  investor(router, Verb::post, "/api/v1/positions/square-off", true,
           [this](const Request& r, Responder out, const WebSession& s, std::string_view) {
             square_off(r, std::move(out), s);
           });
  investor(router, Verb::post, "/api/v1/positions/square-off-all", true,
           [this](const Request& r, Responder out, const WebSession& s, std::string_view) {
             square_off_all(r, std::move(out), s);
           });
  investor(router, Verb::post, "/api/v1/orders/{order_id}/cancel", true,
           [this](const Request& r, Responder out, const WebSession& s, std::string_view) {
             cancel(r, std::move(out), s);
           });
  investor(router, Verb::get, "/api/v1/stream", false,
           [this](const Request& r, Responder out, const WebSession& s, std::string_view token) {
             open_stream(r, std::move(out), s, token);
           });
}

// ------------------------------------------------------------------ public

std::string_view Api::Impl::session_state(std::string_view name) const {
  const auto& states = engine_.session_states();
  const auto it = states.find(name);
  return it == states.end() ? std::string_view("disconnected") : std::string_view(it->second);
}

// /status and /readyz are polled by every open page and by load balancers: they read the
// sessions' states only, never engine_.status(), which walks every position.
http::Response Api::Impl::status() const {
  json exchange = json::object();
  for (const auto& [name, state] : engine_.session_states()) {
    exchange[std::string(public_session_name(name))] = state;
  }
  return http::json_response(Status::ok, json{{"mode", engine_.mode()},
                                              {"since", domain::format_iso8601(engine_.mode_since())},
                                              {"trading_date", engine_.trading_date()},
                                              {"exchange", std::move(exchange)}});
}

http::Response Api::Impl::readyz() const {
  const bool db = writer_.healthy();
  const auto dc = session_state("DC");
  const auto oe = session_state("OE");
  const auto backlog = writer_.stats().backlog;
  // Ready = the mirror is current (database writing, drop copy logged on) and, while ACTIVE,
  // orders can reach the exchange.
  const bool ready = db && dc == "active" && (engine_.mode() != "active" || oe == "active");
  json body{{"ready", ready},
            {"mode", engine_.mode()},
            {"checks",
             {{"database", db ? "ok" : writer_.last_error()},
              {"write_backlog", backlog},
              {"drop_copy", dc},
              {"order_entry", oe}}}};
  if (!ready) {
    body["error"] = "not_ready";
    body["message"] = !db ? "the database is not accepting writes"
                          : dc != "active" ? "the drop-copy session is not logged on"
                                           : "the order-entry session is not logged on";
  }
  return http::json_response(ready ? Status::ok : Status::service_unavailable, body);
}

// ------------------------------------------------------------------ login

void Api::Impl::request_otp(const Request& req, Responder out) {
  if (auto refusal = mode_refusal()) return out.send(std::move(*refusal));
  auto body = http::parse_json_body(req);
  if (!body) return out.send(std::move(*body.error));
  const json& b = body.value;
  const auto field = b.is_object() ? b.find("login") : b.end();
  if (field == b.end() || !field->is_string() || field->get_ref<const std::string&>().empty() ||
      field->get_ref<const std::string&>().size() > 64) {
    return out.send(http::error_response(Status::bad_request, "bad_request",
                                         "Give your client code (UCC) or PAN as \"login\"."));
  }
  const auto login = trim_upper(field->get_ref<const std::string&>());
  const domain::Client* client = book_.client(login);
  if (!client) {
    const auto ucc = reference_.ucc_of_pan(login);
    if (!ucc.empty()) client = book_.client(ucc);
  }
  const auto ip = req.remote_address().to_string();
  auto result = auth_.request_otp(login, client, ip, now());
  using O = OtpRequestResult::Outcome;
  if (result.outcome == O::rate_limited) {
    audit("investor.otp_refused", req, client ? std::optional(client->ucc) : std::nullopt,
          json{{"login", login}, {"reason", "rate_limited"}});
    spdlog::info("auth: OTP request for a login from {} refused: rate limited", ip);
    return out.send(too_many("rate_limited", "Too many code requests. Please wait and try again.",
                             result.retry_after));
  }
  if (result.outcome == O::sent && result.delivery) {
    const auto& d = *result.delivery;
    const bool queued = notifier_.publish("irra.notifications",
                                          json{{"type", "otp"},
                                               {"ucc", d.ucc},
                                               {"mobile", d.mobile},
                                               {"email", d.email},
                                               {"otp", d.otp},
                                               {"expires_at", iso(d.expires_at)}});
    if (!queued) {
      spdlog::error("auth: the notification sink refused an OTP for {}", d.ucc);
      return out.send(http::error_response(Status::service_unavailable, "unavailable",
                                           "The code could not be sent. Please try again."));
    }
    audit("investor.otp_issued", req, d.ucc, json{{"challenge_id", result.challenge_id}});
    spdlog::info("auth: OTP issued to {} (from {})", d.ucc, ip);
  } else {
    // Unknown or ineligible: the same answer, nothing sent, but on the record.
    audit("investor.otp_refused", req, client ? std::optional(client->ucc) : std::nullopt,
          json{{"login", login}, {"reason", client ? "ineligible" : "unknown_login"}});
    spdlog::info("auth: OTP request from {} for an {} login: nothing sent", ip,
                 client ? "ineligible" : "unknown");
  }
  out.send(http::json_response(
      Status::accepted,
      json{{"challenge_id", result.challenge_id},
           {"sent_to", {{"mobile", result.masked_mobile}, {"email", result.masked_email}}},
           {"expires_in", options_.auth.otp_ttl.count()}}));
}

void Api::Impl::login(const Request& req, Responder out) {
  if (auto refusal = mode_refusal()) return out.send(std::move(*refusal));
  auto body = http::parse_json_body(req);
  if (!body) return out.send(std::move(*body.error));
  const json& b = body.value;
  if (!b.is_object() || !b.contains("challenge_id") || !b["challenge_id"].is_string() ||
      !b.contains("otp") || !b["otp"].is_string()) {
    return out.send(http::error_response(Status::bad_request, "bad_request",
                                         "Give \"challenge_id\" and the 6-digit \"otp\"."));
  }
  const auto ip = req.remote_address().to_string();
  auto result = auth_.verify(b["challenge_id"].get_ref<const std::string&>(),
                             b["otp"].get_ref<const std::string&>(), ip, now());
  using O = VerifyResult::Outcome;
  const std::optional<std::string> ucc =
      result.ucc.empty() ? std::nullopt : std::optional(result.ucc);
  switch (result.outcome) {
    case O::ok: {
      const auto* client = book_.client(result.ucc);
      const auto& s = *result.session;
      audit("investor.login", req, ucc, json{{"result", "ok"}});
      spdlog::info("auth: {} logged in from {}", result.ucc, ip);
      if (on_login) on_login(result.ucc, ip);
      auto res = http::json_response(
          Status::ok, json{{"client", {{"ucc", result.ucc}, {"name", client ? client->name : ""}}},
                           {"csrf_token", s.csrf_token},
                           {"idle_expires_at", iso(s.idle_expires_at)},
                           {"expires_at", iso(s.expires_at)}});
      res.set(boost::beast::http::field::set_cookie,
              http::build_set_cookie(session_cookie, s.token, http::CookieOptions{}));
      return out.send(std::move(res));
    }
    case O::wrong:
      audit("investor.login_failed", req, ucc, json{{"reason", "wrong_otp"}, {"tries_left", result.tries_left}});
      spdlog::info("auth: wrong OTP from {} ({} tries left)", ip, result.tries_left);
      return out.send(http::json_response(
          Status::unauthorized, json{{"error", "invalid_otp"},
                                     {"message", "That code is not right."},
                                     {"tries_left", result.tries_left}}));
    case O::burnt:
      audit("investor.login_failed", req, ucc, json{{"reason", "too_many_attempts"}});
      spdlog::info("auth: OTP challenge burnt after too many wrong codes, from {}", ip);
      return out.send(http::error_response(
          Status::too_many_requests, "too_many_attempts",
          "Too many wrong codes: this code no longer works. Please ask for a new one."));
    case O::rate_limited:
      audit("investor.login_failed", req, ucc, json{{"reason", "rate_limited"}});
      spdlog::info("auth: login attempt from {} refused: rate limited", ip);
      return out.send(too_many("rate_limited", "Too many attempts. Please wait and try again.",
                               result.retry_after));
    case O::expired:
      break;
  }
  audit("investor.login_failed", req, ucc, json{{"reason", "otp_expired"}});
  spdlog::info("auth: expired or unknown OTP challenge from {}", ip);
  out.send(http::error_response(Status::unauthorized, "otp_expired",
                                "This code has expired or was already used. Please ask for a new one."));
}

void Api::Impl::logout(const Request& req, Responder out) {
  auto res = http::empty_response(Status::no_content);
  http::CookieOptions gone;
  gone.max_age = std::chrono::seconds(0);
  res.set(boost::beast::http::field::set_cookie, http::build_set_cookie(session_cookie, "", gone));
  const auto token = req.cookie(session_cookie);
  const WebSession* s = token ? auth_.find_session(*token, now()) : nullptr;
  if (!s) return out.send(std::move(res));  // nothing to end: the page forgets it anyway
  if (!auth_.check_csrf(*s, req.header("X-CSRF-Token"))) {
    return out.send(
        http::error_response(Status::forbidden, "csrf", "Missing or wrong X-CSRF-Token header."));
  }
  const auto ucc = s->ucc;
  auth_.end_session(*token);
  streams_->close_session(*token);
  audit("investor.logout", req, ucc, nullptr);
  spdlog::info("auth: {} logged out", ucc);
  out.send(std::move(res));
}

json Api::Impl::session_json(const WebSession& s) const {
  const auto* client = book_.client(s.ucc);
  return json{{"client", {{"ucc", s.ucc}, {"name", client ? client->name : ""}}},
              {"csrf_token", s.csrf_token},
              {"idle_expires_at", iso(s.idle_expires_at)},
              {"expires_at", iso(s.expires_at)}};
}

// ------------------------------------------------------------------ books

namespace {

// A JSON array written by `append(body, item)` for each item, straight into the response
// body (trading/json_text.hpp: no JSON tree, prices from integer paise).
template <class Items, class Append>
http::Response text_list_response(const Items& items, std::size_t item_size, Append&& append) {
  http::Response res{Status::ok, 11};
  res.set(boost::beast::http::field::content_type, "application/json");
  res.set(boost::beast::http::field::cache_control, "no-store");
  std::string& body = res.body();
  body.reserve(2 + items.size() * item_size);
  body += '[';
  bool first = true;
  for (const auto* item : items) {
    if (!first) body += ',';
    first = false;
    append(body, *item);
  }
  body += ']';
  res.prepare_payload();
  return res;
}

}  // namespace

http::Response Api::Impl::positions_response(const std::string& ucc) const {
  return text_list_response(book_.positions_of(ucc), 400,
                            [this](std::string& out, const domain::Position& p) {
                              trading::append_position_json(out, book_, p);
                            });
}

http::Response Api::Impl::orders_response(const std::string& ucc) const {
  return text_list_response(book_.orders_of(ucc), 360, trading::append_order_json);
}

http::Response Api::Impl::trades_response(const std::string& ucc) const {
  return text_list_response(book_.trades_of(ucc), 180, trading::append_trade_json);
}

json Api::Impl::holdings_json(const std::string& ucc) const {
  json list = json::array();
  for (const auto& h : reference_.holdings(ucc)) {
    const auto* inst = book_.instrument(h.instrument_id);
    std::optional<domain::Paise> ltp = book_.ltp(h.instrument_id);
    if (!ltp && inst && inst->prev_close > 0) ltp = inst->prev_close;
    json row{{"instrument", h.instrument_id},
             {"exchange", inst ? json(inst->exchange) : json(nullptr)},
             {"symbol", inst ? json(inst->symbol) : json(nullptr)},
             {"qty", h.qty},
             {"avg_price", trading::rupees(h.avg_price)},
             {"ltp", ltp ? trading::rupees(*ltp) : json(nullptr)}};
    if (ltp) {
      row["value"] = trading::rupees(h.qty * *ltp);
      row["pnl"] = trading::rupees(h.qty * (*ltp - h.avg_price));
    }
    list.push_back(std::move(row));
  }
  return list;
}

json Api::Impl::funds_json(const std::string& ucc) const {
  const auto* f = reference_.funds(ucc);
  domain::Paise realized = 0;
  for (const auto* p : book_.positions_of(ucc)) realized += p->realized_pnl();
  if (!f) {
    return json{{"opening_balance", nullptr}, {"margin_used", nullptr}, {"collateral", nullptr},
                {"available", nullptr},       {"realized_pnl", trading::rupees(realized)}};
  }
  return json{{"opening_balance", trading::rupees(f->opening_balance)},
              {"margin_used", trading::rupees(f->margin_used)},
              {"collateral", trading::rupees(f->collateral)},
              {"available", trading::rupees(f->opening_balance + f->collateral - f->margin_used)},
              {"realized_pnl", trading::rupees(realized)}};
}

// ------------------------------------------------------------------ streams

void Api::Impl::open_stream(const Request&, Responder out, const WebSession& s,
                            std::string_view token) {
  http::Response head{Status::ok, 11};
  head.set(boost::beast::http::field::content_type, "text/event-stream; charset=utf-8");
  head.set("X-Accel-Buffering", "no");
  auto stream = out.start_stream(std::move(head));
  if (!stream) return;
  const auto id = streams_->add(s.ucc, std::string(token), stream);
  // The strand is captured by value: the callback may run after this Api is gone.
  stream->on_close([this, strand = strand_, ucc = s.ucc, id, alive = std::weak_ptr<int>(alive_)] {
    net::post(strand, [this, ucc, id, alive] {
      if (alive.lock()) streams_->remove(ucc, id);
    });
  });
  stream->send("retry: " + std::to_string(options_.stream_retry.count()) + "\n: connected\n\n");
}

void Api::Impl::sweep() {
  const auto t = now();
  auth_.sweep(t);
  if (engine_.mode() != "active") {
    streams_->close_all();
    return;
  }
  streams_->close_unless([&](const std::string&, const std::string& token) {
    return auth_.has_session(token, t);
  });
}

void Api::Impl::arm_sweep() {
  sweep_timer_.expires_after(options_.sweep_interval);
  sweep_timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || !alive.lock() || stopped_) return;
    sweep();
    arm_sweep();
  });
}

// ------------------------------------------------------------------ Api

Api::Api(net::any_io_executor trading_strand, trading::Engine& engine, const domain::Book& book,
         const ReferenceData& reference, store::Writer& writer, store::AuditChain& audit,
         notify::Notifier& notifier, ApiOptions options)
    : impl_(std::make_unique<Impl>(std::move(trading_strand), engine, book, reference, writer,
                                   audit, notifier, std::move(options))) {}

Api::~Api() = default;

void Api::register_routes(http::Router& router) { impl_->register_routes(router); }

void Api::start() {
  auto& i = *impl_;
  i.engine_.subscribe([&i](const std::vector<trading::Update>& updates) { i.streams_->publish(updates); });
  i.engine_.set_update_filter([&i](std::string_view ucc) {
    return i.streams_->wants(ucc) || (i.wants_all_updates && i.wants_all_updates());
  });
  i.arm_sweep();
}

void Api::stop() {
  impl_->stopped_ = true;
  impl_->sweep_timer_.cancel();
  impl_->streams_->close_all();
}

std::size_t Api::session_count() const { return impl_->auth_.session_count(); }
std::size_t Api::stream_count() const { return impl_->streams_->size(); }

}  // namespace irra::web
