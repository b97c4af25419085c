// One health check: resolve, connect, (TLS handshake,) GET, read the response header,
// close — all before one deadline. Owns itself through shared_from_this() while running;
// the caller keeps a weak_ptr to cancel it. Runs on the executor it is given.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "irra/failover/probe.hpp"

namespace boost::asio::ssl {
class context;
}

namespace irra::failover::detail {

class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  // Aborts at once; `done` is then not called.
  virtual void cancel() = 0;
};

using CheckDone = std::function<void(CheckResult)>;

// Starts one check of `target` (`tls` is used for https targets; the check keeps it alive).
// `endpoints`: the addresses to try; empty = resolve the host name first. `done` runs on
// `executor` exactly once unless the check is cancelled; at the deadline at once.
std::shared_ptr<HealthCheck> start_check(boost::asio::any_io_executor executor,
                                         std::shared_ptr<boost::asio::ssl::context> tls,
                                         const ProbeTarget& target,
                                         std::vector<boost::asio::ip::tcp::endpoint> endpoints,
                                         std::chrono::steady_clock::time_point deadline,
                                         const std::string& user_agent, CheckDone done);

}  // namespace irra::failover::detail
