// The one exception the configuration loader throws: a single line
// "<source>: <dotted.key>: <what is wrong>" that `irra` prints before exiting with code 2.
#pragma once

#include <stdexcept>

namespace irra::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace irra::config
