// The investor API's internals, shared by its source files (api.cpp: routes, login, books,
// streams; api_orders.cpp: square-off and cancel). Thread rule: see api.hpp; every member
// function except register_routes() runs on the trading strand.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/money.hpp"
#include "irra/http/request.hpp"
#include "irra/http/responder.hpp"
#include "irra/http/response.hpp"
#include "irra/http/router.hpp"
#include "irra/trading/order_entry.hpp"
#include "irra/web/api.hpp"
#include "irra/web/auth.hpp"
#include "stream_hub.hpp"

namespace irra::web {

// "  abcde1234f " -> "ABCDE1234F": logins are case-insensitive and pasted with spaces.
std::string trim_upper(std::string_view s);

// The contract's names for the FIX sessions ("DC" -> "drop_copy"), in /status and the
// admin overview.
std::string_view public_session_name(std::string_view name);

// A JSON price in rupees with at most two decimals -> paise. nullopt for anything else (not
// a number, negative, more decimals, out of range).
std::optional<domain::Paise> paise_from_json(const nlohmann::json& v);

// An Idempotency-Key header: 1..128 visible ASCII characters. Empty when absent; nullopt when
// present but malformed.
std::optional<std::string> idempotency_key(const http::Request& req);

// Checks a square-off body (investor and staff calls share it): fills `what` and `request`
// (the request as audited), or returns the 400/422 answer.
std::optional<http::Response> parse_square_off(const nlohmann::json& body, trading::SquareOff& what,
                                               nlohmann::json& request);
// The engine's answer as the HTTP response, and as the audit record's detail.
http::Response order_answer_response(const trading::OrderAnswer& a);
nlohmann::json order_audit_detail(const trading::OrderAnswer& a, nlohmann::json request);

struct Api::Impl {
  using StrandHandler = std::function<void(const http::Request&, http::Responder)>;
  using InvestorHandler = std::function<void(const http::Request&, http::Responder,
                                             const WebSession&, std::string_view token)>;

  Impl(boost::asio::any_io_executor strand, trading::Engine& engine, const domain::Book& book,
       const ReferenceData& reference, store::Writer& writer, store::AuditChain& audit,
       notify::Notifier& notifier, ApiOptions options);

  void register_routes(http::Router& router);

  // Runs handler on the trading strand (the request stays valid until the answer is sent).
  void on_strand(const http::Request& req, http::Responder res, StrandHandler handler);
  // A route for a logged-in investor: mode (503), session (401) and, for state-changing
  // calls, the CSRF header (403) are checked on the strand before handler runs.
  void investor(http::Router& router, http::Verb verb, std::string_view pattern,
                bool state_changing, InvestorHandler handler);

  TimePoint now() const;
  static std::string iso(TimePoint t);
  std::optional<http::Response> mode_refusal() const;
  void audit(std::string type, const http::Request& req, std::optional<std::string> ucc,
             nlohmann::json detail);

  std::string_view session_state(std::string_view name) const;  // "disconnected" when unknown
  http::Response status() const;
  http::Response readyz() const;
  void request_otp(const http::Request& req, http::Responder out);
  void login(const http::Request& req, http::Responder out);
  void logout(const http::Request& req, http::Responder out);
  nlohmann::json session_json(const WebSession& s) const;

  http::Response positions_response(const std::string& ucc) const;
  http::Response orders_response(const std::string& ucc) const;
  http::Response trades_response(const std::string& ucc) const;
  nlohmann::json holdings_json(const std::string& ucc) const;
  nlohmann::json funds_json(const std::string& ucc) const;

  void square_off(const http::Request& req, http::Responder out, const WebSession& s);
  void square_off_all(const http::Request& req, http::Responder out, const WebSession& s);
  void cancel(const http::Request& req, http::Responder out, const WebSession& s);

  void open_stream(const http::Request& req, http::Responder out, const WebSession& s,
                   std::string_view token);
  void sweep();
  void arm_sweep();

  boost::asio::any_io_executor strand_;
  trading::Engine& engine_;
  const domain::Book& book_;
  const ReferenceData& reference_;
  store::Writer& writer_;
  store::AuditChain& audit_;
  notify::Notifier& notifier_;
  ApiOptions options_;
  AuthStore auth_;
  std::unique_ptr<StreamHub> streams_ = std::make_unique<StreamHub>();
  boost::asio::steady_timer sweep_timer_;
  bool stopped_ = false;
  // Set by the admin terminal: every client's updates are wanted while it returns true (a
  // staff live feed is open), and each investor login is reported to its feed.
  std::function<bool()> wants_all_updates;
  std::function<void(const std::string& ucc, const std::string& ip)> on_login;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace irra::web
