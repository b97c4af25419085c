// The REST objects of json_views.hpp written straight as JSON text, for the hot read paths
// (GET /api/v1/positions, /orders, /trades): no JSON tree is built, nothing is parsed, and
// prices are printed from integer paise (no floating point at all). The text parses to
// objects equal to position_json/order_json/trade_json (tests check it field by field).
// Hand-written because building and freeing nlohmann trees was a fifth of the CPU of a
// positions request.
//
// Thread rule: pure functions; the ones reading the Book run on the strand that owns it.
#pragma once

#include <string>
#include <string_view>

#include "irra/domain/book.hpp"

namespace irra::trading {

// A JSON string literal: quotes, backslash and control characters escaped; valid UTF-8
// passes through, invalid bytes become U+FFFD (as nlohmann's error_handler_t::replace).
void append_json_string(std::string& out, std::string_view s);
// Paise as rupees: 245005 -> 2450.05, 245050 -> 2450.5, 245000 -> 2450, -5 -> -0.05.
void append_rupees(std::string& out, domain::Paise paise);

void append_position_json(std::string& out, const domain::Book& book, const domain::Position& p);
void append_order_json(std::string& out, const domain::Order& o);
void append_trade_json(std::string& out, const domain::Trade& t);

}  // namespace irra::trading
