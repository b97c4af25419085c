// One fill, as the trade book shows it. A plain value type.
#pragma once

#include <string>

#include "irra/domain/enums.hpp"
#include "irra/domain/money.hpp"
#include "irra/domain/timestamp.hpp"

namespace irra::domain {

struct Trade {
  std::string trade_id;  // the execution report's ExecID, unique per exchange day
  std::string order_id;  // the Book's order_id (see Order::order_id)
  std::string ucc;
  std::string instrument_id;
  Product product = Product::mis;
  Side side = Side::buy;
  Qty qty = 0;
  Paise price = 0;
  Timestamp time = 0;
};

}  // namespace irra::domain
