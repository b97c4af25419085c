#include "irra/trading/errc.hpp"

namespace irra::trading {

std::string_view to_string(Errc e) {
  switch (e) {
    case Errc::ok:
      return "ok";
    case Errc::no_position:
      return "no_position";
    case Errc::increases_risk:
      return "increases_risk";
    case Errc::not_lot_multiple:
      return "not_lot_multiple";
    case Errc::off_tick:
      return "off_tick";
    case Errc::outside_band:
      return "outside_band";
    case Errc::invalid_quantity:
      return "invalid_quantity";
    case Errc::invalid_price:
      return "invalid_price";
    case Errc::no_reference_price:
      return "no_reference_price";
    case Errc::unknown_instrument:
      return "unknown_instrument";
    case Errc::idempotency_key_reused:
      return "idempotency_key_reused";
    case Errc::not_found:
      return "not_found";
    case Errc::not_cancellable:
      return "not_cancellable";
    case Errc::unavailable:
      return "unavailable";
  }
  return "unavailable";
}

int http_status(Errc e) {
  switch (e) {
    case Errc::ok:
      return 202;
    case Errc::not_found:
      return 404;
    case Errc::not_cancellable:
      return 409;
    case Errc::unavailable:
      return 503;
    default:
      return 422;
  }
}

Errc from_risk(domain::RiskErrc e) {
  using R = domain::RiskErrc;
  switch (e) {
    case R::ok:
      return Errc::ok;
    case R::no_position:
      return Errc::no_position;
    case R::increases_risk:
      return Errc::increases_risk;
    case R::not_lot_multiple:
      return Errc::not_lot_multiple;
    case R::off_tick:
      return Errc::off_tick;
    case R::outside_band:
      return Errc::outside_band;
    case R::invalid_quantity:
      return Errc::invalid_quantity;
    case R::invalid_price:
      return Errc::invalid_price;
    case R::no_reference_price:
      return Errc::no_reference_price;
    case R::unknown_instrument:
      return Errc::unknown_instrument;
  }
  return Errc::unavailable;
}

}  // namespace irra::trading
