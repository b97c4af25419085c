// The start-of-day facts the investor API shows but never changes: holdings and funds
// (contract section 4, holdings.csv and funds.csv), plus the PAN -> UCC index used to log in
// with a PAN. Loaded once at start-up from the database the dump was imported into.
//
// Thread rule: load() before the reactor starts; afterwards read-only, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/domain/money.hpp"

namespace soci {
class session;
}

namespace irra::web {

struct Holding {
  std::string instrument_id;
  domain::Qty qty = 0;
  domain::Paise avg_price = 0;
};

struct Funds {
  domain::Paise opening_balance = 0;
  domain::Paise margin_used = 0;
  domain::Paise collateral = 0;
};

class ReferenceData {
 public:
  // Reads holdings, funds and the clients' PANs. Throws soci::soci_error on a database error.
  void load(soci::session& sql);

  // Empty when the client holds nothing.
  const std::vector<Holding>& holdings(std::string_view ucc) const;
  // nullptr when funds.csv had no row for the client.
  const Funds* funds(std::string_view ucc) const;
  // The UCC of a PAN (upper case), or empty.
  std::string_view ucc_of_pan(std::string_view pan) const;

  std::size_t holding_count() const { return holding_count_; }
  std::size_t funds_count() const { return funds_.size(); }

  // For tests and tools that build the data without a database.
  void add_holding(const std::string& ucc, Holding h);
  void set_funds(const std::string& ucc, Funds f);
  void add_pan(const std::string& pan, const std::string& ucc);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<Holding>, Hash, std::equal_to<>> holdings_;
  std::unordered_map<std::string, Funds, Hash, std::equal_to<>> funds_;
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> pan_to_ucc_;
  std::size_t holding_count_ = 0;
};

}  // namespace irra::web
