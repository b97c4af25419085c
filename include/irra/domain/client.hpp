// An investor account from the start-of-day dump (clients.csv). A plain value type.
#pragma once

#include <string>

namespace irra::domain {

struct Client {
  std::string ucc;  // unique client code, the account on the exchange
  std::string pan;
  std::string name;
  std::string mobile;
  std::string email;
  // Algo and institutional clients are not eligible: they cannot log in, but their
  // positions are mirrored like everyone else's.
  bool eligible = true;
};

}  // namespace irra::domain
