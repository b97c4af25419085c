// Makes the rows of clients.csv. The first five clients are the demo's, fixed whatever the
// seed; the rest are individuals with Indian names, or (for the ineligible share) algo and
// institutional firms. PANs and mobiles are unique by construction: both come from a
// bijection of the client's index, so a million clients need no set of seen values.
#pragma once

#include <cstdint>
#include <string>

#include "det_rng.hpp"

namespace irra::tools {

struct client {
  std::string ucc;
  std::string pan;
  std::string name;
  std::string mobile;
  std::string email;
  bool eligible = true;
};

class client_factory {
 public:
  static constexpr std::int64_t demo_count = 5;
  static constexpr std::int64_t max_clients = 999999;  // UCCs are C000001..C999999

  explicit client_factory(std::int64_t ineligible_pct) : ineligible_pct_(ineligible_pct) {}

  // The client at 0-based `index`; draws from rng only for non-demo clients.
  void make(std::int64_t index, det_rng& rng, client& out) const;

  static std::string ucc(std::int64_t index);

 private:
  std::int64_t ineligible_pct_;
};

}  // namespace irra::tools
