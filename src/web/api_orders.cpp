// Square-off, square-off-all and cancel: the request is checked for shape here; every rule
// about risk (quantity, lots, tick, band, what is already pending to exit) is the engine's
// risk gate on the trading strand, so concurrent or repeated requests cannot over-sell.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "api_support.hpp"
#include "irra/domain/enums.hpp"
#include "irra/http/json_body.hpp"
#include "irra/trading/engine.hpp"

namespace irra::web {

using nlohmann::json;
using http::Request;
using http::Responder;
using http::Status;

std::string trim_upper(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::optional<domain::Paise> paise_from_json(const json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() ? v.get<std::uint64_t>() > 1'000'000'000'000ULL
                               : (v.get<std::int64_t>() < 0 ||
                                  v.get<std::int64_t>() > 1'000'000'000'000LL)) {
      return std::nullopt;
    }
    return v.get<std::int64_t>() * 100;
  }
  if (!v.is_number_float()) return std::nullopt;
  const double rupees = v.get<double>();
  if (!std::isfinite(rupees) || rupees < 0 || rupees > 1e12) return std::nullopt;
  // The JSON text had at most two decimals exactly when rupees*100 is an integer up to the
  // rounding of the decimal-to-binary conversion (far below 1e-6 paise in this range).
  const double scaled = rupees * 100.0;
  const double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-6 * std::max(1.0, std::fabs(scaled))) return std::nullopt;
  return static_cast<domain::Paise>(rounded);
}

std::optional<std::string> idempotency_key(const Request& req) {
  const auto v = req.header("Idempotency-Key");
  if (v.empty()) return std::string();
  if (v.size() > 128) return std::nullopt;
  for (const char c : v) {
    if (c < 0x21 || c > 0x7e) return std::nullopt;
  }
  return std::string(v);
}

namespace {

http::Response bad_request(std::string_view message) {
  return http::error_response(Status::bad_request, "bad_request", message);
}

http::Response unprocessable(std::string_view code, std::string_view message) {
  return http::error_response(Status::unprocessable_entity, code, message);
}

}  // namespace

std::optional<http::Response> parse_square_off(const json& b, trading::SquareOff& what,
                                               json& request) {
  if (!b.is_object()) return bad_request("The body must be a JSON object.");
  const auto inst = b.find("instrument");
  if (inst == b.end() || !inst->is_string() || inst->get_ref<const std::string&>().empty()) {
    return bad_request("\"instrument\" is required, e.g. \"NSE:RELIANCE\".");
  }
  what.instrument_id = inst->get<std::string>();
  const auto prod = b.find("product");
  const auto product = prod != b.end() && prod->is_string()
                           ? domain::parse_product(prod->get_ref<const std::string&>())
                           : std::nullopt;
  if (!product) return bad_request("\"product\" must be MIS, NRML, CNC or MTF.");
  what.product = *product;

  if (const auto q = b.find("qty"); q != b.end() && !q->is_null()) {
    if (!q->is_number_integer() || (q->is_number_unsigned() && q->get<std::uint64_t>() > 1'000'000'000ULL) ||
        (!q->is_number_unsigned() && q->get<std::int64_t>() <= 0)) {
      return unprocessable("invalid_quantity", "\"qty\" must be a whole number above 0.");
    }
    what.request.qty = q->get<std::int64_t>();
  }
  what.request.order_type = domain::OrderType::market;
  if (const auto t = b.find("order_type"); t != b.end() && !t->is_null()) {
    const auto type = t->is_string() ? domain::parse_order_type(t->get_ref<const std::string&>())
                                     : std::nullopt;
    if (!type) return bad_request("\"order_type\" must be MARKET or LIMIT.");
    what.request.order_type = *type;
  }
  if (what.request.order_type == domain::OrderType::limit) {
    const auto p = b.find("price");
    const auto paise = p != b.end() ? paise_from_json(*p) : std::nullopt;
    if (!paise || *paise <= 0) {
      return unprocessable(
          "invalid_price", "A LIMIT square-off needs \"price\" in rupees with at most two decimals.");
    }
    what.request.price = *paise;
  }

  request = json{{"instrument", what.instrument_id},
                 {"product", domain::to_string(what.product)},
                 {"qty", what.request.qty ? json(*what.request.qty) : json(nullptr)},
                 {"order_type", domain::to_string(what.request.order_type)}};
  if (what.request.price) request["price"] = *what.request.price;
  return std::nullopt;
}

http::Response order_answer_response(const trading::OrderAnswer& a) {
  return http::json_response(static_cast<Status>(a.http_status()), a.body);
}

json order_audit_detail(const trading::OrderAnswer& a, json request) {
  json d{{"request", std::move(request)}, {"status", a.http_status()}};
  if (a.ok()) {
    d["orders"] = a.order_ids;
    if (a.replayed) d["replayed"] = true;
  } else {
    d["error"] = trading::to_string(a.error);
    d["message"] = a.message;
  }
  return d;
}

void Api::Impl::square_off(const Request& req, Responder out, const WebSession& s) {
  const auto key = idempotency_key(req);
  if (!key) return out.send(bad_request("Idempotency-Key must be 1 to 128 visible characters."));
  auto body = http::parse_json_body(req);
  if (!body) return out.send(std::move(*body.error));
  trading::SquareOff what;
  json request;
  if (auto refusal = parse_square_off(body.value, what, request)) return out.send(std::move(*refusal));
  const trading::Actor actor{domain::Origin::investor, s.ucc, {}};
  engine_.square_off(actor, s.ucc, what, *key,
                     [this, &req, out = std::make_shared<Responder>(std::move(out)), ucc = s.ucc,
                      request = std::move(request)](trading::OrderAnswer a) mutable {
                       audit(a.ok() ? "investor.square_off" : "investor.square_off_refused", req,
                             ucc, order_audit_detail(a, std::move(request)));
                       out->send(order_answer_response(a));
                     });
}

void Api::Impl::square_off_all(const Request& req, Responder out, const WebSession& s) {
  const auto key = idempotency_key(req);
  if (!key) return out.send(bad_request("Idempotency-Key must be 1 to 128 visible characters."));
  // The body is optional ({} or nothing); if one is sent it must be a JSON object.
  if (!req.body().empty()) {
    auto body = http::parse_json_body(req);
    if (!body) return out.send(std::move(*body.error));
    if (!body.value.is_object()) return out.send(bad_request("The body must be a JSON object."));
  }
  const trading::Actor actor{domain::Origin::investor, s.ucc, {}};
  engine_.square_off_all(actor, s.ucc, *key,
                         [this, &req, out = std::make_shared<Responder>(std::move(out)),
                          ucc = s.ucc](trading::OrderAnswer a) mutable {
                           audit(a.ok() ? "investor.square_off_all" : "investor.square_off_all_refused",
                                 req, ucc, order_audit_detail(a, json::object()));
                           out->send(order_answer_response(a));
                         });
}

void Api::Impl::cancel(const Request& req, Responder out, const WebSession& s) {
  const std::string order_id(req.path_param("order_id"));
  if (order_id.empty() || order_id.size() > 64) {
    return out.send(http::error_response(Status::not_found, "not_found", "No such order."));
  }
  const trading::Actor actor{domain::Origin::investor, s.ucc, {}};
  engine_.cancel_order(actor, s.ucc, order_id,
                       [this, &req, out = std::make_shared<Responder>(std::move(out)), ucc = s.ucc,
                        order_id](trading::OrderAnswer a) mutable {
                         audit(a.ok() ? "investor.cancel" : "investor.cancel_refused", req, ucc,
                               order_audit_detail(a, json{{"order_id", order_id}}));
                         out->send(order_answer_response(a));
                       });
}

}  // namespace irra::web
